#!/usr/bin/env bash
# Search at scale: N articles (default 100000) imported into an empty
# database and search index. Times the import to serving (READY), then
# the index's catching up after it, with the publish latency of DROPS
# drops (default 20) into /feed.atom while it catches up and again once
# it is in step; then Q queries of each kind (default 500, see
# bench/searchq) on the search page and the search's Atom feed, p50 and
# p99; the daemon's memory while serving and searching; then a restart
# (time to serving, the index opened clean) and the same queries and
# memory again; then, the daemon stopped, the same searches in a process
# of their own (bench/searchq -db): the search alone. Each query figure
# is given for all queries and by kind. FORMAT=md: a Markdown corpus
# (default txt); PROFILE=1: the CPU profile of the searches alone.
source "$(dirname "$0")/lib.sh"
n=${N:-100000} drops=${DROPS:-20} q=${Q:-500} format=${FORMAT:-txt}
build
go build -o "$work/bin/searchq" ./bench/searchq
"$work/bin/gen" -n "$n" -out "$work/seeds" -format "$format" >/dev/null
port=$(free_port)
url="http://127.0.0.1:$port"
mem() { awk '/VmHWM|VmRSS|RssAnon|RssFile/ { printf "%s %.1f ", $1, $2 / 1024 }' "/proc/$1/status"; }
caught_up() { curl -fsS "$url/healthz" | grep -qv '"search"'; }

serve() {
	start_timed "$url/feed.atom" 900 \
		"$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port" -log-level info
}

serve
pid=$last
import_ms=$took
t0=$(date +%s%N)
during=$(timeout 600 "$work/bin/latency" -seeds "$work/seeds" -url "$url/feed.atom" -n "$drops" -format "$format" -dir drops1)
caught=$(caught_up && echo yes || echo no)
until caught_up; do
	sleep 0.2
	(($(date +%s%N) - t0 < 1800 * 1000000000)) || { echo "the index did not catch up in 30 min" >&2; exit 1; }
done
index_ms=$(ms "$t0" "$(date +%s%N)")
echo "import: ${import_ms} ms to serving; index in step ${index_ms} ms after that (still catching up after the drops: $([ "$caught" = yes ] && echo no || echo yes)); $(mem "$pid")MiB; index $(du -sm "$work/s.db.search" | cut -f1) MiB, database $(du -sm "$work/s.db" | cut -f1) MiB"
echo "drops while the index caught up: $during"
after=$(timeout 600 "$work/bin/latency" -seeds "$work/seeds" -url "$url/feed.atom" -n "$drops" -format "$format" -dir drops2)
echo "drops once in step: $after"
echo "queries: $(timeout 600 "$work/bin/searchq" -url "$url" -n "$q" -articles "$n" | tr '\n' ' ')"
echo "memory after the queries: $(mem "$pid")MiB"
kill "$pid"
wait "$pid" || true
grep -h 'search index' "$work/seedfeed.log" | sed 's/^time=[^ ]* //' >&2 || true

serve
pid=$last
restart_ms=$took
caught_up || echo "after the restart the index is catching up: it was not closed clean" >&2
echo "restart: ${restart_ms} ms to serving; $(mem "$pid")MiB"
timeout 60 wrk -t2 -c64 -d5s "$url/feed.atom" >/dev/null
echo "queries after the restart: $(timeout 600 "$work/bin/searchq" -url "$url" -n "$q" -articles "$n" | tr '\n' ' ')"
echo "memory while serving (wrk) and searching: $(mem "$pid")MiB"
kill "$pid"
wait "$pid" || true
# The searches alone, in a process of their own over the stopped
# daemon's files: no HTTP, no rendering, no feed reads.
echo "searches in process: $(timeout 600 "$work/bin/searchq" -db "$work/s.db" -index "$work/s.db.search" -n "$q" -articles "$n" -cpuprofile "$work/search.prof" | tr '\n' ' ')"
[ -z "${PROFILE:-}" ] || go tool pprof -top -nodecount=30 "$work/bin/searchq" "$work/search.prof" >&2
grep -h 'search index' "$work/seedfeed.log" | sed 's/^time=[^ ]* //' >&2 || true
