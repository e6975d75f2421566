#!/usr/bin/env bash
# Publish latency method by method (issue 11's table): with N articles
# published (default 10000), each way of publishing, editing, renaming,
# moving and deleting is repeated R times (default 20; R_FEW, default 5,
# for rsync and git), and the time from the end of the operation to the
# change in /feed.atom is taken. Needs rsync, git, vim, python3 and curl.
# ONLY=write,rm runs some methods (keys: bench/methods -h).
source "$(dirname "$0")/lib.sh"
n=${N:-10000} reps=${R:-20} few=${R_FEW:-5}
for tool in rsync git vim python3 curl; do
	command -v "$tool" >/dev/null || { echo "methods.sh needs $tool (apt-get install -y rsync git vim python3 curl)" >&2; exit 1; }
done
build
"$work/bin/gen" -n "$n" -out "$work/seeds" >/dev/null
port=$(free_port)
start "$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port" -log-level warn
wait_http "http://127.0.0.1:$port/healthz" 300
# -outside: a sibling of seeds, on its file system, for files prepared outside it.
timeout 1800 "$work/bin/methods" -seeds "$work/seeds" -outside "$work/outside" -url "http://127.0.0.1:$port/feed.atom" \
	-r "$reps" -r-few "$few" ${ONLY:+-only "$ONLY"} >"$work/methods.out"
echo "methods: n=$n r=$reps r_few=$few settle=250ms (seedfeed's default)"
cat "$work/methods.out"
