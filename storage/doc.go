// Package storage is seedfeed's memory of what it published and when: a
// bbolt file that maps each article file to a stable key, its first
// publication date and a fingerprint of the file's content.
//
// # Layout
//
// The database holds ten buckets, an eleventh once a folder has an
// _index.md, and two more once the WebSub hub stored a subscription;
// every key and value is opaque to bbolt, and values are JSON, so that
// an operator can read them with any bbolt browser, but for the indexes.
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
//	            "archive" → the archive page size and the moment before
//	            which no archive page dates (JSON: page_size, since).
//	            "lists" → the "changed" value as a seedfeed that keeps the
//	            lists last wrote it (see Lists below).
//	            "sections" → when a section was last stored, replaced or
//	            removed (RFC 3339), absent until then: no layout change.
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
//	lists       every list's keys side by side, each the list's id, NUL,
//	            then a tag: "a" and a sequence number (8 bytes
//	            big-endian) → the article key: the list in the order
//	            articles entered it; "i" → the list's record: next
//	            sequence number, count, when it and its newest archive
//	            page last changed, a category's label (JSON); "p" and an
//	            older page's number (8 bytes) → when it last changed
//	            (Unix nanoseconds, 8 bytes); "r" and a published key (as
//	            in published) → the sequence number: the list by date.
//	            A write that adds an article to a list changes a page or
//	            two of it, the end of "a", the record and the end of "r".
//	sections    "/" then a folder's path ("/" alone for the seeds
//	            folder) → what its _index.md says (JSON: title,
//	            description, lang, each left out when empty; see
//	            SectionMeta). PutSection creates it in a database of any
//	            layout: no layout change, and a seedfeed of before it
//	            ignores it. A section's change moves "changed" and makes
//	            ChangesSince report All.
//	subscriptions topic URL, NUL, callback URL → a WebSub subscription
//	            (JSON: topic, callback, secret when one was given, expires,
//	            created; see Subscription). The secret is kept as given:
//	            the hub signs deliveries with it.
//	deliveries  the same key → a delivery owed to that subscriber
//	            (JSON: topic, callback, attempts, next; see Delivery), so
//	            that one pending at a restart is not lost.
//	            Both are created at their first write in a database of
//	            any layout: no layout change, a seedfeed of before ignores
//	            them, and backup copies them with the rest. They never
//	            move "changed": the feeds do not show them.
//
// A list id is a letter and a name: "m" for the main list, "s:" and a
// folder path for a section, "c:" and a term (see Term) for a category;
// neither holds a NUL. The lists bucket came without a version (see
// Lists below). An article's record says which lists hold it (its path
// and categories) and under which date (Published): the lists keep no
// other record of it.
//
// # Lists
//
// Every article is in the main list, in the section of each folder above
// it (a page bundle's own folder is the article, not a section of it),
// and in the category of each of its categories, matched by Term: case
// folded and NFC, so Arabic names match as written. A list records, for
// each article, the sequence number it took on entering the list: the
// list's next one, never given twice, so that numbers only grow. Articles
// that enter lists in one write take theirs in order of published date,
// so that a first import, or the backfill, files them oldest first.
//
// Archive page n (from 1) of a list holds its articles whose sequence
// numbers are in [(n-1)×size, n×size), size being the page size fixed in
// the meta bucket (Options.PageSize). So the article that opens page
// n+1 makes page n full, and from then on page n changes only when one of
// its own articles is edited, renamed, re-dated or leaves the list: a
// removal, a withdrawal or a move out leaves a hole (a page may hold
// fewer than size, or none); a move to another section, or a new
// category, enters the new list at its newest page; an article restored
// from its tombstone enters its lists anew, at their newest pages, as
// does one withdrawn and published again. An edit, a rename within the
// same lists or a new date keeps every place. The article at sequence
// number q is on page q/size+1 (PageOf).
//
// Each page records when it last changed (an article entered, left or
// changed in it, or it became full), and each list likewise, so that
// ETag and Last-Modified need not read the articles; no page dates from
// before the archive settings' since, which moves when the page size
// changes or the lists are rebuilt. A write tells which lists and pages
// it changed through ChangesSince.
//
// Open creates the lists bucket in a database that lacks it and fills it
// from the stored articles in one transaction, reading each record once;
// no layout change, and a seedfeed from before it ignores it. Such a
// seedfeed writing to the database would leave the lists stale: it
// moves "changed" but not "lists", and Open, seeing them differ, brings
// the lists in line with the articles (articles in them keep their
// places; an entry that its record no longer files leaves) and dates
// every page from then. A read-only store of a database
// without lists has none.
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
