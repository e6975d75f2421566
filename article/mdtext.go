package article

import (
	"bytes"
	stdhtml "html"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
)

// The plain text of a Markdown tree: what a reader sees of it, with the
// markup gone. It is written through goldmark's own HTML text writer,
// which resolves entities and backslash escapes exactly as the rendered
// body does, then unescaped, so that Paragraphs say what Body shows.

// textWriter collects HTML text for goldmark's writer (a util.BufWriter).
type textWriter struct {
	strings.Builder
	// aside counts the letters of what was written that is not prose:
	// the URL an autolink shows, code spans. A block's direction goes by
	// the letters of its prose (see Dir).
	aside letters
}

func (*textWriter) Available() int { return 1 << 16 }
func (*textWriter) Buffered() int  { return 0 }
func (*textWriter) Flush() error   { return nil }

// text is what was written, as plain text.
func (w *textWriter) text() string { return stdhtml.UnescapeString(w.String()) }

// write writes v as goldmark writes text: raw, escaped; else with its
// entities and backslash escapes resolved too. Text with neither (nor a
// NUL, which goldmark replaces) is written as it is: unescaped, it reads
// the same, and it is not escaped byte by byte.
func (w *textWriter) write(v []byte, raw bool) {
	switch {
	case bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, 0) < 0 && (raw || bytes.IndexByte(v, '\\') < 0):
		w.Write(v)
	case raw:
		html.DefaultWriter.RawWrite(w, v)
	default:
		html.DefaultWriter.Write(w, v)
	}
}

// inlineText writes the text of the inline nodes under n, with soft line
// breaks written as soft and hard ones as a newline. Raw HTML (which the
// body leaves out) and images (which show no text) write nothing.
func inlineText(w *textWriter, n ast.Node, src []byte, soft string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			w.write(c.Value(src), c.IsRaw())
			switch {
			case c.HardLineBreak():
				w.WriteByte('\n')
			case c.SoftLineBreak():
				w.WriteString(soft)
			}
		case *ast.String:
			w.write(c.Value, c.IsRaw() || c.IsCode())
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					v := t.Value(src)
					w.aside = w.aside.add(countLetters(string(v)))
					w.write(bytes.ReplaceAll(v, []byte("\n"), []byte(" ")), true)
				}
			}
		case *ast.AutoLink:
			label := c.Label(src)
			w.aside = w.aside.add(countLetters(string(label)))
			w.write(label, true)
		case *ast.RawHTML, *ast.Image:
		default:
			inlineText(w, c, src, soft)
		}
	}
}

// blockText is the plain text of the block n: its lines, for code; its
// cells joined by " | ", for a table row; its blocks' texts on lines of
// their own, for a container.
func blockText(n ast.Node, src []byte, soft string) string {
	var w textWriter
	switch n.(type) {
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			w.Write(seg.Value(src))
		}
		return strings.TrimRight(w.String(), "\n")
	case *ast.HTMLBlock, *ast.ThematicBreak:
		return ""
	case *east.TableRow, *east.TableHeader:
		cells := []string{}
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.TrimSpace(blockText(c, src, soft)))
		}
		return strings.Join(cells, " | ")
	}
	if isTextBlock(n) {
		inlineText(&w, n, src, soft)
		return w.text()
	}
	var lines []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		lines = append(lines, blockText(c, src, soft))
	}
	return strings.Join(lines, "\n")
}

// isTextBlock reports whether n is a block of inline text.
func isTextBlock(n ast.Node) bool {
	switch n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *east.TableCell:
		return true
	}
	return false
}

// readBlocks reads the blocks under doc, the tree of an article written
// in direction dir, in one walk: it returns the plain texts of the blocks
// that hold text (paragraphs, headings, list items, code blocks, table
// rows), and marks the blocks written in the other direction (see
// markBlock).
func readBlocks(doc ast.Node, src []byte, dir string) []string {
	r := blockReader{src: src}
	r.visit(doc)
	dirs := r.dirs[1:] // doc's own
	markBlock(doc, dir, &dirs)
	return r.paragraphs
}

// blockReader collects the texts and directions of a tree's blocks.
type blockReader struct {
	src        []byte
	paragraphs []string
	// cells are the texts of the table row being read.
	cells []string
	// dirs are the blocks' directions ("" for none), in the order visit
	// enters them, which is the order markBlock takes them in.
	dirs []string
}

// visit finds the direction of the block n and of each block under it,
// and returns n's. A block of text goes by the majority of its letters
// (see Dir), leaving out URLs and code shown as text; a list item by its
// own text, not its sublists; any other container (a list, a quote, a
// table) takes a direction only when every block in it with letters
// agrees on one.
func (r *blockReader) visit(n ast.Node) string {
	at := len(r.dirs)
	r.dirs = append(r.dirs, "")
	var d string
	switch n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		var t string
		t, d = r.inline(n)
		r.add(t)
	case *east.TableCell: // its row holds the paragraph
		var t string
		t, d = r.inline(n)
		r.cells = append(r.cells, strings.TrimSpace(t))
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		t := blockText(n, r.src, " ")
		d = countLetters(stdhtml.UnescapeString(t)).dir()
		r.add(t)
	default:
		d = r.container(n)
	}
	r.dirs[at] = d
	return d
}

// inline is the plain text of the text block n and its direction.
func (r *blockReader) inline(n ast.Node) (string, string) {
	var w textWriter
	inlineText(&w, n, r.src, " ")
	t := w.text()
	return t, countLetters(t).sub(w.aside).dir()
}

// container visits the blocks under n and returns n's direction.
func (r *blockReader) container(n ast.Node) string {
	var all, own agreement // of every child block, of those that are text
	r.cells = r.cells[:0]
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		d := r.visit(c)
		all.add(d)
		if isTextBlock(c) {
			own.add(d)
		}
	}
	switch n.(type) {
	case *ast.ListItem:
		if own.blocks > 0 {
			all = own
		}
	case *east.TableRow, *east.TableHeader:
		r.add(strings.Join(r.cells, " | "))
	}
	return all.dir()
}

// add adds the text t, trimmed, to the paragraphs, unless it is blank.
func (r *blockReader) add(t string) {
	if t = strings.TrimSpace(t); t != "" {
		r.paragraphs = append(r.paragraphs, t)
	}
}

// agreement is what the directions of some blocks agree on.
type agreement struct {
	blocks int
	first  string // the first direction that is not ""
	differ bool   // another is not "" and differs from first
}

func (a *agreement) add(dir string) {
	a.blocks++
	switch {
	case dir == "":
	case a.first == "":
		a.first = dir
	case dir != a.first:
		a.differ = true
	}
}

// dir is the one direction among the blocks', leaving out "", or "" if
// they do not agree.
func (a *agreement) dir() string {
	if a.differ {
		return ""
	}
	return a.first
}

// markBlock gives each block under n, which sits in direction dir, whose
// own direction (the next of dirs, in the order visit took them) is the
// other one a dir attribute of its own, and goes on into it.
func markBlock(n ast.Node, dir string, dirs *[]string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		own, d := (*dirs)[0], dir
		*dirs = (*dirs)[1:]
		if own != "" && own != dir && hasElement(c) {
			c.SetAttributeString("dir", []byte(own))
			d = own
		}
		if !isTextBlock(c) {
			markBlock(c, d, dirs)
		}
	}
}

// hasElement reports whether the block n is rendered as an element that
// can carry a dir attribute (a tight list's text block is not; a table row
// is, but its cells carry it better).
func hasElement(n ast.Node) bool {
	switch n.(type) {
	case *ast.TextBlock, *east.TableRow, *east.TableHeader, *ast.HTMLBlock, *ast.ThematicBreak:
		return false
	}
	return true
}
