#!/usr/bin/env bash
# Restart and scale: N articles (default 100000) imported once, then the
# daemon restarted with nothing changed on disk: time from start to
# serving, and peak resident memory (VmHWM) while it serves under wrk.
# Also the import's own time and peak memory. LAYOUT=bundles: every
# article in a folder of its own (index.txt), N articles in N folders
# (default flat: 1,000 articles to a folder).
source "$(dirname "$0")/lib.sh"
n=${N:-100000} layout=${LAYOUT:-flat}
gen_flags=()
[ "$layout" = flat ] || gen_flags+=(-bundles)
build
"$work/bin/gen" -n "$n" -out "$work/seeds" "${gen_flags[@]}" >/dev/null
port=$(free_port)

# serve: starts the daemon and sets took to the ms until /feed.atom is
# served.
serve() {
	start_timed "http://127.0.0.1:$port/feed.atom" 600 \
		"$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port" -log-level warn
}

serve
import_ms=$took
import_rss=$(rss_peak "$last")
kill "$last"
wait "$last" || true

restarts=()
for round in 1 2 3; do
	serve
	restarts+=("$took")
	pid=$last
	timeout 60 wrk -t2 -c64 -d5s "http://127.0.0.1:$port/feed.atom" >/dev/null
	timeout 60 wrk -t2 -c64 -d5s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/" >/dev/null
	rss=$(rss_peak "$pid")
	kill "$pid"
	wait "$pid" || true
done
restart=$(printf '%s\n' "${restarts[@]}" | sort -n | sed -n 2p)
echo "import of $n articles: ${import_ms} ms, peak RSS ${import_rss} MiB; restarts, ms: ${restarts[*]}"
echo "restart: n=$n layout=$layout restart=${restart}ms (median of 3) peak_rss_serving=${rss}MiB import=${import_ms}ms import_peak_rss=${import_rss}MiB"
