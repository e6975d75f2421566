// Package storage is seedfeed's memory of what it published and when: a
// bbolt file that maps each article file to a stable key, its first
// publication date and a fingerprint of the file's content.
//
// # Layout
//
// The database holds seven buckets; every key and value is opaque to
// bbolt, and values are JSON so that an operator can read them with any
// bbolt browser.
//
//	meta        "schema" → the layout version, a decimal number ("3").
//	articles    key → article: path, title, paragraphs, published, updated.
//	files       path → file: key, size, modification time, SHA-256 of the bytes.
//	published   8-byte big-endian published time (Unix nanoseconds with the
//	            sign bit flipped, so that the bytes sort like the times)
//	            followed by the key → empty.
//	updated     the same for the updated time → empty.
//	hashes      SHA-256 (hex), NUL, path → empty: stored files by content.
//	tombstones  SHA-256 (hex) → the key, path and published date of the
//	            last removed article with that content.
//
// Open migrates older layouts in place: version 1 lacked the updated
// bucket, version 2 the hashes and tombstones buckets. A database with a
// newer version, or with buckets but no meta bucket, is refused and left
// as it is.
//
// A key is the slash-separated path of the file, relative to the seeds
// folder and without its ".txt" suffix, at the moment the article was
// first seen. It never changes afterwards, so the entry id that the feed
// package derives from it never changes either.
//
// A path is the file's current slash-separated path relative to the seeds
// folder. The files bucket is small (no article text) so that a start-up
// scan can compare every file's size and modification time with what is
// stored without reading the articles.
//
// A removed article leaves a tombstone: when a file with the same content
// appears again (renamed, moved back, restored from a backup, or renamed
// while the daemon was down), it takes the old key and published date
// back, so no reader sees it as new. Move keeps both for a rename seen
// live.
//
// The published bucket is the index by date: the newest n articles are a
// reverse cursor walk over n keys, however many articles are stored. The
// updated bucket keeps updated dates unique: Put moves an article's date a
// millisecond at a time past any other article's, because validators warn
// about two entries updated at the same moment, and files copied in one
// batch often share a modification time.
package storage
