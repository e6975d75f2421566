#!/usr/bin/env bash
# Sections and categories at scale (issue 14): two corpora of N articles
# (default 100000, FORMAT default md), one as the other scripts make it
# (1,000 to a folder, one of six categories each) and one in SECTIONS
# folders (default 500, some two deep, half Arabic) with 1 to 3 of
# CATEGORIES categories each (default 2000, a Zipf spread; Markdown only).
# For each: the import into an empty database (time to ready: /healthz
# 200), then ROUNDS rounds (default 3), the two corpora alternating, of a
# restart (time to ready), wrk on /feed.atom and / as restart.sh does,
# DROPS drops (default 50) timed into /feed.atom as latency.sh does, and
# into the drops' section and category feeds where those answer, and the
# daemon's VmHWM and VmRSS (and RssAnon and RssFile: the heap, and the
# pages of the mapped database), and its own mean store and render times. The drops go to an existing folder and
# category: 099 and سياسة in the plain corpus, a nested section and the
# largest category in the other. Last, medians of the rounds and the
# ratios lists / plain. In each round, after the drops and the memory
# read, a crawler's first visit: /sitemap.xml (the first request renders
# every sitemap), then every sitemap its index names, then
# /sitemap-news.xml; the times, and the memory before and after.
source "$(dirname "$0")/lib.sh"
n=${N:-100000} sections=${SECTIONS:-500} categories=${CATEGORIES:-2000}
format=${FORMAT:-md} rounds=${ROUNDS:-3} drops=${DROPS:-50}
build
lists_flags=(-sections "$sections")
[ "$format" = txt ] || lists_flags+=(-categories "$categories")
"$work/bin/gen" -n "$n" -out "$work/plain" -format "$format" >/dev/null
"$work/bin/gen" -n "$n" -out "$work/lists" -format "$format" "${lists_flags[@]}" >/dev/null
# Where the drops go: the last folder of the plain corpus and one of its
# six categories; gen's first nested section and its category 0 (see
# bench/gen/lists.go), the largest.
declare -A dir=([plain]=$(printf '%03d' $(((n - 1) / 1000))) [lists]="أخبار ٠/اقتصاد ٤")
declare -A cat=([plain]="سياسة" [lists]="الانتخابات ٠")
port=$(free_port)

# serve CORPUS: starts the daemon on it and sets took to the ms until
# /healthz answers 200 (ready: the start-up scan done).
serve() {
	start_timed "http://127.0.0.1:$port/healthz" 1800 \
		"$work/bin/seedfeed" -seeds "$work/$1" -db "$work/$1.db" -addr "127.0.0.1:$port" -log-level warn
}

# rss PID: peak and current resident memory, and the current one's
# anonymous and file-backed (the mapped database) parts, in MiB: "VmHWM
# VmRSS RssAnon RssFile".
rss() { awk '/VmHWM|VmRSS|RssAnon|RssFile/ { printf "%.1f ", $2 / 1024 }' "/proc/$1/status"; }

# means: seedfeed's own mean times, in ms, from its metrics: file event
# to stored change, and rendering every feed and the index.
means() {
	curl -fsS "http://127.0.0.1:$port/metrics" | awk '
		$1 ~ /_sum$/ { s[$1] = $2 } $1 ~ /_count$/ { c[$1] = $2 }
		function avg(m) { return c[m "_count"] ? 1000 * s[m "_sum"] / c[m "_count"] : 0 }
		END { printf "stored %.1f ms, rendered %.1f ms", avg("seedfeed_publish_latency_seconds"), avg("seedfeed_render_duration_seconds") }'
}

stop() { kill "$last"; wait "$last" || true; }

# crawl PID: fetches /sitemap.xml, every /sitemaps/*.xml its index
# names (gzip asked, as crawlers do) and /sitemap-news.xml, and prints
# their times and PID's memory before and after, on one line.
crawl() {
	local base="http://127.0.0.1:$port" before t0 t1 t2 parts sum news sm_ms crawl_ms
	before=$(rss "$1")
	t0=$(date +%s%N)
	timeout 300 curl -fsS -o "$work/sitemap.xml" "$base/sitemap.xml"
	t1=$(date +%s%N)
	# The locs carry the public base URL: keep their paths.
	grep -o '<loc>[^<]*/sitemaps/[^<]*</loc>' "$work/sitemap.xml" | sed 's|.*/sitemaps/\([^<]*\)</loc>|url = "'"$base"'/sitemaps/\1"\noutput = /dev/null|' >"$work/parts.curl" || true
	parts=$(grep -c '^url' "$work/parts.curl" || true)
	sum=$( ((parts == 0)) || timeout 300 curl -fsS -K "$work/parts.curl" -H 'Accept-Encoding: gzip' -w '%{time_total}\n' |
		awk '{ s += $1 } END { printf "%.0f", 1000 * s }')
	news=$(timeout 60 curl -fsS -o /dev/null -w '%{time_total}' "$base/sitemap-news.xml")
	t2=$(date +%s%N)
	sm_ms=$(ms "$t0" "$t1") crawl_ms=$(ms "$t0" "$t2")
	echo "sitemaps: first /sitemap.xml ${sm_ms} ms; $parts sitemaps ${sum:-0} ms; /sitemap-news.xml $(awk '{ printf "%.0f", 1000 * $1 }' <<<"$news") ms; crawl ${crawl_ms} ms; VmHWM VmRSS RssAnon RssFile MiB before: $before after: $(rss "$1")"
}

declare -A sm crawl_t crawl_hwm crawl_rss crawl_file imp imp_rss restart p50 p99 sec_p50 sec_p99 cat_p50 cat_p99 hwm vmrss anon file
for c in plain lists; do
	serve "$c"
	got=$(curl -fsS "http://127.0.0.1:$port/healthz" | sed 's/.*"articles":\([0-9]*\).*/\1/')
	[ "$got" = "$n" ] || { echo "$c: ready with $got articles, not $n" >&2; exit 1; }
	imp[$c]=$took imp_rss[$c]=$(rss "$last")
	echo "$c: import of $n articles: ${imp[$c]} ms to ready; VmHWM VmRSS RssAnon RssFile MiB: ${imp_rss[$c]}; database $(du -m "$work/$c.db" | cut -f1) MiB"
	stop
done

for round in $(seq "$rounds"); do
	for c in plain lists; do
		serve "$c"
		pid=$last
		restart[$c]+="$took "
		timeout 60 wrk -t2 -c64 -d5s "http://127.0.0.1:$port/feed.atom" >/dev/null
		timeout 60 wrk -t2 -c64 -d5s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/" >/dev/null
		cat_flags=()
		[ "$format" = txt ] || cat_flags=(-categories "${cat[$c]}")
		out=$(timeout 600 "$work/bin/latency" -seeds "$work/$c" -url "http://127.0.0.1:$port/feed.atom" \
			-n "$drops" -format "$format" -dir "${dir[$c]}" "${cat_flags[@]}" -lists)
		m=$(rss "$pid")
		echo "$c round $round: restart ${took} ms; VmHWM VmRSS RssAnon RssFile MiB: $m; means: $(means); $(tr '\n' ' ' <<<"$out")"
		field() { sed -n "s/.* $1=\([0-9.]*\)ms.*/\1/p" <<<"$out"; }
		p50[$c]+="$(field p50) " p99[$c]+="$(field p99) "
		sec_p50[$c]+="$(field section_p50) " cat_p50[$c]+="$(field category_p50) "
		sec_p99[$c]+="$(field section_p99) " cat_p99[$c]+="$(field category_p99) "
		read -r h r a f <<<"$m"
		hwm[$c]+="$h " vmrss[$c]+="$r " anon[$c]+="$a " file[$c]+="$f "
		cr=$(crawl "$pid")
		echo "$c round $round: $cr"
		sm[$c]+="$(sed -n 's/.*first \/sitemap.xml \([0-9]*\) ms.*/\1/p' <<<"$cr") "
		crawl_t[$c]+="$(sed -n 's/.*; crawl \([0-9]*\) ms.*/\1/p' <<<"$cr") "
		read -r h r a f <<<"${cr##*after: }"
		crawl_hwm[$c]+="$h " crawl_rss[$c]+="$r " crawl_file[$c]+="$f "
		stop
	done
done

median() { tr ' ' '\n' <<<"$1" | awk NF | sort -g | awk '{ v[NR] = $0 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else python3 -c "print(f'{$1 / $2:.2f}')"; fi; }
line="lists: n=$n format=$format sections=$sections"
[ "$format" = txt ] || line+=" categories=$categories"
line+=" rounds=$rounds drops=$drops;"
for kv in imp:import_ms imp_hwm:import_VmHWM_MiB restart:restart_ms p50:feed_p50_ms p99:feed_p99_ms \
	sec_p50:section_p50_ms sec_p99:section_p99_ms cat_p50:category_p50_ms cat_p99:category_p99_ms hwm:VmHWM_MiB vmrss:VmRSS_MiB anon:RssAnon_MiB file:RssFile_MiB \
	sm:first_sitemap_ms crawl_t:sitemap_crawl_ms crawl_hwm:crawl_VmHWM_MiB crawl_rss:crawl_VmRSS_MiB crawl_file:crawl_RssFile_MiB; do
	k=${kv%%:*}
	case $k in
	imp) a=${imp[lists]} b=${imp[plain]} ;;
	imp_hwm) a=${imp_rss[lists]%% *} b=${imp_rss[plain]%% *} ;;
	*)
		declare -n v=$k
		a=$(median "${v[lists]}") b=$(median "${v[plain]}")
		;;
	esac
	line+=" ${kv#*:}=$a (plain $b, ×$(ratio "$a" "$b"))"
done
echo "$line"
