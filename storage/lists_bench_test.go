package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/seedfeed/seedfeed/article"
)

// The archive of the lists' benchmarks: benchArticles articles in
// benchFolders folders (20 desks of 25 folders each: 520 sections, as
// every desk is one too) and benchCategories categories, two to an
// article: one of 20 broad ones (5,000 articles each) and one of the
// others (about 50 each). Built once per test binary.
const (
	benchArticles   = 100_000
	benchFolders    = 500
	benchCategories = 2_000
)

var bench struct {
	once sync.Once
	dir  string
	path string // the database, lists and all
	err  error
}

// benchDB returns the path of the benchmark archive's database, built on
// first use; copy it before writing to it.
func benchDB(b *testing.B) string {
	b.Helper()
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "seedfeed-lists-bench-")
		if bench.err != nil {
			return
		}
		bench.path = filepath.Join(bench.dir, "archive.db")
		bench.err = buildBenchDB(bench.path)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir) // a temporary folder: nothing to report if it stays
	}
	os.Exit(code)
}

var benchPara = strings.Repeat("نقلت وكالة رويترز للأنباء عن عدة مصادر إيرانية وعراقية قولها. ", 6)

// benchItem is article i of the benchmark archive.
func benchItem(i int) Item {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	folder := (i * 7919) % benchFolders // articles of a folder spread over the years
	return Item{
		Path: fmt.Sprintf("مكتب%02d/قسم%03d/%06d.md", folder/25, folder, i),
		Article: article.Article{Title: fmt.Sprintf("خبر رقم %d", i), Paragraphs: []string{benchPara, benchPara, benchPara, benchPara, benchPara, benchPara},
			Categories: []string{fmt.Sprintf("Broad %d", i%20), fmt.Sprintf("تصنيف %d", 20+(i*131)%(benchCategories-20))}},
		Published: at, Updated: at,
		File: File{Size: 2000, ModTime: at, Hash: fmt.Sprint(i)},
	}
}

func buildBenchDB(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	batch := make([]Item, 0, 512)
	for i := range benchArticles {
		batch = append(batch, benchItem(i))
		if len(batch) == cap(batch) || i == benchArticles-1 {
			if _, err := s.Put(batch...); err != nil {
				s.Close()
				return err
			}
			batch = batch[:0]
		}
	}
	if err := s.CompactFingerprints(); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}

// copyDB copies the database at from to a new file in dir.
func copyDB(b *testing.B, from, dir string) string {
	b.Helper()
	to := filepath.Join(dir, "copy.db")
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close() // read only
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return to
}

func openBench(b *testing.B, path string) *Store {
	b.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkListsPut stores one new article, in two sections and two
// categories, into the archive: one transaction and its fsync.
func BenchmarkListsPut(b *testing.B) {
	s := openBench(b, copyDB(b, benchDB(b), b.TempDir()))
	b.ReportAllocs()
	before := s.db.Stats().TxStats
	n := 0
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(benchItem(benchArticles + i)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	after := s.db.Stats().TxStats
	b.ReportMetric(float64(after.GetPageCount()-before.GetPageCount())/float64(n), "pages/op")
	b.ReportMetric(float64(after.GetWrite()-before.GetWrite())/float64(n), "writes/op")
}

// BenchmarkListsNewest reads the newest 50 of a section and of a
// category (a broad one: the others hold about 50).
func BenchmarkListsNewest(b *testing.B) {
	s := openBench(b, copyDB(b, benchDB(b), b.TempDir()))
	for _, l := range []List{{Section, "مكتب03/قسم087"}, {Category, Term("Broad 7")}, {}} {
		b.Run(l.Kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if items, err := s.NewestIn(l, 50); err != nil || len(items) != 50 {
					b.Fatalf("NewestIn(%v) = %d items, %v", l, len(items), err)
				}
			}
		})
	}
}

// BenchmarkListsArchivePage reads a full archive page of 100 articles
// from the middle of the main list and of a broad category.
func BenchmarkListsArchivePage(b *testing.B) {
	s := openBench(b, copyDB(b, benchDB(b), b.TempDir()))
	for _, l := range []List{{}, {Category, Term("Broad 7")}} {
		b.Run(l.Kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p, err := s.ArchivePage(l, 20); err != nil || len(p.Items) != 100 {
					b.Fatalf("ArchivePage(%v, 20) = %d items, %v", l, len(p.Items), err)
				}
			}
		})
	}
}

// BenchmarkListsAll lists every section and every category with its
// count and dates, as a sitemap would.
func BenchmarkListsAll(b *testing.B) {
	s := openBench(b, copyDB(b, benchDB(b), b.TempDir()))
	b.ReportAllocs()
	for b.Loop() {
		secs, err := s.Lists(Section)
		if err != nil || len(secs) != benchFolders+benchFolders/25 {
			b.Fatalf("Lists(Section) = %d, %v", len(secs), err)
		}
		cats, err := s.Lists(Category)
		if err != nil || len(cats) != benchCategories {
			b.Fatalf("Lists(Category) = %d, %v", len(cats), err)
		}
	}
}

// BenchmarkListsOpen opens the archive and closes it, as a restart does,
// and reports the file's size and the lists' share of it.
func BenchmarkListsOpen(b *testing.B) {
	path := copyDB(b, benchDB(b), b.TempDir())
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	reportSize(b, path)
}

// BenchmarkListsBackfill opens the archive as a seedfeed from before the
// lists left it: Open fills them, once.
func BenchmarkListsBackfill(b *testing.B) {
	from := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		path := copyDB(b, from, b.TempDir())
		forgetLists(b, path)
		b.StartTimer()
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// reportSize reports the size of the database at path, and how much of
// it the lists bucket takes.
func reportSize(b *testing.B, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var lists int
	err = db.View(func(tx *bolt.Tx) error {
		st := tx.Bucket(bucketLists).Stats()
		lists = st.BranchAlloc + st.LeafAlloc
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(lists)/(1<<20), "lists-MiB")
}
