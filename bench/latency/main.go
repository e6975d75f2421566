// Command latency drops article files into a seeds folder, one at a time,
// each written and closed in one go, and measures how long each takes to
// appear in a feed: from the close to the first response that holds its
// title. It polls with If-None-Match, so that an unchanged feed costs a
// 304, every millisecond.
//
// Usage:
//
//	go run ./bench/latency -seeds DIR -url http://127.0.0.1:8080/feed.atom -n 50 [-format md] [-bundles]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/seedfeed/seedfeed/bench/feedpoll"
)

func main() {
	seeds := flag.String("seeds", "", "the seeds folder the daemon watches")
	url := flag.String("url", "", "the feed to poll")
	n := flag.Int("n", 50, "number of drops")
	gap := flag.Duration("gap", 200*time.Millisecond, "pause between drops")
	limit := flag.Duration("timeout", 10*time.Second, "longest wait for one drop")
	format := flag.String("format", "txt", "format of the dropped files: txt or md (Markdown with front matter)")
	bundles := flag.Bool("bundles", false, "drop each file as a page bundle: a new folder holding index.txt or index.md")
	flag.Parse()
	dir := filepath.Join(*seeds, "latency")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	poller := feedpoll.New(*url)
	var took []time.Duration
	slowest := 0
	stamp := time.Now().UnixNano()
	for i := range *n {
		title := fmt.Sprintf("قياس التأخير %d-%d", stamp, i)
		body := title + "\nفقرة أولى كُتبت وأُغلقت دفعة واحدة.\nفقرة ثانية.\n"
		if *format == "md" {
			body = fmt.Sprintf("---\ntitle: %q\nauthor: قسم القياس\ntags: [قياس]\nsummary: فقرة أولى.\nlang: ar\n---\n\n"+
				"فقرة **أولى** كُتبت وأُغلقت دفعة واحدة.\n\nفقرة ثانية.\n", title)
		}
		name := filepath.Join(dir, fmt.Sprintf("%03d.%s", i, *format))
		if *bundles {
			// The folder is new: the daemon has to watch it, or find
			// the file in it, before the file counts.
			name = filepath.Join(dir, fmt.Sprintf("%03d", i), "index."+*format)
			if err := os.Mkdir(filepath.Dir(name), 0o755); err != nil {
				log.Fatal(err)
			}
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
		closed := time.Now()
		t, ok, err := poller.Wait(closed, *limit, func(feed []byte) bool { return bytes.Contains(feed, []byte(title)) })
		if err != nil {
			log.Fatal(err)
		}
		if !ok {
			log.Fatalf("drop %d did not appear within %v", i, *limit)
		}
		took = append(took, t[0])
		if took[i] > took[slowest] {
			slowest = i
		}
		time.Sleep(*gap)
	}
	worst := took[slowest]
	slices.Sort(took)
	q := func(p float64) time.Duration { return feedpoll.Quantile(took, p) }
	fmt.Printf("drops=%d p50=%.1fms p99=%.1fms max=%.1fms (drop %d, then %.1fms)\n", len(took),
		ms(q(0.50)), ms(q(0.99)), ms(worst), slowest, ms(took[max(0, len(took)-2)]))
}

func ms(d time.Duration) float64 { return feedpoll.Ms(d) }
