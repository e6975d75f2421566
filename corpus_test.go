package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// expected is what a corpus file says, worked out without seedfeed's parser.
type expected struct {
	Path       string   `json:"path"`
	Title      string   `json:"title"`
	Paragraphs []string `json:"paragraphs"`
}

// expectedArticles reads every .txt file under dir the plain way: UTF-8,
// or windows-1256 where it is not; a leading BOM, line ends, white space
// around lines, blank lines and control characters go; nothing else does.
func expectedArticles(t *testing.T, dir string) []expected {
	t.Helper()
	var out []expected
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txt") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !utf8.Valid(data) {
			if data, err = charmap.Windows1256.NewDecoder().Bytes(data); err != nil {
				return err
			}
		}
		text := strings.TrimPrefix(string(data), "\uFEFF")
		text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
		rel, _ := filepath.Rel(dir, p)
		a := expected{Path: filepath.ToSlash(rel)}
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(strings.Map(func(r rune) rune {
				if r != '\t' && (r < 0x20 || (r >= 0x7f && r <= 0x9f)) {
					return -1
				}
				return r
			}, line))
			switch {
			case line == "":
			case a.Title == "":
				a.Title = line
			default:
				a.Paragraphs = append(a.Paragraphs, line)
			}
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyTree copies the folder src to a new temporary folder.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// corpusDaemon serves a copy of testdata/corpus and waits until every
// article in it is in the JSON feed.
func corpusDaemon(t *testing.T) (*instance, []expected) {
	t.Helper()
	seeds := copyTree(t, filepath.Join("testdata", "corpus"))
	want := expectedArticles(t, seeds)
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "corpus.db"), "-limit", "100")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := d.get(t, "/feed.json")
		var f struct{ Items []json.RawMessage }
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("feed.json: %v", err)
		}
		if len(f.Items) == len(want) {
			return d, want
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d corpus articles published:\n%s", len(f.Items), len(want), d.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCorpusFidelity reads every article of the corpus back through each
// feed format and its page, and finds the text exactly as its file has it
// (control characters removed, nothing else changed).
func TestCorpusFidelity(t *testing.T) {
	d, want := corpusDaemon(t)
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			_, doc := d.get(t, "/feed."+format)
			lang, entries := readFeed(t, format, doc)
			if lang != "ar" {
				t.Errorf("language = %q, want ar", lang)
			}
			if len(entries) != len(want) {
				t.Errorf("%d entries, want %d", len(entries), len(want))
			}
			byTitle := make(map[string]entry)
			for _, e := range entries {
				byTitle[e.Title] = e
			}
			for _, a := range want {
				e, ok := byTitle[a.Title]
				if !ok {
					t.Errorf("no entry for %s, titled %.100q", a.Path, a.Title)
					continue
				}
				checkArticle(t, format+" "+a.Path, e, a)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		_, doc := d.get(t, "/feed.json")
		_, entries := readFeed(t, "json", doc)
		byTitle := make(map[string]entry)
		for _, e := range entries {
			byTitle[e.Title] = e
		}
		for _, a := range want {
			link := strings.TrimPrefix(byTitle[a.Title].Link, d.url)
			resp, page := d.get(t, link)
			if resp.StatusCode != 200 {
				t.Errorf("%s: GET %s = %d", a.Path, link, resp.StatusCode)
				continue
			}
			lang, dir, title, paras := readPage(t, page)
			if lang != "ar" || dir != "rtl" || title != a.Title || !slices.Equal(paras, a.Paragraphs) {
				t.Errorf("%s: page %s shows lang=%q dir=%q title %.100q paragraphs %.200q", a.Path, link, lang, dir, title, paras)
			}
		}
	})
}

// tool finds an external validator. Without it the check is skipped,
// unless SEEDFEED_VALIDATORS=require (as .ci/run sets), when it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
			t.Fatalf("%s is not installed and SEEDFEED_VALIDATORS=require", name)
		}
		t.Skipf("%s is not installed (.ci/run installs it)", name)
	}
	return p
}

// python finds a python3 that has the named modules: the one on PATH
// (which may be a private one, such as pyenv's) or Debian's.
func python(t *testing.T, modules ...string) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		py, err := exec.LookPath(name)
		if err == nil && exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return py
		}
	}
	if os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf("no python3 with %v and SEEDFEED_VALIDATORS=require", modules)
	}
	t.Skipf("no python3 with %v (.ci/run installs them)", modules)
	return ""
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// jing prints start-up warnings about optional Java libraries; they are
	// not about the document.
	var report []string
	for line := range strings.Lines(out.String()) {
		if !strings.HasPrefix(line, "[warning] /usr/bin/jing: Unable to locate") {
			report = append(report, line)
		}
	}
	if err != nil || len(report) > 0 {
		t.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, strings.Join(report, ""))
	}
}

// TestValidators fetches the corpus's feeds from a running daemon and
// hands them to validators and readers that seedfeed's authors did not write.
func TestValidators(t *testing.T) {
	d, want := corpusDaemon(t)
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"feed.atom", "feed.rss", "feed.json"} {
		_, body := d.get(t, "/"+name)
		files[name] = filepath.Join(dir, name)
		if err := os.WriteFile(files[name], body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	expected := filepath.Join(dir, "expected.json")
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(expected, data, 0o644)
	script := filepath.Join("testdata", "checkfeeds.py")
	schemas := filepath.Join("testdata", "schemas")

	t.Run("xmllint", func(t *testing.T) {
		runTool(t, tool(t, "xmllint"), "--noout", files["feed.atom"], files["feed.rss"])
	})
	t.Run("jing", func(t *testing.T) {
		runTool(t, tool(t, "jing"), "-c", filepath.Join(schemas, "atom.rnc"), files["feed.atom"])
	})
	t.Run("jsonschema", func(t *testing.T) {
		runTool(t, python(t, "jsonschema"), "-W", "ignore::DeprecationWarning", script, "jsonschema", filepath.Join(schemas, "jsonfeed"), files["feed.json"])
	})
	for _, name := range []string{"feed.atom", "feed.rss"} {
		t.Run("feedparser "+name, func(t *testing.T) {
			runTool(t, python(t, "feedparser"), "-W", "ignore::DeprecationWarning", script, "feedparser", files[name], expected, "ar")
		})
	}
	// Debian's newsboat (2.21) reads Atom and RSS, not JSON Feed.
	for _, name := range []string{"feed.atom", "feed.rss"} {
		t.Run("newsboat "+name, func(t *testing.T) {
			nb := tool(t, "newsboat")
			py := python(t, "sqlite3")
			home := t.TempDir()
			url := d.url + "/" + name
			os.WriteFile(filepath.Join(home, "urls"), []byte(url+"\n"), 0o644)
			os.WriteFile(filepath.Join(home, "config"), nil, 0o644)
			cache := filepath.Join(home, "cache.db")
			cmd := exec.Command(nb, "-u", filepath.Join(home, "urls"), "-c", cache, "-C", filepath.Join(home, "config"), "-x", "reload")
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("newsboat -x reload: %v\n%s", err, out)
			}
			runTool(t, py, "-W", "ignore::DeprecationWarning", script, "newsboat", cache, url, expected)
		})
	}
}
