package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// listTx is what a write transaction does to the lists, kept until it
// ends (see finish): list records and memberships are read once and
// written once, and articles entering lists get their sequence numbers
// together, in order of published date.
type listTx struct {
	lists   map[string]*listRec    // by id, read for a change
	members map[string]*membership // by article key; nil: deleted
	pending map[pendingEntry]time.Time
	touched map[string]map[uint64]bool // list id → archive pages
	// quiet: an article staying in a list changes nothing there (a
	// rebuild of the indexes, see reconcile).
	quiet bool
	size  uint64 // the archive page size, once read
}

// pendingEntry is an article entering a list, waiting for its sequence
// number; its value in listTx.pending is its published date.
type pendingEntry struct{ id, key string }

func newListTx() *listTx {
	return &listTx{
		lists:   make(map[string]*listRec),
		members: make(map[string]*membership),
		pending: make(map[pendingEntry]time.Time),
		touched: make(map[string]map[uint64]bool),
	}
}

// dirty reports whether the transaction changed a list.
func (x *listTx) dirty() bool { return len(x.lists) > 0 || len(x.members) > 0 }

// list returns the record of the list id, new if it has none, to change.
func (b buckets) list(id string) (*listRec, error) {
	if r, ok := b.lx.lists[id]; ok {
		return r, nil
	}
	r := new(listRec)
	if err := getJSON(b.lists, []byte(id), r); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	b.lx.lists[id] = r
	return r, nil
}

// membership returns the article key's places in its lists, or nil.
func (b buckets) membership(key string) (*membership, error) {
	if m, ok := b.lx.members[key]; ok {
		return m, nil
	}
	v := b.memberships.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	return decodeMembership(key, v)
}

func (b buckets) touch(id string, page uint64) {
	if b.lx.touched[id] == nil {
		b.lx.touched[id] = make(map[uint64]bool)
	}
	b.lx.touched[id][page] = true
}

// putArticle stores a, the article under key, and puts it in its lists.
func (b buckets) putArticle(key string, a *record) error {
	if err := putJSON(b.articles, []byte(key), a); err != nil {
		return err
	}
	return b.relist(key, a)
}

// relist puts the article stored under key, now a (nil when it is gone),
// in the lists its path and categories name, and takes it out of the
// others. Every list it stays in changes at the page that holds it: its
// link, text or dates did (the caller calls relist when the record
// changed). One it enters gets a sequence number when the transaction
// ends; one it leaves keeps a hole where it was.
func (b buckets) relist(key string, a *record) error {
	old, err := b.membership(key)
	if err != nil {
		return err
	}
	if old == nil {
		old = &membership{}
	}
	var next *membership
	var want []List
	spelling := map[string]string{}
	if a != nil {
		next = &membership{published: a.Published}
		want = listsOf(a.Path, a.Categories)
		for _, c := range a.Categories {
			if id := (List{Category, Term(c)}).id(); spelling[id] == "" {
				spelling[id] = strings.TrimFunc(c, trimmed)
			}
		}
	}
	for _, e := range old.entries {
		if !slices.Contains(want, listOfID(e.id)) {
			if err := b.leave(e, key, old.published); err != nil {
				return err
			}
			continue
		}
		if err := b.stay(e, key, old.published, next.published, spelling[e.id]); err != nil {
			return err
		}
		next.entries = append(next.entries, e)
	}
	for _, l := range want {
		id := l.id()
		if slices.ContainsFunc(old.entries, func(e entry) bool { return e.id == id }) {
			continue
		}
		if err := b.enter(id, key, next.published, spelling[id]); err != nil {
			return err
		}
		next.entries = append(next.entries, entry{id: id, seq: pendingSeq})
	}
	b.lx.members[key] = next
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

// leave takes the article key, whose entry in the list is e and whose
// members index entry is filed under published, out of the list.
func (b buckets) leave(e entry, key string, published time.Time) error {
	r, err := b.list(e.id)
	if err != nil {
		return err
	}
	r.Count--
	if e.seq == pendingSeq {
		delete(b.lx.pending, pendingEntry{e.id, key})
		return nil
	}
	if err := b.archive.Delete(seqKey(e.id, e.seq)); err != nil {
		return err
	}
	if e.id != (List{}).id() { // the main list's members index is the published bucket
		if err := b.members.Delete(indexKey(e.id, dateKey(published, key))); err != nil {
			return err
		}
	}
	b.touch(e.id, pageOf(e.seq, b.pageSize()))
	return nil
}

// stay keeps the article key in the list of e, its members index entry
// moving from the published date old to now, and its page changed.
func (b buckets) stay(e entry, key string, old, now time.Time, label string) error {
	if label != "" {
		r, err := b.list(e.id)
		if err != nil {
			return err
		}
		r.Label = label
	}
	if e.seq == pendingSeq {
		b.lx.pending[pendingEntry{e.id, key}] = now
		return nil
	}
	if e.id != (List{}).id() && !old.Equal(now) {
		if err := b.members.Delete(indexKey(e.id, dateKey(old, key))); err != nil {
			return err
		}
		if err := b.members.Put(indexKey(e.id, dateKey(now, key)), binary.BigEndian.AppendUint64(nil, e.seq)); err != nil {
			return err
		}
	}
	if !b.lx.quiet {
		b.touch(e.id, pageOf(e.seq, b.pageSize()))
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
	var puts indexPuts
	for _, p := range pend {
		if err := b.place(p.pendingEntry, p.published, size, &puts); err != nil {
			return nil, err
		}
	}
	if err := puts.write(b); err != nil {
		return nil, err
	}
	changes := make(map[List][]int, len(b.lx.touched))
	for id, pages := range b.lx.touched {
		r, err := b.list(id)
		if err != nil {
			return nil, err
		}
		r.Changed = now
		stamp := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
		var ns []int
		for p := range pages {
			if err := b.pages.Put(seqKey(id, p), stamp); err != nil {
				return nil, err
			}
			ns = append(ns, int(p))
		}
		slices.Sort(ns)
		changes[listOfID(id)] = ns
	}
	return changes, b.flushLists()
}

// indexPuts are the entries of the archive and members indexes that a
// transaction adds, put in the order of their keys: bbolt splits pages
// only as a transaction commits, so a backfill that put 500,000 keys
// out of order into one growing node would move the node's tail at each.
type indexPuts struct{ archive, members []keyValue }

type keyValue struct{ k, v []byte }

func (x *indexPuts) write(b buckets) error {
	for _, kvs := range []struct {
		b   *bolt.Bucket
		kvs []keyValue
	}{{b.archive, x.archive}, {b.members, x.members}} {
		slices.SortFunc(kvs.kvs, func(p, q keyValue) int { return bytes.Compare(p.k, q.k) })
		for _, e := range kvs.kvs {
			if err := kvs.b.Put(e.k, e.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// place gives the pending entry p, published then, the list's next
// sequence number, and adds its index entries to puts. The page it opens
// makes the one before it full: that page now links to it, and changes
// once more.
func (b buckets) place(p pendingEntry, published time.Time, size uint64, puts *indexPuts) error {
	r, err := b.list(p.id)
	if err != nil {
		return err
	}
	seq := r.Next
	r.Next++
	puts.archive = append(puts.archive, keyValue{seqKey(p.id, seq), []byte(p.key)})
	if p.id != (List{}).id() {
		puts.members = append(puts.members, keyValue{indexKey(p.id, dateKey(published, p.key)), binary.BigEndian.AppendUint64(nil, seq)})
	}
	m := b.lx.members[p.key]
	for i := range m.entries {
		if m.entries[i].id == p.id {
			m.entries[i].seq = seq
		}
	}
	b.touch(p.id, pageOf(seq, size))
	if seq > 0 && seq%size == 0 {
		b.touch(p.id, pageOf(seq, size)-1)
	}
	return nil
}

// flushLists writes the list records and memberships the transaction
// changed.
func (b buckets) flushLists() error {
	// In the order of the keys, for the reason indexPuts gives.
	for _, id := range slices.Sorted(maps.Keys(b.lx.lists)) {
		if err := putJSON(b.lists, []byte(id), b.lx.lists[id]); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(b.lx.members)) {
		var err error
		if m := b.lx.members[key]; m == nil || len(m.entries) == 0 {
			err = b.memberships.Delete([]byte(key))
		} else {
			err = b.memberships.Put([]byte(key), m.encode())
		}
		if err != nil {
			return err
		}
	}
	return nil
}
