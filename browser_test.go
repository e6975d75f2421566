package main

// The pages as a reader sees them: the daemon serves them, Debian's
// Chromium (headless, driven by chromedp) lays them out, and axe-core,
// injected into each, looks for accessibility violations.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/seedtest"
)

// browserSeeds are the articles of the browser test, by path: an Arabic
// article written just after midnight in Riyadh, with a paragraph in
// English, an Arabic one that opens with Latin words and a long link; an
// English article with an Arabic paragraph; a plain-text article; and a
// section described by its _index.md.
var browserSeeds = map[string]string{
	"محليات/_index.md": "---\ntitle: الشأن المحلي\ndescription: أخبار المدينة وبلدياتها\n---\n",
	"محليات/منتصف-الليل.md": `---
title: اجتماع طارئ للمجلس البلدي بعد منتصف الليل
date: 2026-03-01T00:30:00+03:00
summary: عقد المجلس البلدي اجتماعاً طارئاً بعد منتصف الليل لبحث أضرار العاصفة.
categories: [محليات, طقس]
tags: [العاصفة, المدارس]
link: https://news.example.org/2026/03/01/council-emergency-meeting-after-midnight-storm-damage-schools-open-two-hours-late?utm_source=seedfeed&utm_medium=feed
---
عقد المجلس البلدي اجتماعاً طارئاً بعد منتصف الليل لبحث أضرار العاصفة التي ضربت المدينة، وقرر أن تفتح المدارس أبوابها متأخرة ساعتين.

Google Maps أظهرت أن الطرق الرئيسية مغلقة في ثلاثة أحياء، وقال رئيس المجلس إن فرق الصيانة تعمل منذ الفجر لفتحها.

The council's statement, in English: "the main roads will reopen by noon, and the schools at ten."

[تقرير الأرصاد](https://weather.example.org/reports/2026-03-01/storm-over-the-city-full-technical-report-with-maps-and-rainfall-figures) يتوقع أمطاراً خفيفة مساء اليوم.
`,
	"english.md": `---
title: Storm closes schools for two hours
lang: en
date: 2026-02-28T18:00:00+03:00
---
The storm that hit the city overnight closed the schools for two hours on Thursday morning.

قال رئيس المجلس إن فرق الصيانة تعمل منذ الفجر.
`,
	"طقس.txt": "أمطار خفيفة متوقعة مساء اليوم\nتتوقع الأرصاد أمطاراً خفيفة على المدينة مساء اليوم مع انخفاض في درجات الحرارة.\n",
}

// browserPage is one page the browser test loads.
type browserPage struct {
	name, path string
	status     int
	dir        string // of its body
}

// browserPages are the pages the test loads: the index, an article, an
// English article, a section and a path that is not found.
var browserPages = []browserPage{
	{"index", "/", 200, "rtl"},
	{"article", "/articles/" + escapePath("محليات/منتصف-الليل"), 200, "rtl"},
	{"english", "/articles/english", 200, "ltr"},
	{"section", "/sections/" + escapePath("محليات") + "/", 200, "rtl"},
	{"404", "/no/such/page", 404, "rtl"},
}

// midnight is what the pages show of the article written at 00:30 in
// Riyadh on the 1st of March, 21:30 on the 28th of February in UTC: the
// local date, in Arabic. (Well in the past, so that no clock finds it in
// the future.)
const (
	midnightDate    = "١ مارس ٢٠٢٦"
	midnightMachine = "2026-03-01T00:30:00+03:00"
)

// TestBrowserPages loads every kind of page in Chromium at 360 and 1280
// pixels wide, and checks that each is laid out right to left or left to
// right as its language writes, paragraph by paragraph; that none scrolls
// sideways; that the dates are the local ones; and that axe-core finds no
// violation, in the light scheme and in the dark. It writes a screenshot
// of each, and copies them to SEEDFEED_SCREENSHOTS when that names a
// folder (README.md shows two).
func TestBrowserPages(t *testing.T) {
	ctx, axe := newBrowser(t)
	seeds := t.TempDir()
	for p, text := range browserSeeds {
		f := filepath.Join(seeds, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := startDaemon(t, seeds, filepath.Join(t.TempDir(), "seeds.db"),
		"-timezone", "Asia/Riyadh", "-title", "صحيفة المدينة", "-description", "أخبار المدينة كل صباح")
	seedtest.WaitFor(t, eventLimit, "three articles published", d.log, func() bool {
		return len(jsonItems(t, d.url)) == 3
	})
	shots := t.TempDir()
	for _, pg := range browserPages {
		resp, body := d.get(t, pg.path)
		if resp.StatusCode != pg.status || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("GET %s = %d %s, want %d text/html", pg.path, resp.StatusCode, resp.Header.Get("Content-Type"), pg.status)
		}
		t.Logf("%s: %d bytes", pg.name, len(body))
		for _, width := range []int64{360, 1280} {
			t.Run(fmt.Sprintf("%s/%d", pg.name, width), func(t *testing.T) {
				lay := load(t, ctx, d.url+pg.path, width)
				lay.check(t, pg)
				for _, dark := range []bool{false, true} {
					checkAxe(t, ctx, axe, dark)
				}
				screenshot(t, ctx, shots, fmt.Sprintf("%s-%d.png", pg.name, width))
			})
		}
	}
}

// newBrowser starts Debian's Chromium, headless, for the test, and
// returns its context and the source of axe-core. Without either the
// test skips, or fails under SEEDFEED_VALIDATORS=require.
func newBrowser(t *testing.T) (context.Context, string) {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		missing(t, "chromium is not installed")
	}
	path := os.Getenv("SEEDFEED_AXE")
	if path == "" {
		missing(t, "SEEDFEED_AXE does not name axe-core's axe.min.js")
	}
	axe, err := os.ReadFile(path)
	if err != nil {
		missing(t, "axe-core: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // as root, as CI runs
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
	)
	// Every step of the test is bounded by this.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		cancel()
	})
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void]("1")); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return bctx, string(axe)
}

// layout is what the browser computed of a page.
type layout struct {
	ScrollWidth, ClientWidth int
	Body                     string       // the body's direction
	Blocks                   []layoutItem // headings, paragraphs, header and footer
	Times                    []layoutItem // <time>: text and datetime
}

type layoutItem struct {
	Tag, Class, Text, Dir, Datetime string
	Lang                            string // its own or its nearest ancestor's
}

// layoutJS reads the layout of the page loaded.
const layoutJS = `(() => {
	const dir = e => getComputedStyle(e).direction;
	const item = e => ({Tag: e.tagName.toLowerCase(), Class: e.className, Text: e.textContent.trim(), Dir: dir(e), Datetime: e.getAttribute("datetime") || "", Lang: e.closest("[lang]").lang});
	return {
		ScrollWidth: document.documentElement.scrollWidth,
		ClientWidth: document.documentElement.clientWidth,
		Body: dir(document.body),
		Blocks: [...document.querySelectorAll("h1, h2, p, header, footer")].map(item),
		Times: [...document.querySelectorAll("time")].map(item),
	};
})()`

// stepLimit bounds each step in the browser: a page loads, or axe-core
// runs, in well under a second when all is well.
const stepLimit = 30 * time.Second

// colorScheme emulates prefers-color-scheme: light or dark.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// load opens url in a window width pixels wide (a phone's below 600) and
// returns its layout.
func load(t *testing.T, ctx context.Context, url string, width int64) layout {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800, opts...), colorScheme("light"), chromedp.Navigate(url))
	if err != nil {
		t.Fatalf("load %s at %d px: %v", url, width, err)
	}
	lay, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutJS))
	if err != nil {
		t.Fatalf("layout of %s at %d px: %v", url, width, err)
	}
	return lay
}

// check checks the layout of pg: no sideways scrolling; the body in the
// page's direction; each heading and paragraph of text in its text's
// (article.Dir), others (dates, links, the header and the footer) in
// their language's; the midnight article dated by its local date.
func (lay layout) check(t *testing.T, pg browserPage) {
	t.Helper()
	if lay.ScrollWidth > lay.ClientWidth {
		t.Errorf("scrolls sideways: scrollWidth %d > clientWidth %d", lay.ScrollWidth, lay.ClientWidth)
	}
	if lay.Body != pg.dir {
		t.Errorf("body direction %s, want %s", lay.Body, pg.dir)
	}
	dirs := map[string]int{}
	for _, b := range lay.Blocks {
		want := article.LangDir(language.Make(b.Lang))
		if b.Class == "" && b.Tag != "header" && b.Tag != "footer" {
			want = article.Dir(b.Text) // a paragraph or heading of text
		}
		if b.Dir != want {
			t.Errorf("<%s class=%q> %.60q: direction %s, want %s", b.Tag, b.Class, b.Text, b.Dir, want)
		}
		if b.Tag == "p" || b.Tag == "h1" || b.Tag == "h2" {
			dirs[b.Dir]++
		}
	}
	// The article pages hold a paragraph in the other direction: a check
	// that could fail.
	if (pg.name == "article" || pg.name == "english") && (dirs["rtl"] == 0 || dirs["ltr"] == 0) {
		t.Errorf("directions %v: want paragraphs in both", dirs)
	}
	if pg.name == "article" || pg.name == "index" || pg.name == "section" {
		found := false
		for _, tm := range lay.Times {
			found = found || (tm.Datetime == midnightMachine && strings.HasPrefix(tm.Text, midnightDate))
		}
		if !found {
			t.Errorf("no <time datetime=%q> showing %s: %+v", midnightMachine, midnightDate, lay.Times)
		}
	}
}

// axeViolation is what axe-core says of a violation.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// axeRunJS runs axe-core on the page and returns its violations.
const axeRunJS = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	ID: v.id, Impact: v.impact || "", Help: v.help, Nodes: v.nodes.map(n => n.target.join(" ")),
})))`

// checkAxe injects axe-core into the page loaded, in the light or the
// dark scheme, and fails on every violation it finds.
func checkAxe(t *testing.T, ctx context.Context, axe string, dark bool) {
	t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	ctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	err := chromedp.Do(ctx, colorScheme(scheme))
	var loaded bool
	if err == nil {
		loaded, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	}
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe))
	}
	var violations []axeViolation
	if err == nil {
		violations, err = chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
	}
	if err != nil {
		t.Fatalf("axe-core (%s): %v", scheme, err)
	}
	for _, v := range violations {
		t.Errorf("axe-core (%s): %s (%s): %s at %s", scheme, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
}

// screenshot writes a PNG of the whole page loaded to dir, and to the
// folder SEEDFEED_SCREENSHOTS names, if it does.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	err := chromedp.Do(ctx, colorScheme("light"))
	var png []byte
	if err == nil {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	}
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	for _, d := range []string{dir, os.Getenv("SEEDFEED_SCREENSHOTS")} {
		if d == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Error(err)
		}
	}
}
