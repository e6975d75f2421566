package watcher

import (
	"container/heap"
	"time"
)

// debouncer holds, per path, the moment a file is due: each event sets a
// new moment, usually later, so that a file is handled once its events
// stop. It takes times as arguments, so tests need no clock.
type debouncer struct {
	due   map[string]time.Time
	queue deadlines // may hold stale entries; due is the truth
}

func newDebouncer() *debouncer {
	return &debouncer{due: make(map[string]time.Time)}
}

// touch makes path due at t, replacing the moment it had.
func (d *debouncer) touch(path string, t time.Time) {
	d.due[path] = t
	heap.Push(&d.queue, deadline{t, path})
	// Stale entries leave the queue only once they reach its head: for
	// deadlines far off (a date in the future) they could pile up.
	if len(d.queue) > 2*len(d.due)+64 {
		d.compact()
	}
}

// compact rebuilds the queue from due, without stale entries.
func (d *debouncer) compact() {
	d.queue = d.queue[:0]
	for path, t := range d.due {
		d.queue = append(d.queue, deadline{t, path})
	}
	heap.Init(&d.queue)
}

// has reports whether path is waiting.
func (d *debouncer) has(path string) bool {
	_, ok := d.due[path]
	return ok
}

// cancel forgets path.
func (d *debouncer) cancel(path string) { delete(d.due, path) }

// next returns the earliest moment a path settles; ok is false when none waits.
func (d *debouncer) next() (t time.Time, ok bool) {
	d.dropStale()
	if len(d.queue) == 0 {
		return time.Time{}, false
	}
	return d.queue[0].at, true
}

// settled removes and returns the paths that have settled by now, in the
// order they settled.
func (d *debouncer) settled(now time.Time) []string {
	var paths []string
	for d.dropStale(); len(d.queue) > 0 && !d.queue[0].at.After(now); d.dropStale() {
		dl := heap.Pop(&d.queue).(deadline)
		delete(d.due, dl.path)
		paths = append(paths, dl.path)
	}
	return paths
}

// dropStale pops queue heads that a later touch or a cancel superseded.
func (d *debouncer) dropStale() {
	for len(d.queue) > 0 {
		head := d.queue[0]
		if t, ok := d.due[head.path]; ok && t.Equal(head.at) {
			return
		}
		heap.Pop(&d.queue)
	}
}

type deadline struct {
	at   time.Time
	path string
}

// deadlines is a min-heap of deadlines by time.
type deadlines []deadline

func (q deadlines) Len() int           { return len(q) }
func (q deadlines) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q deadlines) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *deadlines) Push(x any)        { *q = append(*q, x.(deadline)) }
func (q *deadlines) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
