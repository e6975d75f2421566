package storage

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestSubscriptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seedfeed.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh database has neither bucket: reads see none.
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 0 {
		t.Fatalf("AllSubscriptions on a fresh database = %v, %v; want none", all, err)
	}
	if _, err := s.Subscription("https://x/feed.atom", "https://cb/"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Subscription on a fresh database = %v; want ErrNotFound", err)
	}
	before, err := s.LastChange()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const atom, rss = "https://example.org/feed.atom", "https://example.org/feed.rss"
	subs := []Subscription{
		{Topic: atom, Callback: "https://a.example/cb?x=1", Secret: "سر", Expires: now.Add(time.Hour), Created: now},
		{Topic: atom, Callback: "https://b.example/cb", Expires: now.Add(2 * time.Hour), Created: now},
		// A topic that is a prefix of another's keeps its own.
		{Topic: "https://example.org/feed", Callback: "https://a.example/cb", Expires: now, Created: now},
		{Topic: rss, Callback: "https://a.example/cb", Expires: now, Created: now},
	}
	for _, sub := range subs {
		if err := s.PutSubscription(sub); err != nil {
			t.Fatalf("PutSubscription(%v) = %v", sub, err)
		}
	}
	// A renewal replaces.
	renewed := subs[1]
	renewed.Expires = now.Add(48 * time.Hour)
	renewed.Secret = "new"
	if err := s.PutSubscription(renewed); err != nil {
		t.Fatal(err)
	}
	if after, err := s.LastChange(); err != nil || !after.Equal(before) {
		t.Fatalf("LastChange moved from %v to %v (%v): subscriptions are not what the feeds show", before, after, err)
	}
	if err := s.PutDelivery(Delivery{Topic: atom, Callback: subs[0].Callback, Attempts: 2, Next: now},
		Delivery{Topic: rss, Callback: subs[3].Callback, Next: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDelivery(Delivery{Topic: atom, Callback: "a\x00b"}); err == nil {
		t.Fatal("PutDelivery with a NUL in the callback = nil; want an error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// All of it survives a reopen.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Subscriptions(atom)
	want := []Subscription{subs[0], renewed}
	if err != nil || !slices.EqualFunc(got, want, sameSubscription) {
		t.Fatalf("Subscriptions(%q) = %v, %v; want %v", atom, got, err, want)
	}
	if one, err := s.Subscription(atom, subs[0].Callback); err != nil || !sameSubscription(one, subs[0]) {
		t.Fatalf("Subscription = %v, %v; want %v", one, err, subs[0])
	}
	if all, err := s.AllSubscriptions(); err != nil || len(all) != 4 {
		t.Fatalf("AllSubscriptions = %v, %v; want 4", all, err)
	}
	pending, err := s.PendingDeliveries()
	if err != nil || len(pending) != 2 || pending[0].Attempts != 2 || !pending[0].Next.Equal(now) || pending[1].Topic != rss {
		t.Fatalf("PendingDeliveries = %v, %v", pending, err)
	}

	// Done removes the delivery only; removing a subscription removes
	// its delivery too.
	if err := s.UpdateDeliveries(DeliveryChange{Delivery: Delivery{Topic: atom, Callback: subs[0].Callback}, Done: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSubscription(rss, subs[3].Callback); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSubscription(rss, "https://never.example/"); err != nil {
		t.Fatalf("RemoveSubscription of none = %v; want nil", err)
	}
	if pending, err := s.PendingDeliveries(); err != nil || len(pending) != 0 {
		t.Fatalf("PendingDeliveries after done and remove = %v, %v; want none", pending, err)
	}
	if got, err := s.Subscriptions(rss); err != nil || len(got) != 0 {
		t.Fatalf("Subscriptions(%q) after remove = %v, %v; want none", rss, got, err)
	}
	if got, err := s.Subscriptions(atom); err != nil || len(got) != 2 {
		t.Fatalf("Subscriptions(%q) after done = %v, %v; want 2", atom, got, err)
	}

	// Backup keeps them: they are in the file.
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"callback":"https://b.example/cb"`)) {
		t.Fatal("the backup copy lacks the subscription")
	}
}

func sameSubscription(a, b Subscription) bool {
	return a.Topic == b.Topic && a.Callback == b.Callback && a.Secret == b.Secret &&
		a.Expires.Equal(b.Expires) && a.Created.Equal(b.Created)
}

func TestSubscriptionsReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seedfeed.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A read-only store of a database without the buckets reads none.
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if all, err := ro.AllSubscriptions(); err != nil || len(all) != 0 {
		t.Fatalf("AllSubscriptions read-only = %v, %v; want none", all, err)
	}
	if p, err := ro.PendingDeliveries(); err != nil || len(p) != 0 {
		t.Fatalf("PendingDeliveries read-only = %v, %v; want none", p, err)
	}
}

func TestTopicDigests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seedfeed.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.TopicDigests(); err != nil || len(got) != 0 {
		t.Fatalf("TopicDigests on a fresh database = %v, %v; want none", got, err)
	}
	const atom, sec = "https://example.org/feed.atom", "https://example.org/sections/%D8%A3/feed.json"
	if err := s.PutTopicDigests(map[string]string{atom: "a1", sec: "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTopicDigests(map[string]string{atom: "a2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTopicDigests(map[string]string{"": "x"}); err == nil {
		t.Fatal("PutTopicDigests with an empty topic = nil; want an error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// They survive a restart, read-only too.
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.TopicDigests()
	if err != nil || len(got) != 2 || got[atom] != "a2" || got[sec] != "s1" {
		t.Fatalf("TopicDigests after a restart = %v, %v; want %s a2, %s s1", got, err, atom, sec)
	}
}

func TestUpdateDeliveries(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "seedfeed.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Second)
	const atom = "https://example.org/feed.atom"
	a := Delivery{Topic: atom, Callback: "https://a.example/cb", Next: now}
	b := Delivery{Topic: atom, Callback: "https://b.example/cb", Attempts: 1, Next: now}
	// In order: a put then done is gone, b done then put stays.
	err = s.UpdateDeliveries(DeliveryChange{Delivery: a}, DeliveryChange{Delivery: b, Done: true},
		DeliveryChange{Delivery: a, Done: true}, DeliveryChange{Delivery: b})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingDeliveries()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Callback != b.Callback || got[0].Attempts != 1 || !got[0].Next.Equal(now) {
		t.Fatalf("pending %+v; want only %+v", got, b)
	}
	if err := s.UpdateDeliveries(DeliveryChange{Delivery: Delivery{Topic: atom, Callback: "a\x00b"}}); err == nil {
		t.Fatal("UpdateDeliveries with a NUL in the callback = nil; want an error")
	}
}
