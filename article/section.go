package article

import (
	"path"
	"strings"
)

// SectionFile is the name of the file that describes its folder, as in
// Hugo: lower case, .md only. It is never an article (see Is); nor is
// _index.txt, which describes nothing, Hugo having no such file.
const SectionFile = sectionName + extMarkdown

// IsSection reports whether name, a file name or a slash-separated path,
// names a folder's description: SectionFile.
func IsSection(name string) bool { return path.Base(name) == SectionFile }

// SectionOf returns the folder that the description file name describes,
// slash-separated under the seeds folder: "" for the seeds folder itself.
func SectionOf(name string) string {
	dir := path.Dir(name)
	if dir == "." {
		return ""
	}
	return dir
}

// Section is what a folder's SectionFile says of the folder.
type Section struct {
	// Title and Description are plain text, "" when not given.
	Title       string
	Description string
	// Lang is the folder's language as a canonical BCP 47 tag, or "":
	// the articles under it that name none take it (see Options.Lang).
	Lang string
	// Unknown lists the front-matter keys ParseSection does not know,
	// sorted.
	Unknown []string
	// Charset is as in Article.
	Charset string
}

// sectionKeys are the front-matter keys a folder's description knows.
// description is read as an article's summary is.
var sectionKeys = map[string]keyReader{
	"title":       (*fmReader).title,
	"description": (*fmReader).summary,
	"lang":        (*fmReader).lang,
}

// ParseSection reads the description file name of a folder: its front
// matter, under the rules and with the refusals of an article's (see the
// package comment; the keys are title, description and lang), whose
// errors give the line and column in the file. The body is ignored: a
// file without front matter describes a folder with no title.
func ParseSection(name string, data []byte, opts Options) (Section, error) {
	text, from, err := Decode(data, opts.Charset)
	if err != nil {
		return Section{}, err
	}
	fm, _, found, closed := splitFrontMatter(strings.TrimLeft(string(text), "\uFEFF"))
	if found && !closed {
		return Section{}, ErrUnclosed
	}
	var a Article
	if found {
		if err := readKeys(fm, name, opts, &a, sectionKeys); err != nil {
			return Section{}, err
		}
	}
	return Section{Title: a.Title, Description: a.Summary, Lang: a.Lang, Unknown: a.Unknown, Charset: from}, nil
}
