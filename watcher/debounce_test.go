package watcher

import (
	"slices"
	"testing"
	"time"
)

func TestDebounce(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	d := newDebouncer()
	const delay = 100

	if _, ok := d.next(); ok {
		t.Fatal("next() on an empty debouncer reported a deadline")
	}
	d.touch("a", at(0+delay))
	d.touch("b", at(10+delay))
	d.touch("a", at(50+delay)) // a's deadline moves to 150
	d.touch("c", at(60+delay))
	if !d.has("c") {
		t.Error("has(c) = false after touch")
	}
	d.cancel("c")

	if next, ok := d.next(); !ok || !next.Equal(at(110)) {
		t.Fatalf("next() = %v, %v; want b's deadline %v", next, ok, at(110))
	}
	for _, step := range []struct {
		now  int
		want []string
	}{
		{99, nil},            // nothing settled yet
		{110, []string{"b"}}, // b settles; a was touched again
		{149, nil},
		{150, []string{"a"}},
		{1000, nil}, // c was cancelled
	} {
		if got := d.settled(at(step.now)); !slices.Equal(got, step.want) {
			t.Errorf("settled(%dms) = %v, want %v", step.now, got, step.want)
		}
	}
	if n := len(d.due); n != 0 || d.has("a") {
		t.Errorf("%d paths pending after everything settled, want 0", n)
	}
	if _, ok := d.next(); ok {
		t.Error("next() reported a deadline after everything settled")
	}

	// A later event may make a path due sooner (a file closed after writes).
	d.touch("y", at(3000))
	d.touch("y", at(1500))
	if got := d.settled(at(1600)); !slices.Equal(got, []string{"y"}) {
		t.Errorf("settled after an earlier touch = %v, want [y]", got)
	}

	// Many touches of one path leave one deadline and one result.
	for i := range 1000 {
		d.touch("x", at(2000+i+delay))
	}
	if got := d.settled(at(5000)); !slices.Equal(got, []string{"x"}) {
		t.Errorf("settled after 1000 touches = %v, want [x]", got)
	}

	// Touched and cancelled over and over with a deadline far off (a file
	// refused for a date a year ahead, edited again and again), a path
	// holds a bounded queue, and its deadline still comes.
	far := at(365 * 24 * 3600 * 1000)
	for range 10000 {
		d.cancel("z")
		d.touch("z", far)
	}
	if n := len(d.queue); n > 100 {
		t.Errorf("the queue holds %d entries for one path, want a few", n)
	}
	if got := d.settled(far); !slices.Equal(got, []string{"z"}) {
		t.Errorf("settled(far) = %v, want [z]", got)
	}
}
