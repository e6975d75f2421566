package watcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// The watcher hears of changes through one notifier, and each folder
// takes one watch of it: inotify's own instance where it exists (see
// completions), which tells when a file is complete; else fsnotify, where
// files are read once they settle; else, the kernel having refused an
// instance, none at all, and every folder is polled (see poll.go).

// errNoNotifier is what addWatch returns where there is no notifier.
var errNoNotifier = errors.New("no notifier: the kernel refused an inotify instance")

// openNotifier opens the notifier: inotify's own instance, else fsnotify
// (where opts.noCompletions, fsnotify alone). With neither, for a refusal
// of the kernel's (see refusedWatch), it leaves both nil: folders are
// polled. Any other failure is returned.
func (w *Watcher) openNotifier() error {
	var rawErr error
	if !w.opts.noCompletions {
		done, err := newCompletions()
		if err == nil && done != nil {
			w.done = done
			return nil
		}
		rawErr = err
	}
	fsw, err := fsnotify.NewBufferedWatcher(4096)
	switch {
	case err == nil:
		if rawErr != nil {
			w.log.Warn("no close-after-write notifications; files are read once they settle", "err", rawErr)
		}
		w.fs = fsw
		return nil
	case refusedWatch(err):
		w.degrade(err, true)
		return nil
	}
	return fmt.Errorf("watch %s: %w", w.root, err)
}

// refusedWatch reports whether err is the kernel refusing a watch or a
// notifier for want of room (ENOSPC: fs.inotify.max_user_watches; EMFILE:
// fs.inotify.max_user_instances, or descriptors where each watch takes
// one), which polling makes up for; other failures (a folder unreadable,
// gone) are not.
func refusedWatch(err error) bool {
	for _, e := range []error{syscall.ENOSPC, syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, errNoNotifier} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// addWatch watches the folder abs with the notifier.
func (w *Watcher) addWatch(abs string) error {
	switch {
	case w.done != nil:
		return w.done.Add(abs)
	case w.fs != nil:
		return w.fs.Add(abs)
	}
	return errNoNotifier
}

// removeWatch stops watching the folder abs, deleted or moved away: a
// folder moved within the tree keeps its watch under the old name until
// then. A deleted one's watch is gone already, which is no error.
func (w *Watcher) removeWatch(abs string) {
	switch {
	case w.done != nil:
		w.done.Remove(abs)
	case w.fs != nil:
		_ = w.fs.Remove(abs)
	}
}

// fsEvents and fsErrors are fsnotify's channels, nil (never ready) where
// fsnotify is not the notifier.
func (w *Watcher) fsEvents() <-chan fsnotify.Event {
	if w.fs == nil {
		return nil
	}
	return w.fs.Events
}

func (w *Watcher) fsErrors() <-chan error {
	if w.fs == nil {
		return nil
	}
	return w.fs.Errors
}

// doneEvents is the completions' channel, nil where there are none.
func (w *Watcher) doneEvents() <-chan completion {
	if w.done == nil {
		return nil
	}
	return w.done.Events()
}

// notifierFailed replaces inotify's own instance, which failed with err,
// by fsnotify (or by polling, if the kernel refuses that): every folder is
// watched anew, and the whole folder rescanned for what went unseen.
func (w *Watcher) notifierFailed(ctx context.Context, err error) {
	w.log.Error("close-after-write notifications stopped; files are read once they settle", "err", err)
	// Closed for good: its own failure is the one worth reporting.
	_ = w.done.Close()
	w.done = nil
	w.opts.noCompletions = true
	if err := w.openNotifier(); err != nil {
		w.log.Error("cannot watch the folders; polling them", "err", err)
		w.degrade(errNoNotifier, true)
	}
	dirs := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs) // a folder before those under it
	clear(w.dirs)
	for _, d := range dirs {
		if err := w.addDir(d); err != nil {
			w.log.Error("cannot watch folder", "path", d, "err", err)
		}
	}
	w.noteFolders()
	w.rescanLogged(ctx, RescanNotifier)
}
