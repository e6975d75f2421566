package watcher

import (
	"context"
	"errors"
	"time"

	"github.com/fsnotify/fsnotify"
)

// tickers are Run's clocks.
type tickers struct {
	due    *time.Timer  // the next file due (see next)
	rescan *time.Ticker // Options.Rescan, or nil
	root   *time.Ticker // looks for a vanished seeds folder
	poll   *time.Ticker // starts a pass over the polled folders
}

func newTickers(opts Options) *tickers {
	t := &tickers{due: time.NewTimer(0), root: time.NewTicker(rootPoll), poll: time.NewTicker(opts.Poll)}
	if opts.Rescan > 0 {
		t.rescan = time.NewTicker(opts.Rescan)
	}
	return t
}

func (t *tickers) stop() {
	t.due.Stop()
	t.root.Stop()
	t.poll.Stop()
	if t.rescan != nil {
		t.rescan.Stop()
	}
}

// Run handles file-system events until ctx is done.
func (w *Watcher) Run(ctx context.Context) error {
	w.running.Store(true)
	close(w.started)
	defer w.running.Store(false)
	defer w.Close()
	t := newTickers(w.opts)
	defer t.stop()
	for {
		if err := w.wait(ctx, t); err != nil || ctx.Err() != nil {
			return err
		}
		for len(w.held) > 0 {
			c := w.held[0]
			w.held = w.held[1:]
			w.complete(ctx, c)
		}
		w.pollSome()
		w.drain() // a burst of events is handled, and stored, in batches
		w.wake()
		due := w.due()
		w.process(ctx, w.articlesOf(w.sectionsOf(due)), liveMoves)
		for _, rel := range due {
			// After process: move and put read them.
			delete(w.vacated, rel)
			delete(w.origin, rel)
			delete(w.closed, rel)
		}
		w.fresh.prune(w.opts.Now(), w.opts.Settle)
		if at, ok := w.next(); ok {
			t.due.Reset(at.Sub(w.opts.Now()))
		}
	}
}

// wait handles what comes first: an event, a clock, a request. It fails
// only when the notifier ends.
func (w *Watcher) wait(ctx context.Context, t *tickers) error {
	var rescan <-chan time.Time
	if t.rescan != nil {
		rescan = t.rescan.C
	}
	select {
	case <-ctx.Done():
	case ev, ok := <-w.fsEvents():
		if !ok {
			return errors.New("watch: event channel closed")
		}
		w.event(ev)
	case err, ok := <-w.fsErrors():
		if !ok {
			return errors.New("watch: error channel closed")
		}
		if errors.Is(err, fsnotify.ErrEventOverflow) {
			w.rescanLogged(ctx, RescanOverflow)
		} else {
			w.log.Error("watch error", "dir", w.root, "err", err)
		}
	case c, ok := <-w.doneEvents():
		if !ok {
			c.err = errors.New("notifier stopped")
		}
		w.complete(ctx, c)
	case <-t.due.C:
	case <-rescan:
		w.rescanLogged(ctx, RescanPeriodic)
	case reply := <-w.rescanCh:
		reply <- w.rescan(ctx, RescanRequested)
	case <-w.ping: // Alive: the loop turns
	case <-t.root.C:
		if w.rootGone.Load() {
			w.findRoot(ctx)
		}
	case <-t.poll.C:
		w.startPass()
	case <-w.more(): // a pass under way goes on (see pollSome)
	}
	return nil
}

// next returns the earliest moment Run has work without an event: a file
// due, or a date that comes (see wake).
func (w *Watcher) next() (time.Time, bool) {
	t, ok := w.deb.next()
	if f, due := w.future.next(); due && (!ok || f.Before(t)) {
		return f, true
	}
	return t, ok
}
