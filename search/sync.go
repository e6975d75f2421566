package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/seedfeed/seedfeed/storage"
)

// The index follows the store's main list, which holds every article,
// page by page: for each archive page it keeps a record of when the page
// last changed and the articles it held, each with a stamp of what the
// index took from it. A write reports the pages it touched (see
// storage.Changes); the index reads those pages again and indexes what
// entered or changed, and deletes what left. When the store cannot say
// what changed (All), and at start-up unless the index was closed clean
// at the store's last change, it compares every page's date with its
// record, reading again only the pages that differ.

// catchUpGap is how many articles the index may lack, against the
// store, before it says it is catching up: a publication keeps it one
// behind for a moment, a first import by thousands.
const catchUpGap = 100

// behind reports whether the index lacks more than gap of the store's
// articles.
func (x *Index) behind(gap int) bool {
	return x.src.Count()-int(x.Count()) > gap
}

// retry is how long Run waits before trying again after a failed round,
// when no change comes first.
const retry = 30 * time.Second

// batchOps is how many documents a batch gathers before it is applied:
// large enough that a rebuild makes few segments, small enough to bound
// the memory of the articles read for it.
const batchOps = 500

// pause waits d, at most a second, while the index catches up: as long
// as the batch before took, so that indexing, which analyzes on every
// core, leaves half the machine to publishing and serving. It reports
// false when ctx ended first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(min(d, time.Second))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pageRecord is what the index holds of one archive page.
type pageRecord struct {
	Changed time.Time         `json:"changed"`
	Docs    map[string]string `json:"docs"` // key → stamp
}

func pageKey(n int) []byte { return []byte("page/" + strconv.Itoa(n)) }

// stamp is what of an article the index depends on beside its text,
// which changes its Updated date: where it is, when it was published,
// its language (which its folder may change).
func stamp(it storage.Item) string {
	return it.Updated.UTC().Format(time.RFC3339Nano) + " " + it.Published.UTC().Format(time.RFC3339Nano) + " " + it.Lang + " " + it.Path
}

// Run keeps the index in line with the source until ctx is done: first
// as a whole, unless it was closed clean at the source's last change,
// then after every change. It is catching up (see CatchingUp) from a
// comparison as a whole, or from when it lacks more than catchUpGap of
// the store's articles (a first import), until a round leaves no change
// pending and it has as many articles as the store. A failed round is
// logged and tried again at the next change, or after a while.
func (x *Index) Run(ctx context.Context) error {
	last, err := x.src.LastChange()
	x.mu.Lock()
	full := err != nil || !x.mark.Clean || !x.mark.LastChange.Equal(last)
	x.mu.Unlock()
	if err := x.writeMarker(false); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	x.catchingUp.Store(full)
	var since time.Time // when the index began catching up; zero when in step
	retryTimer := time.NewTimer(retry)
	retryTimer.Stop()
	defer retryTimer.Stop()
	for {
		ch := x.src.Changed()
		x.mu.Lock()
		c := x.src.ChangesSince(x.version)
		x.mu.Unlock()
		if (full || c.All || x.behind(catchUpGap)) && since.IsZero() {
			since = time.Now()
			x.catchingUp.Store(true)
			x.log.Info("search index catching up with the database; searches answer meanwhile", "dir", x.path, "indexed", x.Count())
		}
		err := x.apply(ctx, c, full || c.All)
		if ctx.Err() != nil {
			return nil // a stop while catching up: the next start goes on
		}
		wait := (<-chan time.Time)(nil)
		switch {
		case err != nil:
			x.log.Error("cannot update the search index", "err", err)
			retryTimer.Reset(retry)
			wait = retryTimer.C
			full = true
		case !since.IsZero() && x.src.Version() == c.Version && !x.behind(0):
			x.catchingUp.Store(false)
			x.log.Info("search index in step with the database", "indexed", x.Count(), "seconds", time.Since(since).Seconds())
			since = time.Time{}
			fallthrough
		default:
			full = false
		}
		if err == nil && x.applied != nil {
			x.applied()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ch:
			retryTimer.Stop()
		case <-wait:
		}
	}
}

// apply brings the index in line with the changes c: the pages they name
// or, when all, every page.
func (x *Index) apply(ctx context.Context, c storage.Changes, all bool) error {
	pages := c.Lists[storage.List{}]
	if all {
		info, err := x.src.Info(storage.List{})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		x.mu.Lock()
		n := max(info.Pages, x.mark.Pages)
		x.mu.Unlock()
		pages = make([]int, n)
		for i := range pages {
			pages[i] = i + 1
		}
	}
	if err := x.syncPages(ctx, pages, !all); err != nil {
		return err
	}
	x.mu.Lock()
	x.version, x.synced = c.Version, true
	x.mu.Unlock()
	return nil
}

// pageState is one page as the store has it (its heads) and as the
// index recorded it.
type pageState struct {
	n    int
	head storage.Page
	rec  pageRecord
}

// syncPages brings the index in line with the store's pages: those whose
// date differs from their record, or all of them when force. It first
// reads every page's heads, so that an article that moved between two
// of them (removed, then restored) is not deleted.
func (x *Index) syncPages(ctx context.Context, pages []int, force bool) error {
	present := map[string]bool{}
	var states []pageState
	for _, n := range pages {
		head, err := x.src.ArchiveHeads(storage.List{}, n)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("read page %d: %w", n, err)
		}
		for _, it := range head.Items {
			present[it.Key] = true
		}
		rec, err := x.record(n)
		if err != nil {
			return err
		}
		if force || rec.Docs == nil || !rec.Changed.Equal(head.Changed) || len(rec.Docs) != len(head.Items) {
			states = append(states, pageState{n: n, head: head, rec: rec})
		}
	}
	b := x.idx.NewBatch()
	for _, s := range states {
		if err := x.syncPage(b, s, present); err != nil {
			return err
		}
		if b.Size() >= batchOps {
			start := time.Now()
			if err := x.idx.Batch(b); err != nil {
				return err
			}
			b.Reset()
			if x.CatchingUp() && !pause(ctx, time.Since(start)) {
				return ctx.Err()
			}
		}
	}
	if b.Size() > 0 {
		return x.idx.Batch(b)
	}
	return nil
}

// syncPage adds to b what brings page s in line: its articles that are
// new or changed, the deletion of those that left it (and no other page
// of present holds), and its new record.
func (x *Index) syncPage(b *bleve.Batch, s pageState, present map[string]bool) error {
	rec := pageRecord{Changed: s.head.Changed, Docs: map[string]string{}}
	var items []storage.Item
	if len(s.head.Items) > 0 {
		p, err := x.src.ArchivePage(storage.List{}, s.n)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("read page %d: %w", s.n, err)
		}
		items, rec.Changed = p.Items, p.Changed
	}
	for key := range s.rec.Docs {
		if !present[key] {
			b.Delete(key)
		}
	}
	for _, it := range items {
		st := stamp(it)
		rec.Docs[it.Key] = st
		if s.rec.Docs[it.Key] == st {
			continue
		}
		d, lang, err := x.document(it)
		if err != nil {
			return fmt.Errorf("index %s: %w", it.Path, err)
		}
		if err := b.IndexAdvanced(d); err != nil {
			return fmt.Errorf("index %s: %w", it.Path, err)
		}
		x.mu.Lock()
		x.langs[lang] = true
		x.mu.Unlock()
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	b.SetInternal(pageKey(s.n), v)
	x.mu.Lock()
	x.mark.Pages = max(x.mark.Pages, s.n)
	x.mu.Unlock()
	return nil
}

// record returns the index's record of page n; a page it never saw has
// one with no Docs.
func (x *Index) record(n int) (pageRecord, error) {
	var rec pageRecord
	v, err := x.idx.GetInternal(pageKey(n))
	if err != nil || v == nil {
		return rec, err
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("page %d's record: %w", n, err)
	}
	return rec, nil
}
