package watcher

import (
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// Reasons for a full scan, as Observer.Rescan hears them.
const (
	RescanStartup    = "startup"     // the first scan, before Run
	RescanPeriodic   = "periodic"    // every Options.Rescan
	RescanOverflow   = "overflow"    // the kernel's event queue overflowed
	RescanRequested  = "requested"   // Rescan was called (SIGHUP)
	RescanFolderBack = "folder_back" // the seeds folder came back
	RescanNotifier   = "notifier"    // inotify's own instance failed; fsnotify replaced it
)

// RescanReasons lists every reason Observer.Rescan is given.
func RescanReasons() []string {
	return []string{RescanStartup, RescanPeriodic, RescanOverflow, RescanRequested, RescanFolderBack, RescanNotifier}
}

// Events lists every operation Observer.Event is given: fsnotify's, in
// lower case (inotify's own events are counted under the same names),
// then inotify's close-after-write and move into a folder.
func Events() []string {
	return []string{"create", "write", "remove", "rename", "chmod", eventCloseWrite, eventMovedTo}
}

const (
	eventCloseWrite = "close_write"
	eventMovedTo    = "moved_to"
)

// Observer learns what the watcher does, for metrics. The watcher calls
// it from the goroutine that runs it.
type Observer interface {
	// Event counts a file-system event, one of Events.
	Event(op string)
	// Rescan counts a full scan, for one of RescanReasons.
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
