package watcher

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// DefaultProgress is the period of the progress reports of the start-up
// scan when Options.Progress is zero.
const DefaultProgress = 2 * time.Second

// Progress is how far a scan has got: the article files its walk has
// found so far, and how many of them are done (stored, refused, or found
// unchanged), Elapsed since it began.
type Progress struct {
	Done, Found int
	Elapsed     time.Duration
}

// Rate is the files done per second, whole.
func (p Progress) Rate() int {
	if p.Elapsed <= 0 {
		return 0
	}
	return int(math.Round(float64(p.Done) / p.Elapsed.Seconds()))
}

// Progress returns how far the current scan, or the last one, has got.
// It is safe to call from any goroutine.
func (w *Watcher) Progress() Progress {
	return Progress{Done: int(w.filesDone.Load()), Found: int(w.filesFound.Load()),
		Elapsed: time.Duration(w.scanElapsed.Load())}
}

// tally counts what one scan did, for its progress reports and the line
// that sums it up.
type tally struct {
	first   bool // the start-up scan: per-article lines at debug, progress reported
	start   time.Time
	next    time.Time              // when the next progress report is due
	changes map[storage.Change]int // store writes, by what they did
	refused map[string]int         // refusals, by Reason
	drafts  int                    // drafts read (not published, or unpublished)
}

// begin starts counting a scan; first is the start-up scan.
func (w *Watcher) begin(first bool) {
	now := w.opts.Now()
	w.tally = &tally{first: first, start: now, next: now.Add(w.opts.Progress),
		changes: make(map[storage.Change]int), refused: make(map[string]int)}
	w.filesDone.Store(0)
	w.filesFound.Store(0)
	w.scanElapsed.Store(0)
}

// found counts an article file the walk found; done says it needs no
// reading (unchanged, refused as it is, or left to its events).
func (w *Watcher) found(done bool) {
	w.filesFound.Add(1)
	if done {
		w.filesDone.Add(1)
	}
	w.step()
}

// handled counts a file of a scan done; outside a scan it only answers.
func (w *Watcher) handled() {
	if w.tally != nil {
		w.filesDone.Add(1)
	}
	w.step()
}

// step is called between files: it answers Alive, which proves the
// watcher's goroutine moves, and during the start-up scan reports the
// progress once each Options.Progress.
func (w *Watcher) step() {
	select {
	case <-w.ping:
	default:
	}
	t := w.tally
	if t == nil {
		return
	}
	now := w.opts.Now()
	w.scanElapsed.Store(int64(now.Sub(t.start)))
	if !t.first || now.Before(t.next) {
		return
	}
	t.next = now.Add(w.opts.Progress)
	p := w.Progress()
	w.log.Info("importing the seeds folder", "files_done", p.Done, "files_found", p.Found, "per_second", p.Rate())
	if w.opts.OnProgress != nil {
		w.opts.OnProgress(p)
	}
}

// Alive reports, with nil, that the goroutine that runs the watcher
// answered before ctx ended: it answers between events, and between the
// files of a scan, so a watcher stuck (on a store write that never ends,
// on a log that blocks) does not. It is safe to call from any goroutine.
func (w *Watcher) Alive(ctx context.Context) error {
	select {
	case w.ping <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// count notes a store write's change in the scan's tally, if one runs.
func (w *Watcher) count(c storage.Change) {
	if w.tally != nil && c != storage.Unchanged {
		w.tally.changes[c]++
	}
}

// countRefused notes a refusal in the scan's tally, if one runs.
func (w *Watcher) countRefused(reason string) {
	if w.tally != nil {
		w.tally.refused[reason]++
	}
}

// articleLevel is the level of the line for each article stored, moved
// or removed: debug during the start-up scan, which sums them up instead.
func (w *Watcher) articleLevel() slog.Level {
	if w.tally != nil && w.tally.first {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// end sums the scan up in one line: at info after the start-up scan, and
// after a rescan that found something; at debug after one that did not.
// why is the rescan's reason.
func (w *Watcher) end(why string) {
	t := w.tally
	w.tally = nil
	elapsed := w.opts.Now().Sub(t.start)
	w.scanElapsed.Store(int64(elapsed))
	refused, attrs := 0, []any{}
	for _, r := range Reasons() {
		if n := t.refused[r]; n > 0 {
			refused += n
			attrs = append(attrs, "refused_"+r, n)
		}
	}
	c := t.changes
	attrs = append([]any{"published", c[storage.Added], "restored", c[storage.Restored], "updated", c[storage.Updated],
		"moved", c[storage.Moved], "removed", c[storage.Removed], "refused", refused}, attrs...)
	if t.drafts > 0 {
		attrs = append(attrs, "drafts", t.drafts)
	}
	attrs = append(attrs, "files", w.filesFound.Load(), "seconds", math.Round(elapsed.Seconds()*100)/100)
	if t.first {
		w.log.Info("start-up scan done", attrs...)
		return
	}
	level := slog.LevelDebug
	for _, n := range c {
		if n > 0 {
			level = slog.LevelInfo
		}
	}
	if refused > 0 || t.drafts > 0 {
		level = slog.LevelInfo
	}
	w.log.Log(context.Background(), level, "rescan done", append([]any{"reason", why, "dir", w.root}, attrs...)...)
}
