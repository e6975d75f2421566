package article

import (
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
	// prose leaves out text that is not prose: the URL an autolink
	// shows, code spans. Dir counts letters of prose.
	prose bool
}

func (*textWriter) Available() int { return 1 << 16 }
func (*textWriter) Buffered() int  { return 0 }
func (*textWriter) Flush() error   { return nil }

// text is what was written, as plain text.
func (w *textWriter) text() string { return stdhtml.UnescapeString(w.String()) }

// inlineText writes the text of the inline nodes under n, with soft line
// breaks written as soft and hard ones as a newline. Raw HTML (which the
// body leaves out) and images (which show no text) write nothing.
func inlineText(w *textWriter, n ast.Node, src []byte, soft string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			if c.IsRaw() {
				html.DefaultWriter.RawWrite(w, c.Value(src))
			} else {
				html.DefaultWriter.Write(w, c.Value(src))
			}
			switch {
			case c.HardLineBreak():
				w.WriteByte('\n')
			case c.SoftLineBreak():
				w.WriteString(soft)
			}
		case *ast.String:
			if c.IsRaw() || c.IsCode() {
				html.DefaultWriter.RawWrite(w, c.Value)
			} else {
				html.DefaultWriter.Write(w, c.Value)
			}
		case *ast.CodeSpan:
			if w.prose {
				continue
			}
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					v := t.Value(src)
					html.DefaultWriter.RawWrite(w, []byte(strings.ReplaceAll(string(v), "\n", " ")))
				}
			}
		case *ast.AutoLink:
			if !w.prose {
				html.DefaultWriter.RawWrite(w, c.Label(src))
			}
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

// paragraphs are the plain texts of the blocks under doc that hold text:
// paragraphs, headings, list items, code blocks, table rows.
func paragraphs(doc ast.Node, src []byte) []string {
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.CodeBlock, *ast.FencedCodeBlock, *east.TableRow, *east.TableHeader:
		default:
			if !isTextBlock(n) {
				return ast.WalkContinue, nil
			}
		}
		if t := strings.TrimSpace(blockText(n, src, " ")); t != "" {
			out = append(out, t)
		}
		return ast.WalkSkipChildren, nil
	})
	return out
}

// markDirections gives each block element whose text is written in the
// other direction than the one it sits in (the article's, dir, at the
// top) a dir attribute of its own. A block of text goes by the majority
// of its letters (see Dir), leaving out URLs and code shown as text; a
// list item by its own text, not its sublists; any other container (a
// list, a quote, a table) takes a direction only when every block in it
// with letters agrees on one, else its blocks are marked one by one.
func markDirections(doc ast.Node, src []byte, dir string) {
	dirs := map[ast.Node]string{}
	blockDir(doc, src, dirs)
	markBlock(doc, dir, dirs)
}

// blockDir finds the direction of the block n and of each block under it
// into dirs, and returns n's ("" for none).
func blockDir(n ast.Node, src []byte, dirs map[ast.Node]string) string {
	if isTextBlock(n) || n.Kind() == ast.KindCodeBlock || n.Kind() == ast.KindFencedCodeBlock {
		var w textWriter
		w.prose = true
		if isTextBlock(n) {
			inlineText(&w, n, src, " ")
		} else {
			w.WriteString(blockText(n, src, " "))
		}
		d := countLetters(w.text()).dir()
		dirs[n] = d
		return d
	}
	var all, own []string // of every child block, of those that are text
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		d := blockDir(c, src, dirs)
		all = append(all, d)
		if isTextBlock(c) {
			own = append(own, d)
		}
	}
	if _, ok := n.(*ast.ListItem); ok && len(own) > 0 {
		all = own
	}
	d := agreed(all)
	dirs[n] = d
	return d
}

// agreed is the one direction among dirs, leaving out "", or "" if they
// do not agree.
func agreed(dirs []string) string {
	d := ""
	for _, x := range dirs {
		switch {
		case x == "":
		case d == "":
			d = x
		case x != d:
			return ""
		}
	}
	return d
}

// markBlock marks the blocks under n, which sits in direction dir.
func markBlock(n ast.Node, dir string, dirs map[ast.Node]string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() != ast.TypeBlock {
			continue
		}
		d := dir
		if own := dirs[c]; own != "" && own != dir && hasElement(c) {
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
