#!/usr/bin/env bash
# WebSub push through the built-in hub: N articles published (default
# 10000), the daemon run with -hub-allow-private, and bench/websub acting
# as subscribers to /feed.atom on 127.0.0.2, 127.0.0.3, … (100 callbacks
# an address: the hub's limit per callback host). Four cases, one daemon:
#  one:   1 subscriber; DROPS drops (default 50), each written and closed
#         in one go; close → the callback received the feed holding it.
#  many:  SUBS subscribers (default 1000); DROPS_MANY drops (default 5);
#         close → the last of the SUBS deliveries.
#  load:  ROUNDS rounds (default 3), each with no subscriber and with SUBS
#         held by bench/websub, in an order that alternates: bench/latency
#         (DROPS drops into /feed.atom, with the daemon's means of storing
#         and rendering over them); then, once the hub has delivered all,
#         wrk on /feed.atom (DURATION s, default 10; 2 threads, 64
#         connections, uncompressed) while an article is dropped every
#         second; the daemon's CPU time over each. Medians, and their
#         ratios attached / none.
#  stuck: as one, plus a subscriber that never answers a delivery.
# Memory: the daemon's VmHWM, VmRSS and RssAnon once it serves (the import's
# peak), then its peak is reset (clear_refs 5) and read again at the end:
# the peak while serving, pushing and under load.
# bench/websub runs under nice -n 19: its subscribers stand for other
# machines, and on the bench's cores they should not take CPU from the
# daemon under test.
source "$(dirname "$0")/lib.sh"
n=${N:-10000} drops=${DROPS:-50} subs=${SUBS:-1000} drops_many=${DROPS_MANY:-5}
rounds=${ROUNDS:-3} duration=${DURATION:-10} # ROUNDS=0: no load case
build
go build -o "$work/bin/websub" ./bench/websub
"$work/bin/gen" -n "$n" -out "$work/seeds" >/dev/null
port=$(free_port)
start "$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port" -hub-allow-private -log-level warn
sf=$last
wait_http "http://127.0.0.1:$port/healthz" 300
mem() { awk '/VmHWM|VmRSS|RssAnon/ { printf "%s %.1f ", $1, $2 / 1024 }' "/proc/$1/status"; }
echo "memory at ready (the import's peak), MiB: $(mem "$sf")"
echo 5 >"/proc/$sf/clear_refs"
# The peak of RssAnon (the heap; VmHWM counts the database's mapped pages
# too), sampled every 0.2 s into anon_peak.
(p=0; while a=$(awk '/RssAnon/ { print $2 }' "/proc/$sf/status" 2>/dev/null) && [ -n "$a" ]; do
	((a > p)) && p=$a && echo "$p" >"$work/anon_peak"
	sleep 0.2
done) &
pids+=($!)
base="http://127.0.0.1:$port"
ws() { timeout 900 nice -n 19 "$work/bin/websub" -hub "$base/hub" -topic "$base/feed.atom" -seeds "$work/seeds" "$@"; }
field() { grep -o "$1=[0-9.]*" <<<"$2" | head -1 | cut -d= -f2; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
delivered() { curl -fsS "$base/metrics" | awk '$1 == "seedfeed_websub_deliveries_total{result=\"delivered\"}" { print $2 }'; }
# mean NAME: the mean of a histogram over the drops (between $m0 and $m1), in ms.
mean() {
	awk -v m="$1" 'FNR == 1 { f++ } $1 == m"_sum" { s[f] = $2 } $1 == m"_count" { c[f] = $2 }
		END { printf "%.1f", (c[2] > c[1] ? 1000 * (s[2] - s[1]) / (c[2] - c[1]) : 0) }' <(echo "$m0") <(echo "$m1")
}
# drain: waits until the hub has delivered nothing for a second (60 s at most).
drain() {
	local deadline=$((SECONDS + 60)) a b
	b=$(delivered)
	while ((SECONDS < deadline)); do
		a=$b
		sleep 1
		b=$(delivered)
		[ "$a" != "$b" ] || return 0
	done
	echo "deliveries still going after 60 s" >&2
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
# cpu PID: the CPU time PID has used, user and system, in s.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
took() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

mkdir "$work/seeds/wrk"
one=$(ws -subs 1 -drops "$drops")
echo "one:   $one"
many=$(ws -subs "$subs" -drops "$drops_many" -timeout 30s)
echo "many:  $many"

# hold: bench/websub holding SUBS subscriptions in the background.
hold() {
	# nice execs websub: $last is its PID, and start names its log nice.log.
	# Removed first: the last phase's says subscribed already.
	rm -f "$work/nice.log"
	start nice -n 19 "$work/bin/websub" -hub "$base/hub" -topic "$base/feed.atom" -subs "$subs" -hold 10m
	holder=$last wslog=$work/nice.log
	local deadline=$((SECONDS + 180))
	until grep -qs '^subscribed' "$wslog"; do
		kill -0 "$holder" || { cat "$wslog" >&2; exit 1; }
		((SECONDS < deadline)) || { echo "no subscriptions after 180 s" >&2; exit 1; }
		sleep 0.1
	done
}
declare -A p50 p99 rps
for round in $(seq "$rounds"); do
	order=(none attached)
	((round % 2)) || order=(attached none)
	for phase in "${order[@]}"; do
		[ "$phase" = none ] || hold
		m0=$(curl -fsS "$base/metrics") c0=$(cpu "$sf")
		lat=$(timeout 600 "$work/bin/latency" -seeds "$work/seeds" -url "$base/feed.atom" -n "$drops")
		m1=$(curl -fsS "$base/metrics") c1=$(cpu "$sf")
		lat+="; means: stored $(mean seedfeed_publish_latency_seconds) ms, rendered $(mean seedfeed_render_duration_seconds) ms; daemon CPU $(took "$c0" "$c1") s"
		drain
		# wrk while an article is dropped every second: the same in both
		# phases, so that only the deliveries differ.
		(for i in $(seq "$duration"); do
			printf 'عنوان تحت الحمل %s\nفقرة.\n' "$round-$phase-$i" >"$work/seeds/wrk/$round-$phase-$i.txt"
			sleep 1
		done) &
		dropper=$!
		pids+=("$dropper")
		d0=$(delivered) c0=$(cpu "$sf")
		out=$(timeout $((duration + 30)) wrk -t2 -c64 -d"${duration}s" -H 'Accept-Encoding: identity' "$base/feed.atom")
		c1=$(cpu "$sf")
		wait "$dropper"
		p50[$phase]+="$(field p50 "$lat") " p99[$phase]+="$(field p99 "$lat") "
		rps[$phase]+="$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out") "
		echo "load round $round $phase: $lat; wrk $(awk '/^Requests\/sec/ { print $2 }' <<<"$out") requests/s, $(($(delivered) - d0)) deliveries meanwhile, daemon CPU $(took "$c0" "$c1") s"
		if [ "$phase" = attached ]; then
			echo "  bench/websub CPU: $(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$holder/stat") s"
			kill "$holder"
			wait "$holder" || true
			echo "  $(grep '^held' "$wslog")"
		fi
	done
done

stuck=$(ws -subs 1 -stuck -drops "$drops")
echo "stuck: $stuck"
metrics=$(curl -fsS "$base/metrics" | grep '^seedfeed_websub_deliveries_total' | tr '\n' ' ')
echo "hub: $metrics"
echo "memory while serving (peak since ready), MiB: $(mem "$sf")RssAnon peak (sampled): $(awk '{ printf "%.1f", $1 / 1024 }' "$work/anon_peak")"

load="publish and serve: no rounds"
if ((rounds > 0)); then
	a50=$(median "${p50[attached]}") n50=$(median "${p50[none]}") a99=$(median "${p99[attached]}") n99=$(median "${p99[none]}")
	arps=$(median "${rps[attached]}") nrps=$(median "${rps[none]}")
	load="publish p50 ${a50}ms/${n50}ms=$(ratio "$a50" "$n50") p99 ${a99}ms/${n99}ms=$(ratio "$a99" "$n99"); serve ${arps}/s/${nrps}/s=$(ratio "$arps" "$nrps")"
fi
echo "hub: n=$n drops=$drops subs=$subs rounds=$rounds;" \
	"one p50=$(field p50 "$one")ms p99=$(field p99 "$one")ms;" \
	"last_of_$subs median=$(grep -o "last_of_$subs: p50=[0-9.]*" <<<"$many" | cut -d= -f2)ms; $load;" \
	"stuck p50=$(field p50 "$stuck")ms p99=$(field p99 "$stuck")ms; serving VmHWM=$(rss_peak "$sf")MiB RssAnon peak=$(awk '{ printf "%.1f", $1 / 1024 }' "$work/anon_peak")MiB"
