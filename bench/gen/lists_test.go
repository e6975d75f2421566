package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestSectionFolders(t *testing.T) {
	folders := sectionFolders(500)
	nested, arabic := 0, 0
	for k, f := range folders {
		if slices.Index(folders, f) != k {
			t.Fatalf("folder %d, %q, given twice", k, f)
		}
		if parent, _, ok := strings.Cut(f, "/"); ok {
			nested++
			if !slices.Contains(folders, parent) {
				t.Errorf("%q nested in %q, not a section of its own", f, parent)
			}
		}
		if strings.ContainsFunc(f, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
			arabic++
		}
	}
	if nested != 100 || arabic < 250 {
		t.Errorf("%d nested, %d with Arabic names; want 100 and at least 250", nested, arabic)
	}
}

func TestCategoriesOf(t *testing.T) {
	names := categoryNames(2000)
	count := map[string]int{}
	for i := range 10000 {
		cats := categoriesOf(i, names)
		if len(cats) < 1 || len(cats) > 3 || len(slices.Compact(slices.Sorted(slices.Values(cats)))) != len(cats) {
			t.Fatalf("article %d: categories %q: want 1 to 3 distinct", i, cats)
		}
		for _, c := range cats {
			count[c]++
		}
	}
	// A Zipf spread: the first name in over a tenth of the articles, and
	// most names in a few or none.
	if count[names[0]] < 1000 || len(count) < 500 || count[names[1000]] > 20 {
		t.Errorf("first %d, thousandth %d, %d names used: not a Zipf spread", count[names[0]], count[names[1000]], len(count))
	}
}

// TestDefaultCorpus: without -sections and -categories gen writes the
// Markdown it always wrote: 1,000 to a folder, one of six categories.
func TestDefaultCorpus(t *testing.T) {
	sentences, err := readSentences("../../seeds/000_a9589b6d9dbb613e.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	title, paragraphs := article(7, sentences)
	p, content, err := markdown(dir, "000", "000007", 7, title, paragraphs, nil, base)
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(dir, "000", "000007.md") || !strings.Contains(content, "\ncategories: [") {
		t.Fatalf("path %s, content:\n%s", p, content)
	}
	line := strings.SplitN(strings.SplitN(content, "\ncategories: [", 2)[1], "]", 2)[0]
	if !slices.Contains(mdSection, line) {
		t.Errorf("categories %q: want one of %q", line, mdSection)
	}
	if _, err := os.Stat(filepath.Join(dir, "000")); err == nil {
		t.Errorf("an article not a tenth wrote an image")
	}
}
