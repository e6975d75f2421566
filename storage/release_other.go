//go:build !linux

package storage

import bolt "go.etcd.io/bbolt"

// releaseMapped does nothing where madvise's MADV_DONTNEED is not known
// to drop a shared file mapping's pages (see release_linux.go).
func releaseMapped(*bolt.Tx) {}
