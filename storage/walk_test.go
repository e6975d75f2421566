package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestArchiveWalkRandom runs a seeded mix of publications, edits,
// recategorizations, moves, folder renames, removals, restores and
// withdrawals, and checks after each that the pages that changed are
// exactly those ChangesSince reports, and that walking the archive
// pages of every list yields each of its articles exactly once.
func TestArchiveWalkRandom(t *testing.T) {
	s, _ := openPaged(t, 4)
	rng := rand.New(rand.NewPCG(14, 5005))
	folders := []string{"أخبار", "أخبار/رياضة", "رأي", "2024/05", ""}
	cats := []string{"Sport", "sport", "سياسة", "اقتصاد", "World"}
	var live, gone []string // paths stored; hashes removed
	hashes := map[string]string{}
	n := 0
	newPath := func() string {
		n++
		dir := folders[rng.IntN(len(folders))]
		name := fmt.Sprintf("م%d.md", n)
		if rng.IntN(4) == 0 {
			name = fmt.Sprintf("حزمة%d/index.md", n)
		}
		if dir == "" {
			return name
		}
		return dir + "/" + name
	}
	someCats := func() []string {
		var cs []string
		for range rng.IntN(3) {
			cs = append(cs, cats[rng.IntN(len(cats))])
		}
		return slices.Compact(cs)
	}
	at := func() time.Time { return t0.Add(time.Duration(rng.IntN(1000)) * time.Hour) }
	v := s.Version()
	before := snapshot(t, s)
	for step := range 300 {
		op := rng.IntN(10)
		switch {
		case op < 4 || len(live) == 0: // publish
			p := newPath()
			hashes[p] = fmt.Sprint("h", step)
			mustPut(t, s, listItem(p, hashes[p], at(), someCats()...))
			live = append(live, p)
		case op == 4: // edit, perhaps its categories and date
			p := live[rng.IntN(len(live))]
			hashes[p] = fmt.Sprint("h", step)
			it := listItem(p, hashes[p], t0.Add(2000*time.Hour), someCats()...)
			if rng.IntN(2) == 0 {
				it.Date = at()
			}
			mustPut(t, s, it)
		case op == 5: // move to another folder
			i := rng.IntN(len(live))
			to := newPath()
			it := stored(t, s, slugOf(live[i]))
			it.Path = to
			if _, err := s.Move(live[i], it); err != nil {
				t.Fatalf("Move(%s, %s) = %v", live[i], to, err)
			}
			hashes[to] = hashes[live[i]]
			live[i] = to
		case op == 6 && len(gone) > 0: // restore removed content
			h := gone[len(gone)-1]
			gone = gone[:len(gone)-1]
			p := newPath()
			hashes[p] = h
			mustPut(t, s, listItem(p, h, at(), someCats()...))
			live = append(live, p)
		case op == 7: // withdraw
			i := rng.IntN(len(live))
			if _, err := s.Withdraw(live[i]); err != nil {
				t.Fatal(err)
			}
			live = slices.Delete(live, i, i+1)
		default: // remove
			i := rng.IntN(len(live))
			if _, err := s.Remove(live[i]); err != nil {
				t.Fatal(err)
			}
			gone = append(gone, hashes[live[i]])
			live = slices.Delete(live, i, i+1)
		}
		now := snapshot(t, s)
		v = checkChanged(t, s, v, before, now)
		before = now
		if step%20 == 0 || step == 299 {
			checkLists(t, s)
		}
		if t.Failed() {
			t.Fatalf("after step %d (op %d)", step, op)
		}
	}
	if s.Count() != len(live) {
		t.Errorf("Count = %d, want %d", s.Count(), len(live))
	}
}

func slugOf(p string) string { return Item{Path: p}.Slug() }
