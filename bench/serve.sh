#!/usr/bin/env bash
# Serving: seedfeed, nginx and a minimal Go server holding the very same
# bytes of /feed.atom (50 full entries), each under wrk for DURATION
# seconds (default 10), 2 threads, 64 connections: plain, gzip, and
# If-None-Match (304). The servers take turns, ROUNDS times (default 3),
# in an order that rotates, so that the machine's noise falls on all three
# alike; the figures are medians.
# Prints requests/s and p99 latency, and the ratios.
source "$(dirname "$0")/lib.sh"
duration=${DURATION:-10}
rounds=${ROUNDS:-3}
build
"$work/bin/gen" -n 1000 -out "$work/seeds" >/dev/null

sf=$(free_port)
start "$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$sf" -limit 50 -log-level warn
wait_http "http://127.0.0.1:$sf/healthz"

# nginx and the minimal server serve what seedfeed serves, byte for byte.
mkdir -p "$work/www"
curl -fsS -H 'Accept-Encoding: identity' "http://127.0.0.1:$sf/feed.atom" >"$work/www/feed.atom"
curl -fsS -H 'Accept-Encoding: gzip' "http://127.0.0.1:$sf/feed.atom" >"$work/www/feed.atom.gz"
gunzip -c "$work/www/feed.atom.gz" | cmp -s - "$work/www/feed.atom" || { echo "gzip copy differs" >&2; exit 1; }
# ...and the same headers: seedfeed's response is the one to match.
header() {
	curl -fsS -o /dev/null -D - "http://127.0.0.1:$sf/feed.atom" | tr -d '\r' |
		awk -v h="$1" -F': ' 'tolower($1) == tolower(h) { print $2 }'
}
cache_control=$(header Cache-Control) last_modified=$(header Last-Modified) language=$(header Content-Language)
touch -d "$last_modified" "$work/www/feed.atom" "$work/www/feed.atom.gz"

ng=$(free_port)
start_nginx "$ng" "
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	types { application/atom+xml atom; }
	charset utf-8;
	charset_types application/atom+xml;
	gzip_static on;
	server {
		listen 127.0.0.1:$ng;
		root $work/www;
		add_header Vary Accept-Encoding;
		add_header Cache-Control \"$cache_control\";
		add_header Content-Language $language;
	}"
wait_http "http://127.0.0.1:$ng/feed.atom"

mn=$(free_port)
start "$work/bin/minimal" -addr "127.0.0.1:$mn" -plain "$work/www/feed.atom" -gzip "$work/www/feed.atom.gz" \
	-header "Cache-Control: $cache_control" -header "Last-Modified: $last_modified" -header "Content-Language: $language"
wait_http "http://127.0.0.1:$mn/feed.atom"

echo "feed.atom: $(wc -c <"$work/www/feed.atom") bytes, $(wc -c <"$work/www/feed.atom.gz") gzipped; wrk ${duration}s, 2 threads, 64 connections, $rounds rounds"
declare -A rps p99 etag
for server in seedfeed:$sf nginx:$ng minimal:$mn; do
	etag[${server%%:*}]=$(curl -fsS -o /dev/null -D - -H 'Accept-Encoding: identity' "http://127.0.0.1:${server#*:}/feed.atom" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "etag" { print $2 }')
done
servers=(seedfeed:$sf nginx:$ng minimal:$mn)
for round in $(seq "$rounds"); do
	# Each round starts with another server: none always runs first.
	order=("${servers[@]:round%3}" "${servers[@]:0:round%3}")
	for case in plain gzip 304; do
		for server in "${order[@]}"; do
			name=${server%%:*} url="http://127.0.0.1:${server#*:}/feed.atom"
			case $case in
			plain) headers=(-H 'Accept-Encoding: identity') ;;
			gzip) headers=(-H 'Accept-Encoding: gzip') ;;
			304) headers=(-H 'Accept-Encoding: identity' -H "If-None-Match: ${etag[$name]}") ;;
			esac
			out=$(timeout $((duration + 30)) wrk -t2 -c64 -d"${duration}s" --latency "${headers[@]}" "$url")
			non2xx=$(awk '/Non-2xx or 3xx/ { print $NF }' <<<"$out")
			if [ "$case" != 304 ] && [ -n "$non2xx" ]; then
				echo "$name $case: $non2xx unexpected responses" >&2
				exit 1
			fi
			rps[$name.$case]+="$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out") "
			# wrk prints 950.00us, 8.52ms or 1.02s: keep milliseconds.
			p99[$name.$case]+="$(awk '$1 == "99%" { v = $2; m = 1
				if (v ~ /us$/) m = 0.001; else if (v ~ /ms$/) m = 1; else if (v ~ /s$/) m = 1000
				sub(/[a-z]+$/, "", v); printf "%.2f", v * m }' <<<"$out") "
		done
	done
done

# median "A B C": the middle value.
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-6s %-9s %12s %10s   %s\n' case server requests/s "p99 ms" "(each round's requests/s)"
line="serve:"
for case in plain gzip 304; do
	for name in seedfeed nginx minimal; do
		printf '%-6s %-9s %12s %10s   %s\n' "$case" "$name" "$(median "${rps[$name.$case]}")" "$(median "${p99[$name.$case]}")" "${rps[$name.$case]}"
	done
	sf_rps=$(median "${rps[seedfeed.$case]}")
	r_min=$(python3 -c "print(f'{$sf_rps / $(median "${rps[minimal.$case]}"):.2f}')")
	r_ng=$(python3 -c "print(f'{$sf_rps / $(median "${rps[nginx.$case]}"):.2f}')")
	line+=" $case ${sf_rps}/s p99 $(median "${p99[seedfeed.$case]}")ms =${r_min}×minimal =${r_ng}×nginx;"
done
echo "$line"
