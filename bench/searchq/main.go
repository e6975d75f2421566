// Command searchq measures seedfeed's search: it asks N queries, one at a
// time, of the search page (/search?q=) and of the search's Atom feed
// (/search.atom?q=), and prints the latency of each kind, from the
// request to the whole body read: p50, p99 and max.
//
// The queries are drawn, deterministically, from the words of the seed
// article every bench article is made of (so most match tens of thousands
// of articles, the costly case), written as readers write them (without
// hamza, with a clitic, ة as ه), from the articles' title numbers in
// Arabic-Indic digits (few matches), two words at once, and words that
// match nothing.
//
// With -db and -index instead of -url it opens the database (read-only)
// and the search index of a stopped daemon and times the searches
// themselves, in this process, as the page and the feed ask them: no
// HTTP, no rendering. Either way it prints the figures of each kind of
// query too.
//
// Usage:
//
//	go run ./bench/searchq -url http://127.0.0.1:8080 -n 500 [-articles 100000]
//	go run ./bench/searchq -db seedfeed.db -index seedfeed.db.search -n 500 [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/seedfeed/seedfeed/search"
	"github.com/seedfeed/seedfeed/storage"
)

func main() {
	var o struct {
		base, db, index, seed, cpuprofile string
		n, articles                       int
	}
	flag.StringVar(&o.base, "url", "", "the daemon's URL")
	flag.StringVar(&o.db, "db", "", "the database of a stopped daemon, for timing searches in this process")
	flag.StringVar(&o.index, "index", "", "with -db: its search index")
	flag.IntVar(&o.n, "n", 500, "queries of each kind")
	flag.IntVar(&o.articles, "articles", 100000, "the corpus's number of articles, for the title numbers")
	flag.StringVar(&o.seed, "seed", "seeds/000_a9589b6d9dbb613e.txt", "the article the corpus is made of")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "with -db: write a CPU profile of the searches to this file")
	flag.Parse()
	words, err := readWords(o.seed)
	if err != nil {
		log.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	queries := make([]query, o.n)
	for i := range queries {
		queries[i] = newQuery(r, words, o.articles)
	}
	ask := httpAsk(o.base)
	if o.db != "" {
		ask = localAsk(o.db, o.index, o.cpuprofile)
		defer ask("", "")
	}
	for _, kind := range []string{"/search", "/search.atom"} {
		took := map[string][]time.Duration{}
		for _, q := range queries {
			t0 := time.Now()
			ask(kind, q.text)
			d := time.Since(t0)
			took["all"] = append(took["all"], d)
			took[q.kind] = append(took[q.kind], d)
		}
		for _, k := range []string{"all", "word", "no hamza", "clitic", "two words", "number"} {
			fmt.Printf("%s %s\n", kind, stats(k, took[k]))
		}
	}
}

// stats returns the count, p50, p99 and max of took.
func stats(kind string, took []time.Duration) string {
	slices.Sort(took)
	if len(took) == 0 {
		return kind + ": none"
	}
	p := func(f float64) float64 { return float64(took[int(f*float64(len(took)-1))].Microseconds()) / 1000 }
	return fmt.Sprintf("%s: queries=%d p50=%.1fms p99=%.1fms max=%.1fms", kind, len(took), p(0.5), p(0.99), p(1))
}

// httpAsk returns a function that asks the daemon at base for kind (a
// path) and the query q, and reads the whole answer.
func httpAsk(base string) func(kind, q string) {
	client := &http.Client{Timeout: 30 * time.Second}
	return func(kind, q string) {
		resp, err := client.Get(base + kind + "?q=" + url.QueryEscape(q))
		if err != nil {
			log.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("%s?q=%s: %s", kind, q, resp.Status)
		}
	}
}

// localAsk returns a function that searches the index in this process,
// as the page (kind /search: the best 20, with snippets) or the feed
// (the newest 50) does; called with kind "", it closes everything.
func localAsk(db, dir, cpuprofile string) func(kind, q string) {
	store, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	x, err := search.Open(dir, store, search.Options{Lang: "ar"})
	if err != nil {
		log.Fatal(err)
	}
	var prof *os.File
	if cpuprofile != "" {
		if prof, err = os.Create(cpuprofile); err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(prof); err != nil {
			log.Fatal(err)
		}
	}
	return func(kind, q string) {
		req := search.Request{Query: q, Size: 20, Snippets: true}
		switch kind {
		case "":
			if prof != nil {
				pprof.StopCPUProfile()
				prof.Close()
			}
			x.Close()
			store.Close()
			return
		case "/search.atom":
			req = search.Request{Query: q, Order: search.Newest, Size: 50}
		}
		if _, err := x.Search(context.Background(), req); err != nil {
			log.Fatal(err)
		}
	}
}

// readWords returns the words of the article at path, three letters or
// more.
func readWords(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var words []string
	for _, w := range strings.FieldsFunc(string(data), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) >= 3 {
			words = append(words, w)
		}
	}
	return words, nil
}

// query is one query and its kind.
type query struct{ kind, text string }

// newQuery returns one query, of one of five kinds at random.
func newQuery(r *rand.Rand, words []string, articles int) query {
	w := words[r.IntN(len(words))]
	switch r.IntN(5) {
	case 0:
		return query{"word", w}
	case 1: // as typed without hamza, ة as ه
		return query{"no hamza", strings.NewReplacer("أ", "ا", "إ", "ا", "ة", "ه").Replace(w)}
	case 2: // with a clitic
		return query{"clitic", "و" + w}
	case 3: // a title number, in Arabic-Indic digits: few matches
		return query{"number", strings.Map(func(c rune) rune { return c - '0' + '٠' }, fmt.Sprint(r.IntN(articles)))}
	}
	return query{"two words", w + " " + words[r.IntN(len(words))]}
}
