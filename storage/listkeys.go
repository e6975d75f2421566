package storage

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The lists' buckets (see the package comment). An index key starts with
// the list's id (List.id) and a NUL.

// listRec is the stored form of a list in the lists bucket.
type listRec struct {
	// Next is the sequence number the next article to enter takes.
	Next    uint64    `json:"next"`
	Count   int       `json:"count"`
	Changed time.Time `json:"changed,omitzero"`
	Label   string    `json:"label,omitempty"`
}

// pendingSeq marks, in a transaction, an entry whose sequence number is
// given when the transaction ends (see listTx.finish).
const pendingSeq = ^uint64(0)

// entry is an article's place in one list.
type entry struct {
	id  string // the list's id
	seq uint64
}

// membership is the stored form of an article's places in its lists, in
// the memberships bucket: the published date its entries in the members
// index are filed under, then each list's sequence number and id.
type membership struct {
	published time.Time
	entries   []entry
}

func (m *membership) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(m.published.UnixNano()))
	for _, e := range m.entries {
		b = binary.BigEndian.AppendUint64(b, e.seq)
		b = binary.AppendUvarint(b, uint64(len(e.id)))
		b = append(b, e.id...)
	}
	return b
}

func decodeMembership(key string, v []byte) (*membership, error) {
	bad := fmt.Errorf("membership of %q: malformed", key)
	if len(v) < 8 {
		return nil, bad
	}
	m := &membership{published: time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()}
	for v = v[8:]; len(v) > 0; {
		if len(v) < 9 {
			return nil, bad
		}
		seq := binary.BigEndian.Uint64(v)
		n, w := binary.Uvarint(v[8:])
		if w <= 0 || uint64(len(v)-8-w) < n {
			return nil, bad
		}
		v = v[8+w:]
		m.entries = append(m.entries, entry{id: string(v[:n]), seq: seq})
		v = v[n:]
	}
	return m, nil
}

// indexKey is id, NUL, then rest: a key of the members, archive or pages
// index.
func indexKey(id string, rest []byte) []byte {
	k := make([]byte, 0, len(id)+1+len(rest))
	k = append(append(k, id...), 0)
	return append(k, rest...)
}

// seqKey is the archive index's key, and the pages index's with a page
// number: id, NUL, n in 8 bytes big-endian.
func seqKey(id string, n uint64) []byte {
	return indexKey(id, binary.BigEndian.AppendUint64(nil, n))
}

// timeOfDateKey is the time a dateKey starts with.
func timeOfDateKey(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^(1<<63))).UTC()
}

// pageOf is the archive page (numbered from 1) of sequence number seq.
func pageOf(seq, size uint64) uint64 { return seq/size + 1 }

// pagesOf is the number of archive pages of a list whose next sequence
// number is next.
func pagesOf(next, size uint64) uint64 { return (next + size - 1) / size }
