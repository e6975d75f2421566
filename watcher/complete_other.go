//go:build !linux

package watcher

// newCompletions reports that this system has no close-after-write
// notification: the watcher waits for files to settle instead.
func newCompletions() (completions, error) { return nil, nil }
