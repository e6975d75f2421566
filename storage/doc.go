// Package storage is seedfeed's memory of what it published and when: a
// bbolt file that maps each article file to a stable key, its first
// publication date and a fingerprint of the file's content.
//
// # Layout
//
// The database holds nine buckets; every key and value is opaque to
// bbolt, and values are JSON, so that an operator can read them with any
// bbolt browser, but for the indexes.
//
//	meta        "schema" → the layout version, a decimal number ("4");
//	            "count" → the number of articles, a decimal number;
//	            "changed" → when what the feeds show last changed: an
//	            article, or the settings (RFC 3339);
//	            "settings" → a digest of the daemon's settings that shape
//	            the bytes served (see Store.NoteSettings), absent until
//	            NoteSettings first runs: no layout change.
//	            "publication" → when an article was last added, updated or
//	            restored (RFC 3339), absent until then: no layout change.
//	            "run" → the last moment a daemon noted it ran (NoteRun:
//	            after its start-up scan and when it stops), RFC 3339,
//	            absent until then: no layout change.
//	articles    key → article: path, title, paragraphs, published, updated,
//	            and what a front matter sets (body, summary, authors,
//	            categories, tags, image, missing_image, lang, date, draft,
//	            link, unknown), each left out when empty: a plain-text
//	            article's record is as it always was, and one written
//	            before these fields existed reads as an article without
//	            them: no layout change.
//	files       path → file: key, size, modification time, SHA-256 of the
//	            bytes, and the state of the article's local image when it
//	            was stored (path, size or missing; left out when none).
//	published   8-byte big-endian published time (Unix nanoseconds with the
//	            sign bit flipped, so that the bytes sort like the times)
//	            followed by the key → empty.
//	updated     the same for the updated time → empty.
//	hashes      SHA-256 (hex), NUL, path → empty: stored files by content.
//	tombstones  SHA-256 (hex) → the key, path, published and updated
//	            dates of the last removed article with that content
//	            (no updated date in tombstones written before it was kept).
//	fingerprints path → 16 bytes: size and modification time (Unix
//	            nanoseconds), each 8 bytes big-endian.
//	images      image path, NUL, article path → the image's size, 8 bytes
//	            big-endian, or nothing when it was missing: the articles
//	            that name each local image. Open creates it in a database
//	            that lacks it (one written before it, whose articles name
//	            no image): no layout change; a seedfeed of before ignores it.
//
// Open migrates older layouts in place: version 1 lacked the updated
// bucket, version 2 the hashes and tombstones buckets, version 3 the
// fingerprints bucket and the count. A database with a
// newer version, or with buckets but no meta bucket, is refused and left
// as it is. Backup copies a seedfeed database of any version, so that one
// can be saved before the migration.
//
// A key is the article's slug (see article.Slug: the slash-separated path
// of its file relative to the seeds folder, without the article suffix)
// at the moment the article was first seen, followed by "-2", "-3"... when
// another stored article already holds that key: a key stays with its
// article when the file is renamed, so a new file at the old path needs
// another. It never changes afterwards, so the entry id that the feed
// package derives from it never changes either.
//
// A path is the file's current slash-separated path relative to the seeds
// folder. A start-up scan compares every file's size and modification time
// with the fingerprints bucket, which is small: it reads neither the
// articles nor the files bucket's JSON. (Reading a page of the database
// maps its neighbours into the process too, so the pages a scan reads are
// the resident memory it costs.) The count is kept in the meta bucket for
// the same reason: bbolt counts keys only by reading every page.
//
// A removed article leaves a tombstone: when a file with the same content
// appears again (renamed, moved back, restored from a backup, or renamed
// while the daemon was down), it takes the old key, published and updated
// dates back, so no reader sees it as new or changed. Move keeps both for
// a rename seen live. A rename to the other format (.txt to .md, or the
// reverse, in any case) changes what the same bytes say: Move, or the
// restore, stores the new parse as an edit, its updated date forward. A
// record always holds its file parsed in the format its current path
// names. Replace is the one write that leaves no trace of what it takes
// out: an article stored a moment before under a temporary name, renamed
// into place, takes the key of its new path as though it had been first
// stored there (or is an edit of the article stored there).
//
// An article whose file sets a date (article.Article.Date) is published
// at that date, and a new one updated at it too; editing the date is an
// edit of the same article, whose published date, and place in the
// published index, move with it.
//
// The published bucket is the index by date: the newest n articles are a
// reverse cursor walk over n keys, however many articles are stored. The
// updated bucket keeps updated dates unique: Put moves an article's date a
// millisecond at a time past any other article's, because validators warn
// about two entries updated at the same moment, and files copied in one
// batch often share a modification time. An edit moves the date forward
// only: to the file's modification time if later, else to now, since a
// copy that keeps an older file's time is an edit all the same.
//
// # Damage
//
// bbolt reads pages straight from the file's memory map, and a damaged
// file (cut short by a full disk or a bad copy, pages overwritten) makes
// it panic or fault, which kills the process. Open refuses a file whose
// meta page needs more bytes than the file has before bbolt maps it, and
// every transaction runs under a guard that turns a panic or a fault
// into an error wrapping ErrCorrupt: the call fails, the daemon goes on.
// ErrCorrupt is about the database file; an article file whose bytes are
// damaged is refused before it reaches storage (see article.ErrDamagedUTF8).
package storage
