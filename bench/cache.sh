#!/usr/bin/env bash
# Beyond one machine: feeds scale out through HTTP caches.
# 1. Two seedfeed instances over copies of one folder (mtimes kept, as
#    rsync -t does) serve byte-identical feeds with identical ETags.
# 2. nginx with proxy_cache in front of one of them, under wrk for
#    DURATION seconds (default 20) on the three feeds: seedfeed sees only
#    revalidations, about one per MAX_AGE (default 5 s) per format.
# 3. An article dropped meanwhile reaches clients through the cache
#    within MAX_AGE.
source "$(dirname "$0")/lib.sh"
maxage=${MAX_AGE:-5} duration=${DURATION:-20}
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
		}
	}"
wait_http "http://127.0.0.1:$ng/feed.atom"

# upstream CODE: requests for the three feeds that seedfeed answered with CODE.
upstream() {
	curl -fsS "http://127.0.0.1:$a/metrics" | awk -v code="$1" -F'[{}]' '
		/^seedfeed_http_requests_total/ && $2 ~ /route="GET \/feed\.(atom|rss|json)"/ && $2 ~ "code=\"" code "\"" { split($3, v, " "); n += v[1] }
		END { print n + 0 }'
}
cat >"$work/feeds.lua" <<'LUA'
local paths, i = { "/feed.atom", "/feed.rss", "/feed.json" }, 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[i % 3 + 1], { ["Accept-Encoding"] = "gzip" })
end
LUA

ok0=$(upstream 200) nm0=$(upstream 304)
# Drop an article into the folder halfway through, and watch for it
# through the cache meanwhile.
(
	sleep $((duration / 2))
	title="خبر عبر الذاكرة الوسيطة $RANDOM"
	printf '%s\nفقرة.\n' "$title" >"$work/a/dropped.txt"
	t0=$(date +%s%N)
	for _ in $(seq 600); do curl -fsS "http://127.0.0.1:$ng/feed.json" >"$work/poll.json" && grep -q "$title" "$work/poll.json" && break; sleep 0.1; done
	echo $((($(date +%s%N) - t0) / 1000000)) >"$work/through_cache_ms"
) &
dropper=$!
pids+=("$dropper")
out=$(timeout $((duration + 30)) wrk -t2 -c64 -d"${duration}s" -s "$work/feeds.lua" "http://127.0.0.1:$ng/")
wait "$dropper"
ok=$(($(upstream 200) - ok0)) nm=$(($(upstream 304) - nm0))
clients=$(awk '/requests in/ { print $1 }' <<<"$out")
rate=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
seen=$(cat "$work/through_cache_ms")
echo "through nginx: $clients requests in ${duration}s ($rate/s); seedfeed answered $((ok + nm)): $nm revalidations (304) and $ok full answers (200: the first fill of each variant, and again after the drop)"
echo "expected about $((3 * duration / maxage)) (3 formats, one per ${maxage}s each); the dropped article reached clients after ${seen}ms (max-age ${maxage}s)"
echo "cache: clients=$clients upstream=$((ok + nm)) (304=$nm 200=$ok) max_age=${maxage}s duration=${duration}s new_article_via_cache=${seen}ms identical_instances=$same/$same"
