#!/usr/bin/env bash
# Publish latency: with N articles published (default 10000), drop one new
# file at a time, written and closed in one go, and poll /feed.atom until
# it is there; DROPS drops (default 50). Then what the latency is made of,
# from seedfeed's own metrics: file event to stored change, and rendering.
# FORMAT=md: the published articles and the drops are Markdown with front
# matter (default txt). LAYOUT=bundles: every article, and every drop, is a
# page bundle, a new folder holding its index file.
source "$(dirname "$0")/lib.sh"
n=${N:-10000} drops=${DROPS:-50} format=${FORMAT:-txt} layout=${LAYOUT:-flat}
label=""
[ "$format" = txt ] || label=" format=$format"
bundle_flags=()
[ "$layout" = flat ] || { bundle_flags+=(-bundles); label+=" layout=$layout"; }
build
"$work/bin/gen" -n "$n" -out "$work/seeds" -format "$format" "${bundle_flags[@]}" >/dev/null
port=$(free_port)
start "$work/bin/seedfeed" -seeds "$work/seeds" -db "$work/s.db" -addr "127.0.0.1:$port" -log-level warn
wait_http "http://127.0.0.1:$port/healthz" 300
result=$(timeout 600 "$work/bin/latency" -seeds "$work/seeds" -url "http://127.0.0.1:$port/feed.atom" -n "$drops" -format "$format" "${bundle_flags[@]}")
metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
avg() { awk -v m="$1" '$1 == m"_sum" { s = $2 } $1 == m"_count" { c = $2 } END { printf "%.1f", c ? 1000 * s / c : 0 }' <<<"$metrics"; }
echo "event to stored change, mean: $(avg seedfeed_publish_latency_seconds) ms; rendering every feed and the index, mean: $(avg seedfeed_render_duration_seconds) ms"
echo "latency: n=$n$label $result"
