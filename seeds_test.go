package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// TestBundledSeeds runs the daemon on the seeds folder as it ships: the
// original article, byte for byte as ../shared/seeds holds it when that
// is there, and the Markdown example, whose every key reaches the feeds.
func TestBundledSeeds(t *testing.T) {
	if shared, err := filepath.Glob("../shared/seeds/*"); err == nil {
		for _, f := range shared {
			want, _ := os.ReadFile(f)
			if got, err := os.ReadFile(filepath.Join("seeds", filepath.Base(f))); err != nil || !bytes.Equal(got, want) {
				t.Errorf("seeds/%s differs from the original in ../shared/seeds (%v)", filepath.Base(f), err)
			}
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "-seeds", "seeds"}, env(nil), &out, io.Discard); err != nil {
		t.Errorf("check seeds: %v\n%s", err, &out)
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("check seeds warns:\n%s", &out)
	}

	d := startRun(t, copyTree(t, "seeds"), filepath.Join(t.TempDir(), "seeds.db"))
	for _, format := range []string{"atom", "rss", "json"} {
		_, body := d.get(t, "/feed."+format)
		f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var ex *gofeed.Item
		for _, it := range f.Items {
			if strings.HasSuffix(it.Link, "/articles/markdown-example") {
				ex = it
			}
		}
		if len(f.Items) != 2 || ex == nil {
			t.Fatalf("%s: %d entries, the example among them: %v", format, len(f.Items), ex != nil)
		}
		if ex.Title != "مثال: كيف تكتب مقالاً بصيغة Markdown لـ seedfeed" || len(ex.Authors) != 1 || ex.Authors[0].Name != "فريق seedfeed" {
			t.Errorf("%s: title %q, authors %v", format, ex.Title, ex.Authors)
		}
		if got := strings.Join(ex.Categories, ","); !strings.Contains(got, "دليل") || !strings.Contains(got, "ترويسة") {
			t.Errorf("%s: categories %q", format, got)
		}
		if len(ex.Enclosures) != 1 || ex.Enclosures[0].Length != "312" || ex.Enclosures[0].Type != "image/png" {
			t.Errorf("%s: enclosures %+v, want the 312-byte PNG", format, ex.Enclosures)
		} else if resp, img := d.get(t, strings.TrimPrefix(ex.Enclosures[0].URL, d.url)); resp.StatusCode != 200 || len(img) != 312 {
			t.Errorf("%s: the image answers %d with %d bytes", format, resp.StatusCode, len(img))
		}
		if want := "2026-12-03T06:00:00Z"; ex.PublishedParsed == nil || ex.PublishedParsed.UTC().Format("2006-01-02T15:04:05Z") != want {
			t.Errorf("%s: published %v, want the front matter's date %s", format, ex.PublishedParsed, want)
		}
		// The body's link to the original article opens it.
		if !strings.Contains(ex.Content, `href="`+d.url+`/articles/000_a9589b6d9dbb613e"`) {
			t.Errorf("%s: the link to the original article is not its URL:\n%s", format, ex.Content)
		}
	}
}
