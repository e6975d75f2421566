package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrCorrupt is returned when reading or writing the database trips over
// a damaged page of its file: bbolt panics on a page that is not what its
// parent says, and faults on a reference past the end of the mapped file.
// The operation fails; the process goes on, and so does the Store, but
// for the one fault that leaves it unusable (see Store.Close).
var ErrCorrupt = errors.New("database is damaged")

// guard runs fn, turning a panic or a memory fault into an error wrapping
// ErrCorrupt that names what was being done. bbolt reads pages straight
// from the memory map, so damage shows as a fault, which without
// SetPanicOnFault kills the process. bbolt's View and Update roll the
// transaction back before the panic reaches guard (their deferred
// rollback), so the lock and the free page list are released as on an
// error.
func guard(what string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: %v", what, ErrCorrupt, r)
		}
	}()
	return fn()
}

// view runs fn in a read transaction under guard.
func (s *Store) view(what string, fn func(*bolt.Tx) error) error {
	return s.run(what, s.db.View, fn)
}

// update runs fn in a write transaction under guard.
func (s *Store) update(what string, fn func(*bolt.Tx) error) error {
	return s.run(what, s.db.Update, fn)
}

// run runs fn in a transaction that begin starts, under guard. A panic
// before fn runs came from bbolt beginning the transaction, which reads
// the meta pages while it holds its locks and does not release them on a
// panic (a file cut below its meta pages under an open store): the next
// transaction would wait for them forever, so the store refuses any.
func (s *Store) run(what string, begin func(func(*bolt.Tx) error) error, fn func(*bolt.Tx) error) error {
	if s.wedged.Load() {
		return fmt.Errorf("%s: %w: an earlier failure left it unusable until reopened", what, ErrCorrupt)
	}
	began := false
	err := guard(what, func() error {
		return begin(func(tx *bolt.Tx) error {
			began = true
			return fn(tx)
		})
	})
	if !began && errors.Is(err, ErrCorrupt) {
		s.wedged.Store(true)
	}
	return err
}

// openBolt opens the bbolt file at path after checking that it is not
// cut short, turning bbolt's errors and panics into this package's.
func openBolt(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	if err := checkTruncated(path); err != nil {
		return nil, err
	}
	// bbolt loads the free page list while it opens a writable file: a
	// damaged list panics there, after bbolt locked the file. Closing the
	// file it opened releases the lock (the mapping stays until exit).
	var f *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		var err error
		f, err = os.OpenFile(name, flag, perm)
		return f, err
	}
	var db *bolt.DB
	err := guard("open", func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly, OpenFile: openFile})
		return err
	})
	switch {
	case errors.Is(err, ErrCorrupt):
		if f != nil {
			_ = f.Close()
		}
		return nil, err
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, ErrLocked
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, fmt.Errorf("%w (%v)", ErrForeign, err)
	}
	return db, err
}

// bbolt's file format: each page starts with a 16-byte header, and pages
// 0 and 1 hold a meta record each, in the machine's byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64 // magic, version, page size, flags, root, sequence, freelist, pgid, txid, checksum
	noFreelist     = ^uint64(0)
)

// boltMeta is what checkTruncated needs of a meta page.
type boltMeta struct {
	pageSize             uint32
	root, freelist, pgid uint64
	txid                 uint64
}

// checkTruncated refuses a file whose meta page says its pages reach
// past its end: a copy cut short, or a disk that filled. bbolt maps the
// missing pages anyway, and the first read of one faults or panics. It
// reads the meta pages as bbolt does (the valid one with the higher
// transaction id) without locking or changing the file: a writer grows
// the file before it writes the meta page that needs the room, and a
// meta page caught half-written fails its checksum. Anything it cannot
// read is left to bbolt to refuse.
func checkTruncated(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // missing (Open creates it) or unreadable: bbolt says which
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil // bbolt initializes an empty file
	}
	size := fi.Size()
	m, ok := readMeta(f, size)
	if !ok {
		return nil
	}
	ps := uint64(m.pageSize)
	if m.pgid > uint64(size)/ps {
		return fmt.Errorf("%w: the file is damaged: truncated to %d bytes, its pages need %d", ErrForeign, size, m.pgid*ps)
	}
	if m.root >= m.pgid || (m.freelist >= m.pgid && m.freelist != noFreelist) {
		return fmt.Errorf("%w: the file is damaged: its meta page points past its %d pages", ErrForeign, m.pgid)
	}
	return nil
}

// readMeta returns the meta record bbolt would use, and whether there is
// a valid one.
func readMeta(r io.ReaderAt, size int64) (boltMeta, bool) {
	m0, ok0 := metaAt(r, 0)
	ps := int64(m0.pageSize)
	if !ok0 {
		// As bbolt does: look for the second meta page at every page
		// size it supports, to learn the page size from it.
		for i := range 15 {
			pos := int64(1024) << i
			if pos >= size-1024 {
				break
			}
			if m, ok := metaAt(r, pos); ok {
				ps = int64(m.pageSize)
				break
			}
		}
	}
	if ps == 0 {
		return boltMeta{}, false
	}
	m1, ok1 := metaAt(r, ps)
	switch {
	case ok0 && ok1 && m1.txid > m0.txid:
		return m1, true
	case ok0:
		return m0, true
	default:
		return m1, ok1
	}
}

// metaAt reads and validates the meta page at off.
func metaAt(r io.ReaderAt, off int64) (boltMeta, bool) {
	var buf [pageHeaderSize + metaSize]byte
	if _, err := r.ReadAt(buf[:], off); err != nil {
		return boltMeta{}, false
	}
	b := buf[pageHeaderSize:]
	e := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[:56])
	if e.Uint32(b[0:]) != boltMagic || e.Uint32(b[4:]) != boltVersion || e.Uint64(b[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	m := boltMeta{
		pageSize: e.Uint32(b[8:]),
		root:     e.Uint64(b[16:]),
		freelist: e.Uint64(b[32:]),
		pgid:     e.Uint64(b[40:]),
		txid:     e.Uint64(b[48:]),
	}
	return m, m.pageSize >= 1024
}
