package storage

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// listTx is what a write transaction does to the lists, kept until it
// ends (see finish): list records are read once and written once, and
// articles entering lists get their sequence numbers together, in order
// of published date.
type listTx struct {
	lists   map[string]*listRec // by id, read for a change
	pending map[pendingEntry]time.Time
	touched map[string]map[uint64]bool // list id → archive pages
	// quiet: an article staying in a list changes nothing there (a
	// rebuild of the lists, see reconcile).
	quiet bool
	size  uint64 // the archive page size, once read
}

// pendingEntry is an article entering a list, waiting for its sequence
// number; its value in listTx.pending is its published date.
type pendingEntry struct{ id, key string }

func newListTx() *listTx {
	return &listTx{
		lists:   make(map[string]*listRec),
		pending: make(map[pendingEntry]time.Time),
		touched: make(map[string]map[uint64]bool),
	}
}

// dirty reports whether the transaction changed a list.
func (x *listTx) dirty() bool { return len(x.lists) > 0 }

// list returns the record of the list id, new if it has none, to change.
func (b buckets) list(id string) (*listRec, error) {
	if r, ok := b.lx.lists[id]; ok {
		return r, nil
	}
	r := new(listRec)
	if err := getJSON(b.lists, listKey(id, tagInfo, nil), r); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	b.lx.lists[id] = r
	return r, nil
}

func (b buckets) touch(id string, page uint64) {
	if b.lx.touched[id] == nil {
		b.lx.touched[id] = make(map[uint64]bool)
	}
	b.lx.touched[id][page] = true
}

// placing is what files an article in its lists: its path and categories
// say which, and its published date is its key in their indexes by date.
// An article's stored record is where the lists file it.
type placing struct {
	path       string
	categories []string
	published  time.Time
}

func placingOf(a *record) *placing {
	if a == nil {
		return nil
	}
	return &placing{a.Path, a.Categories, a.Published}
}

// putArticle stores a, the article under key, whose record filed it at
// old (nil for a new one), and files it in its lists.
func (b buckets) putArticle(key string, old *placing, a *record) error {
	if err := putJSON(b.articles, []byte(key), a); err != nil {
		return err
	}
	return b.relist(key, old, placingOf(a))
}

// relist moves the article key, filed at old (nil: in no list), to its
// lists at now (nil: gone). Every list it stays in changes at the page
// that holds it: its link, text or dates did (the caller calls relist
// when the record changed). One it enters gets a sequence number when
// the transaction ends; one it leaves keeps a hole where it was.
func (b buckets) relist(key string, old, now *placing) error {
	var was, want []List
	if old != nil {
		was = listsOf(old.path, old.categories)
	}
	spelling := map[string]string{}
	if now != nil {
		want = listsOf(now.path, now.categories)
		for _, c := range now.categories {
			if id := (List{Category, Term(c)}).id(); spelling[id] == "" {
				spelling[id] = strings.TrimFunc(c, trimmed)
			}
		}
	}
	for _, l := range was {
		var err error
		if slices.Contains(want, l) {
			err = b.stay(l.id(), key, old.published, now.published, spelling[l.id()])
		} else {
			err = b.leave(l.id(), key, old.published)
		}
		if err != nil {
			return err
		}
	}
	for _, l := range want {
		if !slices.Contains(was, l) {
			if err := b.enter(l.id(), key, now.published, spelling[l.id()]); err != nil {
				return err
			}
		}
	}
	return nil
}

// enter adds the article key, published then, to the list id; label is
// its spelling of the list's category, if it is one.
func (b buckets) enter(id, key string, published time.Time, label string) error {
	r, err := b.list(id)
	if err != nil {
		return err
	}
	r.Count++
	if label != "" {
		r.Label = label
	}
	b.lx.pending[pendingEntry{id, key}] = published
	return nil
}

// seqOf returns the sequence number of the article key, filed under
// published, in the list id, and whether it is there. Its record says it
// is; were the entry missing all the same, a write of the article would
// rather make it again than fail.
func (b buckets) seqOf(id, key string, published time.Time) (uint64, bool, error) {
	v := b.lists.Get(recentKey(id, published, key))
	if v == nil {
		return 0, false, nil
	}
	seq, err := decodeUint("sequence number", v)
	return seq, err == nil, err
}

// leave takes the article key, filed under published, out of the list id.
func (b buckets) leave(id, key string, published time.Time) error {
	r, err := b.list(id)
	if err != nil {
		return err
	}
	r.Count--
	if _, ok := b.lx.pending[pendingEntry{id, key}]; ok {
		delete(b.lx.pending, pendingEntry{id, key})
		return nil
	}
	seq, ok, err := b.seqOf(id, key, published)
	if !ok || err != nil {
		return err
	}
	if err := b.lists.Delete(numKey(id, tagArchive, seq)); err != nil {
		return err
	}
	b.touch(id, pageOf(seq, b.pageSize()))
	return b.lists.Delete(recentKey(id, published, key))
}

// stay keeps the article key in the list id, refiled from the published
// date old to now, and its page changed; label is as for enter.
func (b buckets) stay(id, key string, old, now time.Time, label string) error {
	if label != "" {
		r, err := b.list(id)
		if err != nil {
			return err
		}
		r.Label = label
	}
	if _, ok := b.lx.pending[pendingEntry{id, key}]; ok {
		b.lx.pending[pendingEntry{id, key}] = now
		return nil
	}
	if b.lx.quiet && old.Equal(now) {
		return nil
	}
	seq, ok, err := b.seqOf(id, key, old)
	if err != nil {
		return err
	}
	if !ok { // counted, as its record says: only its entries are made again
		b.lx.pending[pendingEntry{id, key}] = now
		return nil
	}
	if !old.Equal(now) {
		if err := b.lists.Delete(recentKey(id, old, key)); err != nil {
			return err
		}
		if err := b.lists.Put(recentKey(id, now, key), encodeUint(seq)); err != nil {
			return err
		}
	}
	if !b.lx.quiet {
		b.touch(id, pageOf(seq, b.pageSize()))
	}
	return nil
}

// finish ends the transaction's work on the lists at now: the articles
// that entered lists take their sequence numbers, in order of published
// date, then key; every list and archive page changed is stamped now;
// the records are written. It returns the pages changed, by list.
func (b buckets) finish(now time.Time) (map[List][]int, error) {
	size := b.pageSize()
	type dated struct {
		pendingEntry
		published time.Time
	}
	pend := make([]dated, 0, len(b.lx.pending))
	for p, t := range b.lx.pending {
		pend = append(pend, dated{p, t})
	}
	slices.SortFunc(pend, func(x, y dated) int {
		return cmp.Or(x.published.Compare(y.published), cmp.Compare(x.key, y.key), cmp.Compare(x.id, y.id))
	})
	var puts []keyValue
	for _, p := range pend {
		r, err := b.list(p.id)
		if err != nil {
			return nil, err
		}
		seq := r.Next
		r.Next++
		puts = append(puts, keyValue{numKey(p.id, tagArchive, seq), []byte(p.key)},
			keyValue{recentKey(p.id, p.published, p.key), encodeUint(seq)})
		b.touch(p.id, pageOf(seq, size))
		if seq > 0 && seq%size == 0 {
			b.touch(p.id, pageOf(seq, size)-1) // now full: it links to the next
		}
	}
	changes := make(map[List][]int, len(b.lx.touched))
	for id, pages := range b.lx.touched {
		r, err := b.list(id)
		if err != nil {
			return nil, err
		}
		r.Changed = now
		var ns []int
		for p := range pages {
			if p == pagesOf(r.Next, size) {
				r.NewestPage = now
			} else {
				puts = append(puts, keyValue{numKey(id, tagPage, p), encodeUint(uint64(now.UnixNano()))})
			}
			ns = append(ns, int(p))
		}
		slices.Sort(ns)
		changes[listOfID(id)] = ns
	}
	for id, r := range b.lx.lists {
		data, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		puts = append(puts, keyValue{listKey(id, tagInfo, nil), data})
	}
	return changes, putSorted(b.lists, puts)
}

type keyValue struct{ k, v []byte }

// putSorted puts kvs into bkt in the order of their keys: bbolt splits
// pages only as a transaction commits, so a backfill that put 1,000,000
// keys out of order into one growing node would move the node's tail at
// each.
func putSorted(bkt *bolt.Bucket, kvs []keyValue) error {
	slices.SortFunc(kvs, func(p, q keyValue) int { return bytes.Compare(p.k, q.k) })
	for _, e := range kvs {
		if err := bkt.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}
