// Command methods measures publish latency method by method: with a
// corpus already published, it publishes, edits, renames, moves and
// deletes articles in each of the ways a news desk does (issue 11's
// table: write and close, shell redirection, cp, cp -p, mv from outside,
// temporary file then rename under five kinds of temporary name, rsync,
// git pull, git checkout, a vim save, a rename, a move into a subfolder,
// rm), and for each takes the time from the end of the operation (the
// moment the command or the syscalls return) to the first response of
// the feed that shows the change, polled as bench/latency polls it.
//
// What it prepares for an operation (files outside the seeds folder, an
// article to edit, rename or delete, already published) is untimed, and
// followed by a pause (-gap) so that each operation starts on a quiet
// daemon. Files prepared outside go to a sibling folder of the seeds
// folder (-outside), on the same file system.
//
// Usage:
//
//	go run ./bench/methods -seeds DIR -url http://127.0.0.1:8080/feed.atom [-r 20] [-only write,rm]
package main

import (
	"cmp"
	"flag"
	"fmt"
	"log"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/bench/feedpoll"
)

// bench is one run's settings and state.
type bench struct {
	seeds   string // the seeds folder
	dir     string // the folder under it the methods publish to
	outside string // a sibling of seeds, where files are prepared
	site    string // the feed's URL less its path: articles are under it
	poller  *feedpoll.Poller
	stamp   string        // makes this run's names and titles unique
	limit   time.Duration // the longest wait for one change
	gap     time.Duration // the pause between preparing and the operation
	entries int           // entries per feed (seedfeed's -limit)
	desk    string        // the git work tree under seeds, once made
	origin  string        // the repository it pulls from
}

func main() {
	seeds := flag.String("seeds", "", "the seeds folder the daemon watches")
	url := flag.String("url", "", "the feed to poll (…/feed.atom)")
	outside := flag.String("outside", "", "folder to prepare files in, on the seeds' file system (default: a sibling of seeds)")
	reps := flag.Int("r", 20, "repetitions of each method")
	few := flag.Int("r-few", 5, "repetitions of rsync, git pull and git checkout")
	gap := flag.Duration("gap", 300*time.Millisecond, "pause before each operation")
	limit := flag.Duration("timeout", 10*time.Second, "longest wait for one change")
	entries := flag.Int("limit", 50, "entries per feed, as seedfeed's -limit")
	only := flag.String("only", "", "comma-separated keys of the methods to run (default all): "+keys())
	flag.Parse()
	if *seeds == "" || *url == "" {
		log.Fatal("methods: -seeds and -url are required")
	}
	b := &bench{
		seeds: *seeds, dir: filepath.Join(*seeds, "methods"),
		outside: cmp.Or(*outside, filepath.Clean(*seeds)+"-outside"),
		site:    strings.TrimSuffix(*url, "/feed.atom"),
		poller:  feedpoll.New(*url), stamp: fmt.Sprintf("%x", time.Now().Unix()),
		limit: *limit, gap: *gap, entries: *entries,
	}
	if err := b.setup(); err != nil {
		log.Fatal(err)
	}
	var rows []row
	for _, m := range methods {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), m.key) {
			continue
		}
		n := *reps
		if m.few {
			n = *few
		}
		r, err := b.measure(m, n)
		if err != nil {
			log.Fatalf("%s: %v", m.key, err)
		}
		rows = append(rows, r...)
	}
	report(rows)
}

// row is one line of the table: a method, or one of its columns.
type row struct {
	name   string
	took   []time.Duration
	missed int
}

// measure runs a method reps times, and returns a row for each of what
// it waits for. After three misses in a row it gives up on the method.
func (b *bench) measure(m method, reps int) ([]row, error) {
	rows := make([]row, max(1, len(m.cols)))
	for i := range rows {
		rows[i].name = m.name
		if m.cols != nil {
			rows[i].name += ": " + m.cols[i]
		}
	}
	streak := 0
	for k := range reps {
		t, err := m.trial(b, k)
		if err != nil {
			return nil, fmt.Errorf("preparing %d: %w", k, err)
		}
		time.Sleep(b.gap)
		if err := b.poller.Sync(); err != nil {
			return nil, err
		}
		if err := t.op(); err != nil {
			return nil, fmt.Errorf("operation %d: %w", k, err)
		}
		took, ok, err := b.poller.Wait(time.Now(), b.limit, t.conds...)
		if err != nil {
			return nil, err
		}
		for i, d := range took {
			if d < 0 {
				rows[i].missed++
			} else {
				rows[i].took = append(rows[i].took, d)
			}
		}
		if !ok {
			log.Printf("%s %d: not in the feed within %v", m.key, k, b.limit)
			if streak++; streak == 3 {
				log.Printf("%s: three misses in a row, next method", m.key)
				break
			}
			continue
		}
		streak = 0
		if t.check != nil {
			if err := t.check(); err != nil {
				return nil, fmt.Errorf("after %d: %w", k, err)
			}
		}
	}
	return rows, nil
}

// report prints the table, last.
func report(rows []row) {
	fmt.Printf("%-46s %4s %8s %8s %8s %7s\n", "method", "n", "p50 ms", "p99 ms", "max ms", "missed")
	few := false
	for _, r := range rows {
		if len(r.took) == 0 {
			fmt.Printf("%-46s %4d %8s %8s %8s %7d\n", r.name, 0, "-", "-", "-", r.missed)
			continue
		}
		slices.Sort(r.took)
		few = few || len(r.took) < 100
		fmt.Printf("%-46s %4d %8.1f %8.1f %8.1f %7d\n", r.name, len(r.took),
			feedpoll.Ms(feedpoll.Quantile(r.took, 0.50)), feedpoll.Ms(feedpoll.Quantile(r.took, 0.99)),
			feedpoll.Ms(r.took[len(r.took)-1]), r.missed)
	}
	if few {
		fmt.Println("(p99 of fewer than 100 samples is their largest: the max; missed: not in the feed within -timeout)")
	}
}
