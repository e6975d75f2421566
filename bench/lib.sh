# Shared by the bench scripts: a work folder, processes that are ended
# when the script ends however it ends, free loopback ports, waiting for
# a URL. Every server listens on 127.0.0.1 only.

set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/seedfeed-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as another user
pids=()

cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "${KEEP:-}" ]; then
		echo "work folder kept: $work" >&2 # KEEP=1: for a look at the logs
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# start CMD...: runs CMD in the background, output in $work/NAME.log where
# NAME is the command's base name, and remembers its PID in $last.
start() {
	"$@" >"$work/$(basename "$1").log" 2>&1 &
	last=$!
	pids+=("$last")
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL [SECONDS]: waits until URL answers, or fails.
wait_http() {
	local deadline=$((SECONDS + ${2:-60}))
	until curl -fsS -o /dev/null "$1" 2>/dev/null; do
		if ((SECONDS > deadline)); then
			echo "no answer from $1" >&2
			return 1
		fi
		sleep 0.05
	done
}

# start_timed URL SECONDS CMD...: starts CMD as start does and sets took
# to the ms until URL answers 2xx; fails, with CMD's log, if CMD ends or
# SECONDS pass first. Not in $(...): CMD must be this shell's child.
start_timed() {
	local url=$1 secs=$2 deadline=$((SECONDS + $2)) t0 t1
	shift 2
	t0=$(date +%s%N)
	start "$@"
	until curl -fsS -o /dev/null "$url" 2>/dev/null; do
		sleep 0.005
		kill -0 "$last" || { cat "$work/$(basename "$1").log" >&2; exit 1; }
		((SECONDS < deadline)) || { echo "no answer from $url after $secs s" >&2; exit 1; }
	done
	t1=$(date +%s%N)
	took=$((($t1 - $t0) / 1000000))
}

# build: the seedfeed command and the bench's own tools, in $work/bin.
build() {
	mkdir -p "$work/bin"
	go build -o "$work/bin/seedfeed" .
	go build -o "$work/bin/gen" ./bench/gen
	go build -o "$work/bin/minimal" ./bench/minimal
	go build -o "$work/bin/latency" ./bench/latency
	go build -o "$work/bin/methods" ./bench/methods
}

# ms START_NS END_NS: the milliseconds between two `date +%s%N`.
ms() { echo $((($2 - $1) / 1000000)); }

# rss_peak PID: the process's peak resident memory, in MiB (VmHWM).
rss_peak() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start_nginx PORT HTTP_BODY: starts nginx on its own configuration, with
# its files in $work/nginx, listening on 127.0.0.1:PORT; HTTP_BODY is the
# rest of its http block (the server block included).
start_nginx() {
	mkdir -p "$work/nginx"
	cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
$2
}
CONF
	start nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;'
}
