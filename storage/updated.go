package storage

import (
	"bytes"
	"time"
)

func later(t, floor time.Time) time.Time {
	if t.Before(floor) {
		return floor
	}
	return t
}

// edited returns the updated date of an article edited now whose updated
// date was prev and whose file is dated mod: the file's date when it is
// later, else now. A version copied in with its older date (rsync -t,
// cp -p) is an edit all the same: moving the date back would date the
// new text before the text readers already have.
func edited(prev, mod time.Time) time.Time {
	if mod.After(prev) {
		return mod
	}
	// Feeds show milliseconds; the monotonic reading must not reach the JSON.
	if now := time.Now().UTC().Truncate(time.Millisecond); now.After(prev) {
		return now
	}
	return prev.Add(updatedStep)
}

// updatedStep separates articles updated at the same moment: validators
// warn about two entries with one updated date, and a batch of files
// copied at once often shares a modification time.
const updatedStep = time.Millisecond

// uniqueUpdated returns t, or the first moment after t in steps of
// updatedStep that no article's updated date holds. One cursor walks the
// index from t to the first free step, and the transaction remembers
// where it stopped for t: n files sharing a date cost n steps, not n².
func (b buckets) uniqueUpdated(t time.Time) time.Time {
	base := t.UnixNano()
	if next, ok := b.nextUpdated[base]; ok {
		t = next
	}
	want := dateKey(t, "")
	c := b.updated.Cursor()
	for k, _ := c.Seek(want); k != nil; k, _ = c.Next() {
		cmp := bytes.Compare(k[:min(len(k), 8)], want)
		if cmp > 0 {
			break // t is free
		}
		if cmp == 0 {
			t = t.Add(updatedStep)
			want = dateKey(t, "")
		}
	}
	b.nextUpdated[base] = t
	return t
}

// deleteUpdated takes key's entry at t out of the updated index. The step
// it frees is free again for uniqueUpdated in this transaction too.
func (b buckets) deleteUpdated(t time.Time, key string) error {
	d := t.UnixNano()
	for base, next := range b.nextUpdated {
		if n := next.UnixNano(); base <= d && d < n && (d-base)%int64(updatedStep) == 0 {
			b.nextUpdated[base] = next.Add(time.Duration(d - n))
		}
	}
	return b.updated.Delete(dateKey(t, key))
}

// setUpdated moves key's entry in the updated index from old (zero for
// none) to a unique moment at or after t, and returns that moment.
func (b buckets) setUpdated(key string, old, t time.Time) (time.Time, error) {
	if !old.IsZero() {
		if err := b.deleteUpdated(old, key); err != nil {
			return t, err
		}
	}
	t = b.uniqueUpdated(t)
	return t, b.updated.Put(dateKey(t, key), nil)
}

// dateOf returns the published date it's file sets, as the store keeps
// dates (UTC, milliseconds: what the feeds show), or the zero time.
func dateOf(it Item) time.Time {
	if it.Date.IsZero() {
		return time.Time{}
	}
	return it.Date.UTC().Truncate(time.Millisecond)
}

// edit gives a, the article stored under key, the text of it as an edit:
// its updated date moves forward (see edited), and its published date to
// the one it sets, if any, the date index with it. The caller stores a.
func (b buckets) edit(key string, a *record, it Item) error {
	published := a.Published
	if d := dateOf(it); !d.IsZero() && !d.Equal(published) {
		if err := b.published.Delete(dateKey(published, key)); err != nil {
			return err
		}
		if err := b.published.Put(dateKey(d, key), nil); err != nil {
			return err
		}
		published = d
	}
	updated, err := b.setUpdated(key, a.Updated, later(edited(later(a.Updated, a.Published), it.Updated), published))
	if err != nil {
		return err
	}
	a.setText(it)
	a.Published, a.Updated = published, updated
	return nil
}
