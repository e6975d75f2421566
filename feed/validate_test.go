package feed

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// program finds name on PATH, or skips the test, or fails it when
// SEEDFEED_VALIDATORS=require (as .ci/run sets).
func program(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed", name)
	}
	return p
}

func missing(t *testing.T, what string, args ...any) {
	t.Helper()
	if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf(what+" and SEEDFEED_VALIDATORS=require", args...)
	}
	t.Skipf(what, args...)
}

// python finds a python3 with the named modules: the one on PATH or
// Debian's.
func python(t *testing.T, modules ...string) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		py, err := exec.LookPath(name)
		if err == nil && exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return py
		}
	}
	missing(t, "no python3 with %v", modules)
	return ""
}

// run runs a program and returns its standard output; anything it says
// on standard error, or a failure, fails the test.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// jing warns at start-up about optional Java libraries.
	var report []string
	for line := range strings.Lines(stderr.String()) {
		if !strings.HasPrefix(line, "[warning] /usr/bin/jing: Unable to locate") {
			report = append(report, line)
		}
	}
	if err != nil || len(report) > 0 {
		t.Errorf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), strings.Join(report, ""))
	}
	return stdout.Bytes()
}

// writeRich writes the rich articles' feeds into a temporary folder.
func writeRich(t *testing.T) map[string]string {
	t.Helper()
	dir, files := t.TempDir(), map[string]string{}
	for format, body := range renderAll(t, append(richItems(), testItems()...), testConfig) {
		files[format] = filepath.Join(dir, "feed."+format)
		if err := os.WriteFile(files[format], body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestRichValidators hands the feeds of rich articles to the validators
// the daemon's feeds pass: xmllint, jing with RFC 4287's schema, and the
// JSON Feed schema.
func TestRichValidators(t *testing.T) {
	files := writeRich(t)
	schemas := filepath.Join("..", "testdata", "schemas")
	t.Run("xmllint", func(t *testing.T) {
		run(t, program(t, "xmllint"), "--noout", files["atom"], files["rss"])
	})
	t.Run("jing", func(t *testing.T) {
		run(t, program(t, "jing"), "-c", filepath.Join(schemas, "atom.rnc"), files["atom"])
	})
	t.Run("jsonschema", func(t *testing.T) {
		out := run(t, python(t, "jsonschema"), "-W", "ignore::DeprecationWarning", filepath.Join("..", "testdata", "checkfeeds.py"), "jsonschema", filepath.Join(schemas, "jsonfeed"), files["json"])
		if len(out) > 0 {
			t.Errorf("jsonschema: %s", out)
		}
	})
}

type feedparserEntry struct {
	Title             string
	Authors           []struct{ Name, Email, Href string }
	Tags              []struct{ Term, Scheme, Label string }
	Enclosures        []struct{ Href, Type, Length string }
	Thumbnails, Media []string
	Summary           string
	Links             []struct{ Rel, Href string }
	Language          string
}

// TestRichFeedparser: feedparser reads every entry's authors, tags,
// enclosure and thumbnail, summary, original and language, in Atom and
// RSS, and Media RSS takes nothing from the summary or the title.
func TestRichFeedparser(t *testing.T) {
	files := writeRich(t)
	py := python(t, "feedparser")
	for _, format := range []string{"atom", "rss"} {
		t.Run(format, func(t *testing.T) {
			var entries []feedparserEntry
			out := run(t, py, "-W", "ignore::DeprecationWarning", filepath.Join("testdata", "readrich.py"), files[format])
			if err := json.Unmarshal(out, &entries); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			ar, en := entries[0], entries[1]
			summary := `ملخص من الواجهة: "النتائج" & <الأرقام>`
			want(t, "title", ar.Title, richItems()[0].Title)
			want(t, "summary", html.UnescapeString(ar.Summary), summary)
			var authors, tags, links []string
			for _, a := range ar.Authors {
				authors = append(authors, a.Name+" "+a.Email+" "+a.Href)
			}
			for _, tag := range ar.Tags {
				tags = append(tags, tag.Term+" "+tag.Scheme)
			}
			for _, l := range ar.Links {
				links = append(links, l.Rel+" "+l.Href)
			}
			wantAuthors := []string{"سارة أحمد  https://example.org/sara", "Omar <Ali> omar@example.org "}
			if format == "rss" {
				wantAuthors = []string{"سارة أحمد  ", "Omar <Ali>  "}
			}
			want(t, "authors", authors, wantAuthors)
			cat, tag := "https://news.example.com/categories/", "https://news.example.com/tags/"
			want(t, "tags", tags, []string{"تقارير https://news.example.com/sections/", "سياسة " + cat, "انتخابات " + cat, "انتخابات " + tag, "برلمان 2024 " + tag, "a&b " + tag})
			want(t, "enclosures", len(ar.Enclosures) == 1 && ar.Enclosures[0].Href == richImage && ar.Enclosures[0].Length == "48213" && ar.Enclosures[0].Type == "image/png", true)
			want(t, "thumbnails", len(ar.Thumbnails), 0)
			want(t, "media", ar.Media, []string{richImage})
			want(t, "related", slicesContains(links, "related https://original.example.org/2024/results?id=7&lang=ar"), true)
			// An RSS item in the channel's language does not repeat it.
			langs := []string{"ar", "en"}
			if format == "rss" {
				langs[0] = ""
			}
			want(t, "languages", []string{ar.Language, en.Language}, langs)
		})
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
