#!/usr/bin/env bash
# Import: an empty database and a folder of N articles (default 10000):
# time until all are served, against Hugo building a site from the same
# articles as Markdown (HUGO=0 skips Hugo). ROUNDS (default 3) runs of
# each, alternating; the figures are medians. FORMAT=md makes seedfeed's
# corpus Markdown with front matter too (default txt).
source "$(dirname "$0")/lib.sh"
n=${N:-10000} rounds=${ROUNDS:-3} format=${FORMAT:-txt}
label=""
[ "$format" = txt ] || label=" format=$format"
build
"$work/bin/gen" -n "$n" -out "$work/seeds" -format "$format" -hugo "$work/site" >/dev/null

# seedfeed_import: sets took to the ms from starting the daemon on an
# empty database to /healthz counting all n articles (the scan runs before
# the port serves). Not in $(...): the daemon must be this shell's child,
# for the cleanup to end it however the script ends.
seedfeed_import() {
	rm -f "$work/s.db"
	local port t0 t1 deadline=$((SECONDS + 1800))
	port=$(free_port)
	t0=$(date +%s%N)
	start "$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port"
	until curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q "\"articles\":$n[,}]"; do
		sleep 0.01
		kill -0 "$last" || { cat "$work/seedfeed.log" >&2; exit 1; }
		((SECONDS < deadline)) || { echo "not all $n articles served after 1800 s" >&2; exit 1; }
	done
	t1=$(date +%s%N)
	kill "$last"
	wait "$last" || true
	took=$((($t1 - $t0) / 1000000))
}

hugo_build() {
	rm -rf "$work/site/public" "$work/site/resources"
	local t0 t1
	t0=$(date +%s%N)
	timeout 1800 hugo --quiet --source "$work/site" >/dev/null
	t1=$(date +%s%N)
	echo $((($t1 - $t0) / 1000000))
}

sf=() hu=()
for round in $(seq "$rounds"); do
	seedfeed_import
	sf+=("$took")
	[ "${HUGO:-1}" = 0 ] || hu+=("$(hugo_build)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
echo "seedfeed import of $n${label:+ $format} articles, ms: ${sf[*]}"
line="import: n=$n$label seedfeed=$(median "${sf[@]}")ms"
if [ "${#hu[@]}" -gt 0 ]; then
	echo "hugo build of $n articles, ms: ${hu[*]}"
	line+=" hugo=$(median "${hu[@]}")ms ratio=$(python3 -c "print(f'{$(median "${hu[@]}") / $(median "${sf[@]}"):.1f}')")×"
fi
echo "$line"
