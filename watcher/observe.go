package watcher

import (
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// Observer learns what the watcher does, for metrics. The watcher calls
// it from the goroutine that runs it.
type Observer interface {
	// Event counts a file-system event: create, write, remove, rename,
	// chmod, close_write or moved_to.
	Event(op string)
	// Rescan counts a full scan: startup, periodic, overflow, requested
	// or folder_back.
	Rescan(reason string)
	// Refused counts a refused file by Reason.
	Refused(reason string)
	// Stored counts what a store write did to one article. latency runs
	// from the first event that brought the file to the commit; it is
	// zero for work no event brought (a scan).
	Stored(change storage.Change, latency time.Duration)
}

type nopObserver struct{}

func (nopObserver) Event(string)                         {}
func (nopObserver) Rescan(string)                        {}
func (nopObserver) Refused(string)                       {}
func (nopObserver) Stored(storage.Change, time.Duration) {}
