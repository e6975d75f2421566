package article

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/text/language"
)

// markdown is the one Markdown parser and renderer Parse uses: CommonMark
// with GitHub's tables and strikethrough. Raw HTML is left out (goldmark's
// default, not WithUnsafe), and what it renders is sanitized again (see
// policy). goldmark's parsers and renderers keep no state between
// documents, so one instance serves every goroutine.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		// align="…", not style="text-align:…": the sanitizer lets no style
		// through, and the style method writes into the tree it renders.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
	),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(codeBlocks{}, 100)), // before the default, 1000
	),
)

// parseMarkdown reads a Markdown article: optional front matter, then
// the body (see the package comment).
func parseMarkdown(name, data string, opts Options) (Article, error) {
	var a Article
	data = strings.TrimLeft(data, "\uFEFF")
	fm, body, found, closed := splitFrontMatter(data)
	if found && !closed {
		return Article{}, ErrUnclosed
	}
	if found {
		if err := readFrontMatter(fm, name, opts, &a); err != nil {
			return Article{}, err
		}
	}
	first := 1 + lineEnds(data[:len(data)-len(body)]) // the line the body starts on
	body, err := cleanText(body)
	if err != nil {
		return Article{}, err
	}
	if err := checkWork(body, first); err != nil {
		return Article{}, err
	}
	src := []byte(body)
	doc := markdown.Parser().Parse(text.NewReader(src))
	// Before the title is taken: it is text, without what raw HTML holds.
	a.DroppedLinks = rewrite(doc, src, path.Dir(name))
	if a.Title == "" {
		a.Title = takeTitle(doc, src)
	}
	switch {
	case a.Title == "" && !found && strings.TrimSpace(body) == "":
		return Article{}, ErrEmpty
	case a.Title == "":
		return Article{}, ErrNoTitle
	}
	a.Paragraphs = readBlocks(doc, src, direction(a.Lang, opts.Lang))
	body, err = renderBody(doc, src)
	if err != nil {
		return Article{}, err
	}
	a.Body = strings.TrimSpace(body)
	return a, nil
}

// renderBody renders doc as HTML and sanitizes it (see policy).
func renderBody(doc ast.Node, src []byte) (string, error) {
	out := htmlBuffers.Get().(*htmlBuffer)
	defer htmlBuffers.Put(out)
	out.Reset()
	// Neither fails: they write to memory, and bluemonday fails only
	// when its reader does.
	if err := markdown.Renderer().Render(out, src, doc); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	var body strings.Builder
	body.Grow(out.Len())
	if err := policy.SanitizeReaderToWriter(bytes.NewReader(out.Bytes()), &body); err != nil {
		return "", fmt.Errorf("sanitize markdown: %w", err)
	}
	return body.String(), nil
}

// htmlBuffer is a bytes.Buffer that goldmark's renderer writes to as it
// is, a util.BufWriter, rather than through a bufio.Writer of its own.
type htmlBuffer struct{ bytes.Buffer }

func (*htmlBuffer) Available() int { return 1 << 16 }
func (*htmlBuffer) Buffered() int  { return 0 }
func (*htmlBuffer) Flush() error   { return nil }

// htmlBuffers keeps the buffers renderBody renders into, which it needs
// only until they are sanitized.
var htmlBuffers = sync.Pool{New: func() any { return new(htmlBuffer) }}

// direction is the article's direction: its own language's, or else the
// site's.
func direction(lang string, site language.Tag) string {
	if tag, err := language.Parse(lang); lang != "" && err == nil {
		return LangDir(tag)
	}
	return LangDir(site)
}

// takeTitle finds the title in the body, for an article whose front
// matter gives none. The first block with text is a heading, which is the
// title and leaves the body, or else the first line of its text is the
// title; a paragraph's first line leaves the body too (as a plain-text
// article's first line does).
func takeTitle(doc ast.Node, src []byte) string {
	for b := doc.FirstChild(); b != nil; b = b.NextSibling() {
		t := strings.TrimSpace(blockText(b, src, "\n"))
		if t == "" {
			continue
		}
		switch b.(type) {
		case *ast.Heading:
			doc.RemoveChild(doc, b)
			return strings.TrimSpace(lineBreaks.Replace(t))
		case *ast.Paragraph:
			cutFirstLine(b)
		}
		line, _, _ := strings.Cut(t, "\n")
		return strings.TrimSpace(line)
	}
	return ""
}

// cutFirstLine removes the inline nodes of p's first line, and p if
// nothing is left. It leaves p whole when the line ends inside emphasis
// or a link: cutting there would split the markup.
func cutFirstLine(p ast.Node) {
	var end ast.Node
	for c := p.FirstChild(); c != nil && end == nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok && (t.SoftLineBreak() || t.HardLineBreak()) {
			end = c
		} else if hasBreak(c) {
			return
		}
	}
	if end == nil {
		p.Parent().RemoveChild(p.Parent(), p)
		return
	}
	for c := p.FirstChild(); c != end; {
		next := c.NextSibling()
		p.RemoveChild(p, c)
		c = next
	}
	p.RemoveChild(p, end)
	if p.FirstChild() == nil {
		p.Parent().RemoveChild(p.Parent(), p)
	}
}

// hasBreak reports whether a line break lies inside the inline node n.
func hasBreak(n ast.Node) bool {
	found := false
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering && c != n && (t.SoftLineBreak() || t.HardLineBreak()) {
			found = true
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// codeBlocks renders code blocks as goldmark does, and also the
// attributes it does not render on them: the dir that readBlocks
// gives a left-to-right block in a right-to-left article.
type codeBlocks struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (codeBlocks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindCodeBlock, renderCode)
	reg.Register(ast.KindFencedCodeBlock, renderCode)
}

func renderCode(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<pre")
	if n.Attributes() != nil {
		html.RenderAttributes(w, n, html.GlobalAttributeFilter)
	}
	_, _ = w.WriteString("><code")
	if f, ok := n.(*ast.FencedCodeBlock); ok {
		if lang := f.Language(src); lang != nil {
			_, _ = w.WriteString(` class="language-`)
			html.DefaultWriter.Write(w, lang)
			_ = w.WriteByte('"')
		}
	}
	_ = w.WriteByte('>')
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		html.DefaultWriter.RawWrite(w, seg.Value(src))
	}
	return ast.WalkContinue, nil
}
