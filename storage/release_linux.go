package storage

import (
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseMapped drops the process's mapping of the database file's pages,
// which reading a bucket spread over the file maps in 64 KiB windows
// (the kernel's fault-around): a read of a few megabytes of fingerprints,
// or of every article's head, would leave hundreds of megabytes counted
// in the daemon's resident memory. The mapping is shared and read-only,
// so the pages stay in the page cache and the next read maps them again.
// It runs inside tx, so that bbolt cannot remap the file meanwhile; a
// failure costs memory, not correctness, and is ignored.
func releaseMapped(tx *bolt.Tx) {
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, tx.DB().Info().Data, uintptr(tx.Size()), unix.MADV_DONTNEED)
}
