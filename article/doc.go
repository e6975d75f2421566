// Package article turns the bytes of an article file into an Article, or
// into the reason the file is refused. It is a leaf: it knows nothing of
// where files come from, where articles are kept or how they are shown.
//
// The file's name selects its format: NAME.txt is plain text, NAME.md is
// Markdown, the suffix in any case. Either is UTF-8 (or text in a legacy
// charset, see Options.Charset), and either may start with front matter.
//
// # Plain text
//
// The first non-empty line is the title and each following non-empty
// line a paragraph. A file without front matter reads exactly as it did
// before front matter existed; one whose first line is --- and which has
// no closing line is such a file too. With a title in the front matter,
// every non-empty line after it is a paragraph.
//
// # Markdown
//
// CommonMark with GitHub's tables and strikethrough (no linkify: a bare
// URL stays text; write <https://…> for a link). Raw HTML is left out,
// and so is the text between the tags of a script, style, template,
// iframe, noscript or textarea element written inline (in one paragraph
// or emphasis). The rendered body is sanitized (Article.Body): no
// script, no event attribute, no link or image but relative, http,
// https, mailto and LocalScheme ones. The title is the front matter's; else the first block
// with text, if it is a heading, which then leaves the body; else the
// first line of the first block's text, which leaves the body when it is
// a paragraph's first line, as in a plain-text file. A relative link or
// image (no scheme, not starting with /, # or //) is resolved against the
// article's folder and written as LocalScheme, its path under the seeds
// folder, and its query and fragment if it has them ([ج](other.md#sec)).
// In a destination, as in any URL, # starts the fragment and ? the query:
// a file whose name holds them is written with %23 and %3F
// (![ص](<صورة (1)%23.png>)), while the front matter's image is a path
// taken as written. A link that leads to neither an article file nor a
// media file (report.pdf, a folder), an image that is no media file, one
// that leads outside the seeds folder, and one with another scheme
// (javascript:, data:) are dropped, their text kept, and listed in
// Article.DroppedLinks. A block written in the other direction than the
// article's language (or the site's, Options.Lang) gets a dir attribute
// of its own (see Dir).
// Article.Paragraphs holds the plain text of each block. Markdown that
// the parser would take seconds over (long lines of unclosed links, long
// paragraphs dense with emphasis marks, a line opening more than 16
// nested quotes or lists) is refused with ErrComplex, after a linear scan
// that sets far higher limits than real articles reach.
//
// # Front matter
//
// A first line --- (after any byte-order mark) opens YAML front matter,
// which the next line --- or ... closes (trailing spaces allowed), as
// Jekyll and Hugo write it. A Markdown file whose front matter never
// closes is refused. The keys:
//
//	title       the title (text)
//	date        the published date: RFC 3339 (2026-12-03T10:00:00+03:00,
//	            keeps its zone), 2026-12-03, or 2026-12-03 10:00[:00]
//	            read in Options.Location; Jekyll's 2026-12-03 10:00:00
//	            +0300 too. A date over a minute after Options.Now is
//	            refused, and so is one before 1800 (0026-12-01: a typo).
//	author      a name, a mapping of name, url and email, or a list of
//	authors     them; both keys add to Article.Authors
//	summary     plain text
//	categories  a name or a list of names; trimmed, empty ones and
//	tags        repeats dropped
//	image       the lead image: a path relative to the article's folder
//	            that stays under the seeds folder, of a jpg, jpeg, png,
//	            webp, gif, avif or svg file; or any absolute http or https
//	            URL (its type is its suffix's, or unknown: photo?id=1)
//	image_alt   the image's text alternative (ignored without image)
//	lang        the article's language, BCP 47 (ar, en, ar-EG), made
//	            canonical
//	draft       true or false (yes and no too, as Jekyll reads them),
//	            without quotes: "true" is a string, and refused
//	link        the original or canonical URL, http or https
//
// A key with no value is as if absent. Any other key is listed in
// Article.Unknown and otherwise ignored; a key given twice, a value of
// the wrong type (draft: maybe, categories: {a: b}) and YAML merge keys
// are refused, naming the key, its line and column. Invalid YAML is
// refused naming the line and column in the file where yaml stumbled
// (found by reading the front matter again up to each line, since yaml
// does not say it); front matter
// whose aliases expand into more than ten thousand nodes (a "billion
// laughs") is refused before anything follows them.
//
// Every refusal is an error that Reason names from the fixed list
// Reasons returns, for logs and metrics.
package article
