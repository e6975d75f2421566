package main

// Page bundles (issue 19): a folder holding index.md or index.txt is one
// article named by the folder, shown with the files beside it, and keeps
// its identity when the folder is renamed; a folder's _index.md is never
// an article.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seedfeed/seedfeed/seedtest"
)

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPageBundle(t *testing.T) {
	seeds := t.TempDir()
	const (
		title   = "قمة الرياض: بيان من ١٢ بندًا"
		section = "وصف قسم الأخبار لا يُنشر" // the body of an _index.md: never shown
		label   = "قسم الأخبار"              // its title: the section's name
		plain   = "خبر عادي في القسم"
	)
	bundle := filepath.Join(seeds, "2024", "05", "قمة")
	png, err := os.ReadFile(filepath.Join("testdata", "markdown", "images", "lead.png"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(bundle, "صورة.png"), string(png))
	writeFile(t, filepath.Join(bundle, "index.md"), "---\ntitle: '"+title+"'\nimage: صورة.png\n---\n\nنص القمة مع ![القاعة](صورة.png).\n")
	writeFile(t, filepath.Join(seeds, "أخبار", "_index.md"), "---\ntitle: "+label+"\n---\n\n"+section+"\n")
	writeFile(t, filepath.Join(seeds, "أخبار", "خبر.txt"), plain+"\nفقرة.\n")
	d := startRun(t, seeds, filepath.Join(t.TempDir(), "b.db"))

	var items map[string]jsonItem
	seedtest.WaitFor(t, eventLimit, "the bundle and the plain article", d.log, func() bool {
		items = jsonItems(t, d.url)
		return len(items) >= 2
	})
	if len(items) != 2 {
		t.Errorf("published %d articles, want the bundle and خبر.txt only: %v", len(items), items)
	}
	it, ok := items[title]
	page := "/articles/2024/05/" + escapePath("قمة")
	if !ok || it.URL != d.url+page {
		t.Fatalf("bundle item %+v, want url %s", it, d.url+page)
	}
	if resp, body := d.get(t, page); resp.StatusCode != http.StatusOK || pageHeading(t, body) != title {
		t.Errorf("GET %s = %d, heading %q", page, resp.StatusCode, pageHeading(t, body))
	}
	if resp, _ := d.get(t, page+"/index"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s/index = %d, want 404: the folder is the article", page, resp.StatusCode)
	}
	media := "/media/2024/05/" + escapePath("قمة/صورة.png")
	if it.Image != d.url+media {
		t.Errorf("bundle image %q, want the file beside its index, %s", it.Image, d.url+media)
	}
	if resp, body := d.get(t, media); resp.StatusCode != http.StatusOK || string(body) != string(png) {
		t.Errorf("GET %s = %d, %d bytes", media, resp.StatusCode, len(body))
	}
	for _, p := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/"} {
		if _, body := d.get(t, p); strings.Contains(string(body), section) {
			t.Errorf("%s shows the body of the folder's _index.md", p)
		}
	}
	if _, body := d.get(t, "/feed.atom"); !strings.Contains(string(body), `label="`+label+`"`) {
		t.Errorf("/feed.atom does not name the section by its _index.md title %q:\n%s", label, body)
	}

	// Renamed, the folder keeps its article: same id, same date, new URL.
	moved := filepath.Join(seeds, "2024", "05", "قمة الرياض")
	if err := os.Rename(bundle, moved); err != nil {
		t.Fatal(err)
	}
	newPage := "/articles/2024/05/" + escapePath("قمة الرياض")
	seedtest.WaitFor(t, eventLimit, "the bundle at its new URL", d.log, func() bool {
		return jsonItems(t, d.url)[title].URL == d.url+newPage
	})
	if got := jsonItems(t, d.url)[title]; got.ID != it.ID || got.Published != it.Published {
		t.Errorf("after the rename: id %q published %q, want %q %q", got.ID, got.Published, it.ID, it.Published)
	}
	// The client follows the old URL's redirect.
	if resp, _ := d.get(t, page); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/articles/2024/05/قمة الرياض" {
		t.Errorf("GET %s (the old URL) = %d at %s, want the new page", page, resp.StatusCode, resp.Request.URL)
	}

	// A file named as the folder shares its URL: refused while the bundle
	// holds it, published once the bundle goes.
	const twin = "توأم الحزمة"
	writeFile(t, moved+".md", "---\ntitle: "+twin+"\n---\n\nنص.\n")
	seedtest.WaitFor(t, eventLimit, "the twin refused", d.log, func() bool {
		return d.log.Count("file refused", "taken by") > 0
	})
	if err := os.RemoveAll(moved); err != nil {
		t.Fatal(err)
	}
	seedtest.WaitFor(t, eventLimit, "the twin published once the bundle is gone", d.log, func() bool {
		_, ok := jsonItems(t, d.url)[twin]
		return ok
	})
	if got := jsonItems(t, d.url); got[twin].URL != d.url+newPage {
		t.Errorf("twin at %q, want %s", got[twin].URL, d.url+newPage)
	}
}
