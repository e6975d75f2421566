package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
	"github.com/seedfeed/seedfeed/watcher"
)

// errRefused makes check exit with status 1.
var errRefused = errors.New("some files would be refused")

// checkCommand is "seedfeed check [-seeds DIR] [-quiet] [-json]".
func checkCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	var quiet, asJSON bool
	fs := newFlagSet("seedfeed check", "seedfeed check [-seeds DIR] [-quiet] [-json]\n\n"+
		"Reads every article file as the daemon would and says, file by file, what\n"+
		"would be published, what is a draft and what would be refused, and why,\n"+
		"with the metadata read from front matter on indented lines, then a summary\n"+
		"line. Exits 1 if any file would be refused.", stderr)
	cfg.seedsFlags(fs)
	fs.BoolVar(&quiet, "quiet", false, "print only the files that would be refused, and the summary")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object a file instead, and no summary: path, status, reason, error, title and the metadata")
	if err := parseNoArgs(fs, args, getenv); err != nil {
		return err
	}
	if err := joinChecks(cfg.validateRead, cfg.validateSeeds); err != nil {
		return err
	}
	var sum checkSummary
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // text exactly as written: no \u003c for <
	var werr error
	err := watcher.Check(cfg.seeds, cfg.readOptions(), func(rel string, it storage.Item, err error) {
		var missing error // the article is published without its image
		if errors.Is(err, watcher.ErrMissingImage) {
			missing, err = err, nil
		}
		status := sum.add(err, it.Draft)
		switch {
		case quiet && err == nil, werr != nil:
		case asJSON:
			e := newCheckEntry(rel, status, it, err)
			if missing != nil {
				e.MissingImage = missing.Error()
			}
			werr = enc.Encode(e)
		default:
			fmt.Fprint(tw, checkLines(rel, status, it, err, missing))
		}
	})
	serr := watcher.CheckSections(cfg.seeds, cfg.readOptions(), func(rel string, sec article.Section, err error) {
		status := "section"
		if err != nil {
			status = sum.add(err, false)
		} else {
			sum.sections++
		}
		switch {
		case quiet && err == nil, werr != nil:
		case asJSON:
			e := newCheckEntry(rel, status, storage.Item{}, err)
			if err == nil {
				e.Title, e.Summary, e.Lang, e.Unknown, e.Charset = sec.Title, sec.Description, sec.Lang, sec.Unknown, sec.Charset
			}
			werr = enc.Encode(e)
		default:
			fmt.Fprint(tw, sectionLines(rel, status, sec, err))
		}
	})
	err = errors.Join(err, serr)
	if ferr := tw.Flush(); werr == nil {
		werr = ferr
	}
	if err = errors.Join(err, werr); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintln(stdout, sum)
	}
	if sum.refused > 0 {
		return errRefused
	}
	return nil
}

// checkSummary counts what check found, refusals by reason.
type checkSummary struct {
	ok, drafts, refused int
	sections            int // folders' _index.md files read
	reasons             map[string]int
}

// add counts one file, refused for err or a draft or not, and returns
// its status: "ok", "draft" or "refused".
func (s *checkSummary) add(err error, draft bool) string {
	switch {
	case err != nil:
		if s.reasons == nil {
			s.reasons = map[string]int{}
		}
		s.refused++
		s.reasons[watcher.Reason(err)]++
		return "refused"
	case draft:
		s.drafts++
		return "draft"
	}
	s.ok++
	return "ok"
}

// String is the summary line: "N would be published, D drafts, M refused
// (k reason, ...)", the drafts only if there are any, the reasons in the
// fixed order of watcher.Reasons.
func (s checkSummary) String() string {
	line := fmt.Sprintf("%d would be published, ", s.ok)
	if s.drafts > 0 {
		line += plural(s.drafts, "draft") + ", "
	}
	if s.sections > 0 {
		line += plural(s.sections, "section") + " described, "
	}
	line += fmt.Sprintf("%d refused", s.refused)
	var parts []string
	for _, r := range watcher.Reasons() {
		if n := s.reasons[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
	}
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	return line
}

// checkLines are the lines check prints for one file, for a tabwriter:
// status, path and what it holds or why it is refused; then, for a file
// whose front matter said more than its title, the metadata read, one
// "key: value" a line in the third column.
func checkLines(rel, status string, it storage.Item, err, missing error) string {
	if err != nil {
		reason := watcher.Reason(err)
		return fmt.Sprintf("%s\t%s\t%s: %s\n", status, rel, reason, refusalText(reason, err))
	}
	from := ""
	if it.Charset != "" {
		from = ", decoded from " + it.Charset
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%s\t%s (%s%s)\n", status, rel, it.Title, plural(len(it.Paragraphs), "paragraph"), from)
	for _, kv := range metadata(it.Article) {
		fmt.Fprintf(&b, "\t\t%s: %s\n", kv[0], kv[1])
	}
	if missing != nil {
		fmt.Fprintf(&b, "\t\twarning: %s (published without it)\n", missing)
	}
	return b.String()
}

// sectionLines are the lines check prints for a folder's _index.md, as
// checkLines does for an article: what it says of the section, or why it
// would be refused (the section then keeps what it had).
func sectionLines(rel, status string, sec article.Section, err error) string {
	if err != nil {
		return checkLines(rel, status, storage.Item{}, err, nil)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t%s\t%s\n", status, rel, sec.Title)
	for _, kv := range [][2]string{{"description", shorten(sec.Description, 80)}, {"lang", sec.Lang}, {"warning", unknownKeys(sec.Unknown)}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "\t\t%s: %s\n", kv[0], kv[1])
		}
	}
	return b.String()
}

// unknownKeys is the warning about front-matter keys nothing reads, or "".
func unknownKeys(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return "unknown keys: " + strings.Join(keys, ", ")
}

// metadata is what a's front matter set besides its title, as key and
// value pairs in a fixed order. The date is shown in its own zone: the
// one it was written with, or -timezone for a date written without one.
func metadata(a article.Article) [][2]string {
	var kv [][2]string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, [2]string{k, v})
		}
	}
	if !a.Date.IsZero() {
		add("date", a.Date.Format(time.RFC3339))
	}
	var authors []string
	for _, au := range a.Authors {
		var contact []string
		for _, c := range []string{au.URL, au.Email} {
			if c != "" {
				contact = append(contact, c)
			}
		}
		if len(contact) > 0 {
			authors = append(authors, au.Name+" ("+strings.Join(contact, ", ")+")")
		} else {
			authors = append(authors, au.Name)
		}
	}
	add("authors", strings.Join(authors, "; "))
	add("categories", strings.Join(a.Categories, ", "))
	add("tags", strings.Join(a.Tags, ", "))
	add("image", imageText(a.Image))
	add("summary", shorten(a.Summary, 80))
	add("lang", a.Lang)
	add("link", a.Link)
	add("warning", unknownKeys(a.Unknown))
	if len(a.DroppedLinks) > 0 {
		add("warning", "links dropped, text kept: "+strings.Join(a.DroppedLinks, ", "))
	}
	return kv
}

// imageText is how check shows an article's image: its path and what the
// watcher found there, or its URL; then its text alternative.
func imageText(img *article.Image) string {
	if img == nil {
		return ""
	}
	s := img.URL
	if img.Path != "" {
		s = img.Path + " (missing)"
		if img.Size > 0 {
			s = fmt.Sprintf("%s (%s, %d bytes)", img.Path, img.Type, img.Size)
		}
	}
	if img.Alt != "" {
		s += fmt.Sprintf(", alt %q", img.Alt)
	}
	return s
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// checkEntry is one line of "check -json".
type checkEntry struct {
	Path       string        `json:"path"`
	Status     string        `json:"status"`           // ok, draft or refused
	Reason     string        `json:"reason,omitempty"` // one of watcher.Reasons
	Error      string        `json:"error,omitempty"`
	Title      string        `json:"title,omitempty"`
	Paragraphs int           `json:"paragraphs,omitempty"`
	Charset    string        `json:"charset,omitempty"`
	Date       time.Time     `json:"date,omitzero"`
	Summary    string        `json:"summary,omitempty"`
	Authors    []checkAuthor `json:"authors,omitempty"`
	Categories []string      `json:"categories,omitempty"`
	Tags       []string      `json:"tags,omitempty"`
	Image      *checkImage   `json:"image,omitempty"`
	Lang       string        `json:"lang,omitempty"`
	Link       string        `json:"link,omitempty"`
	Unknown    []string      `json:"unknown_keys,omitempty"`
	// MissingImage says why the image was left out of a published article.
	MissingImage string `json:"missing_image,omitempty"`
}

// checkAuthor is an author in "check -json".
type checkAuthor struct {
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Email string `json:"email,omitempty"`
}

// checkImage is an image in "check -json".
type checkImage struct {
	Path string `json:"path,omitempty"`
	URL  string `json:"url,omitempty"`
	Alt  string `json:"alt,omitempty"`
	Type string `json:"type,omitempty"`
	Size int64  `json:"size,omitempty"`
}

func newCheckEntry(rel, status string, it storage.Item, err error) checkEntry {
	if err != nil {
		reason := watcher.Reason(err)
		return checkEntry{Path: rel, Status: status, Reason: reason, Error: refusalText(reason, err)}
	}
	e := checkEntry{Path: rel, Status: status, Title: it.Title, Paragraphs: len(it.Paragraphs), Charset: it.Charset,
		Summary: it.Summary, Categories: it.Categories, Tags: it.Tags, Lang: it.Lang, Link: it.Link, Unknown: it.Unknown}
	for _, a := range it.Authors {
		e.Authors = append(e.Authors, checkAuthor(a))
	}
	if !it.Date.IsZero() {
		e.Date = it.Date
	}
	if img := it.Image; img != nil {
		e.Image = &checkImage{Path: img.Path, URL: img.URL, Alt: img.Alt, Type: img.Type, Size: img.Size}
	}
	return e
}

// refusalText is err's message without a first word that repeats the
// reason's name ("binary: the file contains NUL bytes" after "binary").
func refusalText(reason string, err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, strings.ReplaceAll(reason, "_", " ")+": ")
}

// plural is "1 paragraph", "2 paragraphs", "0 paragraphs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
