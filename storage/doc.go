// Package storage is seedfeed's memory of what it published and when: a
// bbolt file that maps each article file to a stable key, its first
// publication date and a fingerprint of the file's content.
//
// # Layout
//
// The database holds four buckets; every key and value is opaque to
// bbolt, and values are JSON so that an operator can read them with any
// bbolt browser.
//
//	meta       "schema" → the layout version, a decimal number ("1").
//	articles   key → article: path, title, paragraphs, published, updated.
//	files      path → file: key, size, modification time, SHA-256 of the bytes.
//	published  8-byte big-endian published time (Unix nanoseconds with the
//	           sign bit flipped, so that the bytes sort like the times)
//	           followed by the key → empty.
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
// The published bucket is the index by date: the newest n articles are a
// reverse cursor walk over n keys, however many articles are stored.
package storage
