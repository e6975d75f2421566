// Command latency drops article files into a seeds folder, one at a time,
// each written and closed in one go, and measures how long each takes to
// appear in a feed: from the close to the first response that holds its
// title. It polls with If-None-Match, so that an unchanged feed costs a
// 304, every millisecond.
//
// With -lists it also waits for each drop in the feed of its section
// (-dir) and of its first category (-categories), at the URLs of
// feed.ListFeedURL, polling the three in turn; a list feed that does not
// answer 200 before the first drop is reported and left out.
//
// Usage:
//
//	go run ./bench/latency -seeds DIR -url http://127.0.0.1:8080/feed.atom -n 50 [-format md] [-bundles]
//	  [-dir latency] [-categories 'name,…'] [-lists]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/bench/feedpoll"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// target is one feed the drops are waited for in.
type target struct {
	name   string
	poller *feedpoll.Poller
	took   []time.Duration
}

func main() {
	seeds := flag.String("seeds", "", "the seeds folder the daemon watches")
	url := flag.String("url", "", "the feed to poll")
	n := flag.Int("n", 50, "number of drops")
	gap := flag.Duration("gap", 200*time.Millisecond, "pause between drops")
	limit := flag.Duration("timeout", 10*time.Second, "longest wait for one drop")
	format := flag.String("format", "txt", "format of the dropped files: txt or md (Markdown with front matter)")
	bundles := flag.Bool("bundles", false, "drop each file as a page bundle: a new folder holding index.txt or index.md")
	dir := flag.String("dir", "latency", "the folder under -seeds the drops go to (made if missing): their section")
	categories := flag.String("categories", "", "with -format md: the drops' categories, comma-separated")
	lists := flag.Bool("lists", false, "also wait for each drop in the feeds of its section and of its first category")
	flag.Parse()
	var cats []string
	if *categories != "" {
		cats = strings.Split(*categories, ",")
	}
	if err := os.MkdirAll(filepath.Join(*seeds, *dir), 0o755); err != nil {
		log.Fatal(err)
	}
	targets := []*target{{name: "main", poller: feedpoll.New(*url)}}
	if *lists {
		targets = append(targets, listTargets(strings.TrimSuffix(*url, "/feed.atom"), *dir, cats)...)
	}
	stamp := time.Now().UnixNano()
	for i := range *n {
		title := fmt.Sprintf("قياس التأخير %d-%d", stamp, i)
		name := filepath.Join(*seeds, *dir, fmt.Sprintf("%d-%03d.%s", stamp, i, *format))
		if *bundles {
			// The folder is new: the daemon has to watch it, or find
			// the file in it, before the file counts.
			name = filepath.Join(*seeds, *dir, fmt.Sprintf("%d-%03d", stamp, i), "index."+*format)
			if err := os.Mkdir(filepath.Dir(name), 0o755); err != nil {
				log.Fatal(err)
			}
		}
		if err := os.WriteFile(name, body(title, *format, cats), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := wait(targets, []byte(title), time.Now(), *limit); err != nil {
			log.Fatalf("drop %d: %v", i, err)
		}
		time.Sleep(*gap)
	}
	for k, t := range targets {
		fmt.Print(summary(t, k == 0))
	}
	fmt.Println()
}

// body returns a drop's content.
func body(title, format string, cats []string) []byte {
	if format != "md" {
		return []byte(title + "\nفقرة أولى كُتبت وأُغلقت دفعة واحدة.\nفقرة ثانية.\n")
	}
	fm := ""
	if len(cats) > 0 {
		fm = "categories: [" + strings.Join(cats, ", ") + "]\n"
	}
	return fmt.Appendf(nil, "---\ntitle: %q\nauthor: قسم القياس\n%stags: [قياس]\nsummary: فقرة أولى.\nlang: ar\n---\n\n"+
		"فقرة **أولى** كُتبت وأُغلقت دفعة واحدة.\n\nفقرة ثانية.\n", title, fm)
}

// listTargets returns the feeds of the section dir and of the first of
// cats that answer 200 now, and says which do not.
func listTargets(base, dir string, cats []string) []*target {
	lists := []storage.List{{Kind: storage.Section, Name: filepath.ToSlash(dir)}}
	if len(cats) > 0 {
		lists = append(lists, storage.List{Kind: storage.Category, Name: storage.Term(cats[0])})
	}
	var out []*target
	for _, l := range lists {
		u := feed.ListFeedURL(base, l, feed.Atom)
		resp, err := http.Get(u)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Printf("%s feed %s answers %s: not measured\n", l.Kind, u, resp.Status)
			continue
		}
		out = append(out, &target{name: l.Kind.String(), poller: feedpoll.New(u)})
	}
	return out
}

// wait polls the targets in turn, every feedpoll.Every, until each holds
// title or limit has passed since closed, and records each one's time.
func wait(targets []*target, title []byte, closed time.Time, limit time.Duration) error {
	left := slices.Clone(targets)
	for len(left) > 0 {
		if time.Since(closed) > limit {
			return fmt.Errorf("not in the %s feed within %v", left[0].name, limit)
		}
		var still []*target
		for _, t := range left {
			feed, err := t.poller.Fetch()
			if err != nil {
				return err
			}
			if feed != nil && bytes.Contains(feed, title) {
				t.took = append(t.took, time.Since(closed))
				continue
			}
			still = append(still, t)
		}
		if left = still; len(left) > 0 {
			time.Sleep(feedpoll.Every)
		}
	}
	return nil
}

// summary returns the target's quantiles: for the main feed, as the
// benchmark always printed them.
func summary(t *target, main bool) string {
	took := slices.Clone(t.took)
	slowest := 0
	for i, d := range t.took {
		if d > t.took[slowest] {
			slowest = i
		}
	}
	slices.Sort(took)
	q := func(p float64) float64 { return feedpoll.Ms(feedpoll.Quantile(took, p)) }
	if main {
		return fmt.Sprintf("drops=%d p50=%.1fms p99=%.1fms max=%.1fms (drop %d, then %.1fms)", len(took),
			q(0.50), q(0.99), feedpoll.Ms(t.took[slowest]), slowest, feedpoll.Ms(took[max(0, len(took)-2)]))
	}
	return fmt.Sprintf(" %s_p50=%.1fms %s_p99=%.1fms", t.name, q(0.50), t.name, q(0.99))
}
