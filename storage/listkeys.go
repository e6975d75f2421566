package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// The lists bucket holds every list's keys side by side, each starting
// with the list's id (List.id), a NUL and a tag: a write that adds an
// article to a list changes one or two pages of it, not one in each of
// four indexes. The tags sort in the order below, so that the list's
// next sequence number and its record are neighbours.
const (
	tagArchive = 'a' // sequence number (8 bytes) → article key
	tagInfo    = 'i' // the list's record (JSON)
	tagPage    = 'p' // archive page number (8 bytes) → when it changed
	tagRecent  = 'r' // published key (see dateKey) → sequence number
)

// listRec is the stored form of a list's record.
type listRec struct {
	// Next is the sequence number the next article to enter takes.
	Next    uint64    `json:"next"`
	Count   int       `json:"count"`
	Changed time.Time `json:"changed,omitzero"`
	// NewestPage is when the newest archive page last changed: the page
	// every new article changes. Older pages have their own keys.
	NewestPage time.Time `json:"newest_page,omitzero"`
	Label      string    `json:"label,omitempty"`
}

// listKey is id, NUL, tag, then rest.
func listKey(id string, tag byte, rest []byte) []byte {
	k := make([]byte, 0, len(id)+2+len(rest))
	k = append(append(k, id...), 0, tag)
	return append(k, rest...)
}

// numKey is a key of list id under tag followed by n in 8 bytes
// big-endian: a sequence number or a page number.
func numKey(id string, tag byte, n uint64) []byte {
	return listKey(id, tag, binary.BigEndian.AppendUint64(nil, n))
}

// recentKey is the key of article key, published then, in list id's
// index by date.
func recentKey(id string, published time.Time, key string) []byte {
	return listKey(id, tagRecent, dateKey(published, key))
}

// idOfKey returns the list id a key of the lists bucket starts with.
func idOfKey(k []byte) ([]byte, error) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || i+1 >= len(k) {
		return nil, fmt.Errorf("list key %q: malformed", k)
	}
	return k[:i], nil
}

func encodeUint(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func decodeUint(what string, v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("%s: %d bytes, want 8", what, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
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
