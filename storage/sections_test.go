package storage

import (
	"maps"
	"slices"
	"testing"
)

// changedBy reports whether fn signals Changed, moves LastChange and
// makes ChangesSince report All, all three or none; it fails otherwise.
func changedBy(t *testing.T, s *Store, fn func() error) bool {
	t.Helper()
	ch, v := s.Changed(), s.Version()
	before, err := s.LastChange()
	if err != nil {
		t.Fatalf("LastChange = %v", err)
	}
	if err := fn(); err != nil {
		t.Fatalf("write = %v", err)
	}
	after, err := s.LastChange()
	if err != nil {
		t.Fatalf("LastChange = %v", err)
	}
	signalled := false
	select {
	case <-ch:
		signalled = true
	default:
	}
	all := s.ChangesSince(v).All
	if moved := after.After(before); signalled != moved || signalled != all {
		t.Fatalf("signalled %v, LastChange moved %v, ChangesSince All %v: want all alike", signalled, moved, all)
	}
	// SectionsChanged is the moment of the last change: LastChange.
	if sc, err := s.SectionsChanged(); err != nil || signalled && !sc.Equal(after) || !signalled && sc.After(before) {
		t.Fatalf("SectionsChanged = %v, %v; LastChange %v before, %v after", sc, err, before, after)
	}
	return signalled
}

func TestSections(t *testing.T) {
	s, path := openTest(t)
	if got, err := s.Sections(); err != nil || len(got) != 0 {
		t.Fatalf("Sections() of a new store = %v, %v; want none", got, err)
	}
	root := SectionMeta{Path: "", Title: "الصفحة الأولى", Lang: "ar"}
	sport := SectionMeta{Path: "أخبار/رياضة", Title: "الرياضة: \u200fكرة القدم", Description: "أخبار الملاعب\nونتائج المباريات", Lang: "ar-EG"}
	for _, sec := range []SectionMeta{root, sport} {
		if !changedBy(t, s, func() error { return s.PutSection(sec) }) {
			t.Errorf("PutSection(%q) changed nothing", sec.Path)
		}
	}
	if changedBy(t, s, func() error { return s.PutSection(sport) }) {
		t.Errorf("PutSection of the same meta changed something")
	}
	want := map[string]SectionMeta{"": root, sport.Path: sport}
	if got, err := s.Sections(); err != nil || !maps.Equal(got, want) {
		t.Errorf("Sections() = %#v, %v; want %#v", got, err, want)
	}
	sport.Lang = "en"
	if !changedBy(t, s, func() error { return s.PutSection(sport) }) {
		t.Errorf("PutSection with a new lang changed nothing")
	}
	if !changedBy(t, s, func() error { return s.RemoveSection("") }) {
		t.Errorf("RemoveSection(\"\") changed nothing")
	}
	if changedBy(t, s, func() error { return s.RemoveSection("none") }) {
		t.Errorf("RemoveSection of no section changed something")
	}
	for _, bad := range []string{"/a", "a/", "a//b", ".", "..", "../a", "a/../b"} {
		if err := s.PutSection(SectionMeta{Path: bad}); err == nil {
			t.Errorf("PutSection(%q) = nil, want an error", bad)
		}
	}

	// Reopened, the store has the sections as written.
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	want = map[string]SectionMeta{sport.Path: sport}
	if got, err := s2.Sections(); err != nil || !maps.Equal(got, want) {
		t.Errorf("Sections() after reopening = %#v, %v; want %#v", got, err, want)
	}
}

func TestSetLangs(t *testing.T) {
	s, _ := openTest(t)
	a, b := testItem("d/a.md", "أ", "h1", t0), testItem("d/b.md", "ب", "h2", t0)
	b.Lang = "fr"
	mustPut(t, s, a, b)
	v := s.Version()
	before, err := s.Article("d/a")
	if err != nil {
		t.Fatal(err)
	}
	changed, err := s.SetLangs(map[string]string{"d/a.md": "en", "d/b.md": "fr", "gone.md": "en"})
	if err != nil || !slices.Equal(changed, []string{"d/a.md"}) {
		t.Fatalf("SetLangs = %q, %v; want [d/a.md]", changed, err)
	}
	after, err := s.Article("d/a")
	if err != nil || after.Lang != "en" || !after.Updated.Equal(before.Updated) || !after.Published.Equal(before.Published) {
		t.Errorf("after SetLangs: %+v, %v; want lang en, dates kept", after, err)
	}
	c := s.ChangesSince(v)
	if c.All || len(c.Lists[List{}]) != 1 || len(c.Lists[List{Section, "d"}]) != 1 {
		t.Errorf("ChangesSince after SetLangs = %+v, want the main and d lists' page", c)
	}
	if changed, err := s.SetLangs(map[string]string{"d/a.md": "en"}); err != nil || len(changed) != 0 || s.Version() != v+1 {
		t.Errorf("SetLangs again = %q, %v, version %d; want nothing changed", changed, err, s.Version())
	}
}
