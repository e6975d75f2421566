package storage

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestNoteSettings(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.NoteSettings(""); err == nil {
		t.Error("NoteSettings of an empty fingerprint succeeded")
	}
	// An empty database served nothing that new settings could change.
	ch := s.Changed()
	for range 2 {
		if changed, err := s.NoteSettings("s1"); changed || err != nil {
			t.Fatalf("NoteSettings(s1) on an empty database = %v, %v; want false", changed, err)
		}
	}
	if lc, err := s.LastChange(); !lc.IsZero() || err != nil {
		t.Errorf("LastChange after settings on an empty database = %v, %v", lc, err)
	}
	select {
	case <-ch:
		t.Error("Changed closed for settings on an empty database")
	default:
	}
	mustPut(t, s, testItem("a.txt", "a", "1", t0))
	lc1, _ := s.LastChange()

	ch = s.Changed()
	if changed, err := s.NoteSettings("s1"); changed || err != nil {
		t.Errorf("NoteSettings of the same settings = %v, %v; want false", changed, err)
	}
	if lc, _ := s.LastChange(); !lc.Equal(lc1) {
		t.Errorf("the same settings moved LastChange from %v to %v", lc1, lc)
	}
	select {
	case <-ch:
		t.Error("Changed closed for the same settings")
	default:
	}

	if changed, err := s.NoteSettings("s2"); !changed || err != nil {
		t.Errorf("NoteSettings of new settings = %v, %v; want true", changed, err)
	}
	if lc, _ := s.LastChange(); !lc.After(lc1) {
		t.Errorf("new settings left LastChange at %v, not after %v", lc, lc1)
	}
	select {
	case <-ch:
	default:
		t.Error("Changed not closed after new settings")
	}
	s.Close()
	checkSettingsKept(t, path)
}

// checkSettingsKept checks that the closed database at path, whose last
// settings were s2, keeps them across a restart and refuses new ones when
// read-only.
func checkSettingsKept(t *testing.T, path string) {
	t.Helper()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.NoteSettings("s3"); err == nil {
		t.Error("NoteSettings on a read-only store succeeded")
	}
	ro.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if changed, err := s.NoteSettings("s2"); changed || err != nil {
		t.Errorf("NoteSettings of the settings before a restart = %v, %v; want false", changed, err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySettings)); v != "s2" {
			t.Errorf("meta %q = %q, want s2", keySettings, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoteSettingsBefore: a database with articles and no settings
// recorded (written before NoteSettings existed) may have served other
// bytes.
func TestNoteSettingsBefore(t *testing.T) {
	s2, _ := openTest(t)
	mustPut(t, s2, testItem("a.txt", "a", "1", t0))
	if changed, err := s2.NoteSettings("s1"); !changed || err != nil {
		t.Errorf("first NoteSettings on a database with articles = %v, %v; want true", changed, err)
	}
}

func TestNoteRun(t *testing.T) {
	s, _ := openTest(t)
	if got, err := s.LastRun(); err != nil || !got.IsZero() {
		t.Fatalf("LastRun of a new database = %v, %v; want the zero time", got, err)
	}
	for _, tc := range []struct {
		note, want time.Time
	}{
		{t0, t0},
		{t0.Add(time.Hour), t0.Add(time.Hour)},
		{t0, t0.Add(time.Hour)}, // never backwards
	} {
		if err := s.NoteRun(tc.note); err != nil {
			t.Fatal(err)
		}
		if got, err := s.LastRun(); err != nil || !got.Equal(tc.want) {
			t.Errorf("after NoteRun(%v): LastRun = %v, %v; want %v", tc.note, got, err, tc.want)
		}
	}
}
