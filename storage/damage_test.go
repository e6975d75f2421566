package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// damageDB stores 300 articles of some kilobytes each, as the watcher
// would in batches, closes the database and returns its path and the
// size its pages need (the file is larger: bbolt grows it in steps).
func damageDB(t *testing.T) (string, int64) {
	t.Helper()
	s, path := openTest(t)
	var items []Item
	for i := range 300 {
		it := testItem(fmt.Sprintf("d%d/%03d.txt", i%7, i), fmt.Sprint("t", i), fmt.Sprint("h", i), t0.Add(time.Duration(i)*time.Minute))
		it.Paragraphs = []string{strings.Repeat(fmt.Sprint("فقرة ", i, " "), 400)}
		items = append(items, it)
	}
	for j := 0; j < len(items); j += 64 {
		mustPut(t, s, items[j:min(j+64, len(items))]...)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := readMeta(f, fi.Size())
	if !ok {
		t.Fatal("no valid meta page in a fresh database")
	}
	return path, int64(m.pgid) * int64(m.pageSize)
}

// noPanic runs f and reports a panic that reached the caller as a failure
// of the test rather than of the test binary.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
		}
	}()
	f()
}

func TestOpenRefusesTruncatedFiles(t *testing.T) {
	src, need := damageDB(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if need <= 300000 {
		t.Fatalf("the database's pages take %d bytes: too small to cut at 300000", need)
	}
	for _, size := range []int64{100, 4096, 8192, 12000, 65536, 300000, need - 4096, need - 1} {
		for _, ro := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d,read-only=%v", size, ro), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "cut.db")
				if err := os.WriteFile(path, data[:size], 0o600); err != nil {
					t.Fatal(err)
				}
				noPanic(t, "Open", func() {
					s, err := Open(path, Options{ReadOnly: ro})
					if err == nil {
						s.Close()
						t.Fatal("Open succeeded")
					}
					if !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), "truncated") {
						t.Errorf("Open = %v, want ErrForeign saying truncated", err)
					}
				})
				noPanic(t, "Backup", func() {
					if _, err := Backup(path, io.Discard, 0); !errors.Is(err, ErrForeign) {
						t.Errorf("Backup = %v, want ErrForeign", err)
					}
				})
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(after, data[:size]) {
					t.Error("Open changed the file")
				}
			})
		}
	}
	// The whole file, and one cut past what its pages need, open.
	for _, size := range []int64{int64(len(data)), need} {
		path := filepath.Join(t.TempDir(), "whole.db")
		if err := os.WriteFile(path, data[:size], 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("Open of %d bytes = %v", size, err)
		}
		if n := s.Count(); n != 300 {
			t.Errorf("%d bytes: Count = %d, want 300", size, n)
		}
		s.Close()
	}
}

// TestDamagedPages overwrites a few pages in the middle of a copy with
// garbage, whole or under an intact page header, and uses the copy: every
// call returns an error or succeeds. Some patterns trip bbolt's page
// assertions or fault, which must come back as ErrCorrupt.
func TestDamagedPages(t *testing.T) {
	src, need := damageDB(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	pages := int(need / page)
	damaged := 0
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if errors.Is(err, ErrCorrupt) {
			damaged++
			if !strings.Contains(err.Error(), "database is damaged") {
				t.Errorf("%s = %v: does not say so", what, err)
			}
		}
	}
	for _, keepHeader := range []bool{false, true} {
		for seed := range uint64(16) {
			t.Run(fmt.Sprintf("seed=%d,header=%v", seed, keepHeader), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 1))
				b := bytes.Clone(data)
				for range 3 {
					p := pages/4 + r.IntN(pages/2)
					from := p * page
					if keepHeader {
						from += 16
					}
					for i := from; i < (p+1)*page; i++ {
						b[i] = byte(r.Uint32())
					}
				}
				path := filepath.Join(t.TempDir(), "damaged.db")
				if err := os.WriteFile(path, b, 0o600); err != nil {
					t.Fatal(err)
				}
				for _, ro := range []bool{true, false} {
					var s *Store
					noPanic(t, "Open", func() {
						s, err = Open(path, Options{ReadOnly: ro})
						check(t, "Open", err)
					})
					if s == nil {
						continue
					}
					noPanic(t, "Entries", func() { _, err := s.Entries(); check(t, "Entries", err) })
					noPanic(t, "Newest", func() { _, err := s.Newest(50); check(t, "Newest", err) })
					noPanic(t, "Fingerprints", func() { _, err := s.Fingerprints(); check(t, "Fingerprints", err) })
					noPanic(t, "Article", func() { _, err := s.Article("d3/150"); check(t, "Article", err) })
					noPanic(t, "WriteTo", func() { _, err := s.WriteTo(io.Discard); check(t, "WriteTo", err) })
					if !ro {
						noPanic(t, "Put", func() { _, err := s.Put(testItem("new.txt", "n", "n", t0)); check(t, "Put", err) })
						noPanic(t, "Remove", func() { _, err := s.Remove("d1/001.txt"); check(t, "Remove", err) })
					}
					s.Close()
				}
			})
		}
	}
	if damaged == 0 {
		t.Error("no pattern of damage came back as ErrCorrupt: the guard was not exercised")
	}
	t.Logf("%d calls failed with ErrCorrupt", damaged)
}

// TestTruncatedWhileOpen cuts the file short under an open read-only
// store, which Open's check cannot see: reading the missing pages faults,
// which must come back as ErrCorrupt, and the store goes on answering.
func TestTruncatedWhileOpen(t *testing.T) {
	src, _ := damageDB(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Truncate(path, 8192); err != nil {
		t.Fatal(err)
	}
	noPanic(t, "Entries", func() {
		if _, err := s.Entries(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "list the articles") {
			t.Errorf("Entries of a file cut short = %v, want ErrCorrupt naming the listing", err)
		}
	})
	noPanic(t, "Fingerprints", func() {
		if _, err := s.Fingerprints(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Fingerprints of a file cut short = %v, want ErrCorrupt", err)
		}
	})
}

// TestEmptiedWhileOpen empties the file under an open store: bbolt faults
// reading the meta pages as it begins a transaction, while it holds locks
// that it then never releases. The store must answer every later call,
// Close included, with an error instead of waiting for them.
func TestEmptiedWhileOpen(t *testing.T) {
	for _, ro := range []bool{true, false} {
		t.Run(fmt.Sprintf("read-only=%v", ro), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "emptied.db")
			s, err := Open(path, Options{ReadOnly: false})
			if err != nil {
				t.Fatal(err)
			}
			mustPut(t, s, testItem("a.txt", "a", "1", t0))
			if ro {
				s.Close()
				if s, err = Open(path, Options{ReadOnly: true}); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				noPanic(t, "calls", func() {
					for i := range 2 {
						if _, err := s.Entries(); !errors.Is(err, ErrCorrupt) {
							t.Errorf("Entries #%d of an emptied file = %v, want ErrCorrupt", i+1, err)
						}
					}
					if !ro {
						if _, err := s.Put(testItem("b.txt", "b", "2", t0)); !errors.Is(err, ErrCorrupt) {
							t.Errorf("Put to an emptied file = %v, want ErrCorrupt", err)
						}
					}
					if err := s.Close(); !errors.Is(err, ErrCorrupt) {
						t.Errorf("Close of a wedged store = %v, want ErrCorrupt", err)
					}
				})
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the store waits forever for locks that bbolt kept after a fault")
			}
		})
	}
}

func TestGuard(t *testing.T) {
	for _, before := range []bool{false, true} {
		debug.SetPanicOnFault(before)
		var during bool
		err := guard("read x", func() error {
			during = debug.SetPanicOnFault(true)
			panic("a page that is not what its parent says") // as bbolt panics on damage
		})
		after := debug.SetPanicOnFault(false)
		if !errors.Is(err, ErrCorrupt) || !strings.HasPrefix(err.Error(), "read x: database is damaged: ") {
			t.Errorf("guard of a panic = %v", err)
		}
		if !during || after != before {
			t.Errorf("panic on fault: %v before, %v during, %v after", before, during, after)
		}
	}
	want := errors.New("plain")
	if err := guard("x", func() error { return want }); err != want {
		t.Errorf("guard passed %v on as %v", want, err)
	}
}
