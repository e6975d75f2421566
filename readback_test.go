package main

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file reads feeds and pages back as a reader would: through gofeed
// and an HTML parser, interpreting every text by its declared type.

// entry is what a reader shows of one feed entry.
type entry struct {
	ID, Link, Title, Summary string
	Published                time.Time
	Dir, Lang                string
	Paragraphs               []string
}

// readFeed parses a feed document with gofeed and returns its language
// and entries as a reader shows them.
func readFeed(t *testing.T, format string, doc []byte) (string, []entry) {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed %s: %v", format, err)
	}
	var types []textTypes
	if format == "atom" {
		types = atomTypes(t, doc)
	}
	var entries []entry
	for i, it := range f.Items {
		e := entry{ID: it.GUID, Link: it.Link, Title: it.Title, Summary: it.Description}
		if it.PublishedParsed != nil {
			e.Published = *it.PublishedParsed
		}
		switch format {
		case "atom":
			e.Title = readerText(t, e.Title, types[i].Title)
			e.Summary = readerText(t, e.Summary, types[i].Summary)
		case "rss":
			e.Summary = readerText(t, e.Summary, "html") // an RSS description is HTML
		}
		e.Dir, e.Lang, e.Paragraphs = contentParagraphs(t, it.Content)
		entries = append(entries, e)
	}
	return f.Language, entries
}

// textTypes are the declared types of an Atom entry's title and summary.
type textTypes struct{ Title, Summary string }

// atomTypes reads the type attributes of each entry's title and summary,
// which gofeed does not report.
func atomTypes(t *testing.T, doc []byte) []textTypes {
	t.Helper()
	var feed struct {
		Entries []struct {
			Title struct {
				Type string `xml:"type,attr"`
			} `xml:"title"`
			Summary struct {
				Type string `xml:"type,attr"`
			} `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &feed); err != nil {
		t.Fatal(err)
	}
	var types []textTypes
	for _, e := range feed.Entries {
		types = append(types, textTypes{e.Title.Type, e.Summary.Type})
	}
	return types
}

func parseFragment(t *testing.T, s string) []*html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// readerText is what a reader shows of a text: plain text as it is, HTML
// as the text it renders to. Escaped text must not turn into elements.
func readerText(t *testing.T, s, typ string) string {
	t.Helper()
	if typ != "html" {
		return s
	}
	var b strings.Builder
	for _, n := range parseFragment(t, s) {
		if n.Type != html.TextNode {
			t.Fatalf("HTML text %q holds a %q element: the text was not escaped", s, n.Data)
		}
		b.WriteString(n.Data)
	}
	return b.String()
}

// contentParagraphs parses entry HTML and returns the wrapping div's dir
// and lang and the text of each paragraph.
func contentParagraphs(t *testing.T, content string) (dir, lang string, paras []string) {
	t.Helper()
	nodes := parseFragment(t, content)
	if len(nodes) != 1 || nodes[0].Data != "div" {
		t.Fatalf("content %.200q is not one div", content)
	}
	dir, lang = attr(nodes[0], "dir"), attr(nodes[0], "lang")
	for p := nodes[0].FirstChild; p != nil; p = p.NextSibling {
		paras = append(paras, textOf(t, p))
	}
	return dir, lang, paras
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns the text inside n, which must hold nothing but text.
func textOf(t *testing.T, n *html.Node) string {
	t.Helper()
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode {
			t.Fatalf("<%s> holds a %q element: the text was not escaped", n.Data, c.Data)
		}
		b.WriteString(c.Data)
	}
	return b.String()
}

// readPage parses an article page and returns its html element's lang and
// dir, the article's h1 and its paragraphs (the date line excluded).
func readPage(t *testing.T, page []byte) (lang, dir, title string, paras []string) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		switch {
		case n.DataAtom == atom.Html:
			lang, dir = attr(n, "lang"), attr(n, "dir")
		case n.DataAtom == atom.H1 && n.Parent.DataAtom == atom.Article:
			title = textOf(t, n)
		case n.DataAtom == atom.P && n.Parent.DataAtom == atom.Article:
			if n.FirstChild == nil || n.FirstChild.DataAtom != atom.Time {
				paras = append(paras, textOf(t, n))
			}
		}
	}
	return lang, dir, title, paras
}

// checkArticle compares what a reader shows of e with the article.
func checkArticle(t *testing.T, where string, e entry, want expected) {
	t.Helper()
	if e.Title != want.Title {
		t.Errorf("%s: title %.200q, want %.200q", where, e.Title, want.Title)
	}
	first := ""
	if len(want.Paragraphs) > 0 {
		first = want.Paragraphs[0]
	}
	if e.Summary != first {
		t.Errorf("%s: summary %.200q, want %.200q", where, e.Summary, first)
	}
	if e.Dir != "rtl" || e.Lang != "ar" {
		t.Errorf("%s: content marked dir=%q lang=%q, want rtl, ar", where, e.Dir, e.Lang)
	}
	if !slices.Equal(e.Paragraphs, want.Paragraphs) {
		t.Errorf("%s: paragraphs %.300q, want %.300q", where, e.Paragraphs, want.Paragraphs)
	}
}
