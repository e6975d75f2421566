#!/usr/bin/env bash
# Beyond one machine: feeds scale out through HTTP caches.
# 1. Two seedfeed instances over copies of one folder (mtimes kept, as
#    rsync -t does) serve byte-identical feeds with identical ETags.
# 2. nginx with proxy_cache in front of one of them, under wrk for
#    DURATION seconds (default 30) on the three feeds: seedfeed sees only
#    revalidations, about one per MAX_AGE (default 5 s) per format.
# 3. Articles dropped meanwhile, one after another, reach clients through
#    the cache within MAX_AGE (nginx counts it in whole seconds, so up to
#    a second more).
source "$(dirname "$0")/lib.sh"
maxage=${MAX_AGE:-5} duration=${DURATION:-30}
build
"$work/bin/gen" -n 1000 -out "$work/a" >/dev/null
cp -a "$work/a" "$work/b" # keeps modification times
a=$(free_port) b=$(free_port)
common=(-base-url https://news.example.com -max-age "$maxage" -log-level warn)
start "$work/bin/seedfeed" -seeds "$work/a" -db "$work/a.db" -addr "127.0.0.1:$a" "${common[@]}"
start "$work/bin/seedfeed" -seeds "$work/b" -db "$work/b.db" -addr "127.0.0.1:$b" "${common[@]}"
wait_http "http://127.0.0.1:$a/healthz"
wait_http "http://127.0.0.1:$b/healthz"

same=0
for path in /feed.atom /feed.rss /feed.json / /articles/000/000007; do
	for enc in identity gzip; do
		for port in "$a" "$b"; do
			curl -fsS -H "Accept-Encoding: $enc" -D "$work/h.$port" -o "$work/body.$port" "http://127.0.0.1:$port$path"
			grep -i '^etag:' "$work/h.$port" | tr -d '\r' >"$work/etag.$port"
		done
		if ! cmp -s "$work/body.$a" "$work/body.$b" || ! cmp -s "$work/etag.$a" "$work/etag.$b"; then
			echo "$path ($enc): the two instances differ" >&2
			exit 1
		fi
		same=$((same + 1))
	done
done
echo "two instances over copies of one folder: $same of $same responses byte-identical, with identical ETags"

ng=$(free_port)
start_nginx "$ng" "
	proxy_cache_path $work/nginx/cache keys_zone=feeds:10m;
	# Only the requests that went to seedfeed, and how the cache sent them.
	map \$upstream_addr \$upstream_went { \"\" 0; default 1; }
	log_format upstream '\$upstream_cache_status \$upstream_status \$uri';
	upstream seedfeed { server 127.0.0.1:$a; keepalive 16; }
	server {
		listen 127.0.0.1:$ng;
		location / {
			proxy_pass http://seedfeed;
			proxy_http_version 1.1;
			proxy_set_header Connection \"\";
			proxy_cache feeds;
			proxy_cache_revalidate on;
			proxy_cache_lock on;
			proxy_cache_use_stale updating;
			add_header X-Cache \$upstream_cache_status;
			access_log $work/nginx/upstream.log upstream if=\$upstream_went;
		}
	}"
wait_http "http://127.0.0.1:$ng/feed.atom"

cat >"$work/feeds.lua" <<'LUA'
local paths, i = { "/feed.atom", "/feed.rss", "/feed.json" }, 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[i % 3 + 1], { ["Accept-Encoding"] = "gzip" })
end
LUA

# Drop articles into the folder one after another while wrk runs, each
# after a random pause (so at a random moment of the cache's max-age), and
# watch for each through the cache, asking as wrk's clients do (the cache
# keeps a variant per Accept-Encoding value).
(
	end=$((SECONDS + duration - maxage - 2))
	while sleep "$(awk -v r="$RANDOM" -v m="$maxage" 'BEGIN { printf "%.2f", 1 + r / 32768 * m }')" && ((SECONDS < end)); do
		title="خبر عبر الذاكرة الوسيطة $RANDOM"
		printf '%s\nفقرة.\n' "$title" >"$work/a/dropped-$RANDOM.txt"
		t0=$(date +%s%N)
		for _ in $(seq 600); do
			curl -fsS -H 'Accept-Encoding: gzip' "http://127.0.0.1:$ng/feed.json" | gzip -dc >"$work/poll.json"
			grep -q "$title" "$work/poll.json" && break
			sleep 0.05
		done
		echo $((($(date +%s%N) - t0) / 1000000)) >>"$work/through_cache_ms"
	done
) &
dropper=$!
pids+=("$dropper")
out=$(timeout $((duration + 30)) wrk -t2 -c64 -d"${duration}s" -s "$work/feeds.lua" "http://127.0.0.1:$ng/")
wait "$dropper"
# How the cache went to seedfeed: MISS is a first fill, EXPIRED a
# conditional request (If-None-Match) answered 200 (new bytes, after a
# drop) or REVALIDATED a 304. Anything else would be a leak.
count() { awk -v p="$1" '$0 ~ "^" p { n++ } END { print n + 0 }' "$work/nginx/upstream.log"; }
miss=$(count MISS) changed=$(count 'EXPIRED 200') same304=$(count 'REVALIDATED 304')
upstream=$(wc -l <"$work/nginx/upstream.log")
if ((upstream != miss + changed + same304)); then
	echo "the cache went to seedfeed otherwise too:" >&2
	sort "$work/nginx/upstream.log" | uniq -c >&2
	exit 1
fi
clients=$(awk '/requests in/ { print $1 }' <<<"$out")
rate=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
seen=$(tr '\n' ' ' <"$work/through_cache_ms")
worst=$(sort -n "$work/through_cache_ms" | tail -1)
drops=$(wc -l <"$work/through_cache_ms")
echo "through nginx: $clients requests in ${duration}s ($rate/s); seedfeed answered $upstream: $miss first fills (one per variant), $same304 revalidations answered 304, $changed answered 200 with new bytes after a drop"
echo "expected after the first fills: about $((3 * duration / maxage)), one per ${maxage}s per format"
echo "$drops articles dropped at random moments reached clients after, ms: $seen(max-age ${maxage}s; nginx counts it in whole seconds, so up to 1 s more)"
echo "cache: clients=$clients upstream=$upstream (miss=$miss 304=$same304 200_after_drop=$changed) max_age=${maxage}s duration=${duration}s drops=$drops new_article_via_cache_max=${worst}ms identical_instances=$same/$same"
