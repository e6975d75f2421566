package main

// Miniflux reads the real daemon's three feeds, and what it stored is read
// back through its REST API: a throwaway PostgreSQL cluster and a Miniflux
// (built with `go install miniflux.app/v2@v2.3.5`, as .ci/run does) run as
// processes of their own, on 127.0.0.1, for this one test.

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// minifluxVersion is the Miniflux that .ci/run builds, whose behaviour
// minifluxRSSTitle describes.
const minifluxVersion = "v2.3.5"

// hardTitles are titles that HTML or XML treats specially (those of
// feed/readers_test.go, issue 11's first): each is written to a file of
// its own, beside the corpus's titles, which add tashkeel, bidi marks,
// digits, emoji and more.
var hardTitles = []string{
	`الأهلي & الزمالك: "قمة" <نارية>`,
	`عنوان فيه <b>وسم</b> & "اقتباس" و 'مفرد'`,
	`وسم يُغلق ولم يُفتح </b> هنا`,
	`نهاية ]]> و ]]]]> بعدها`,
	`<![CDATA[ليس CDATA]]>`,
	referencesTitle,
	`a < b > c`,
	`'مفرد' فقط`,
	`عنوان عربي بلا علامات`,
}

// referencesTitle holds character references as text, which Miniflux
// shows decoded in RSS (see minifluxRSSTitle).
const referencesTitle = `حرفيًا &amp; و &#34; و &lt;`

// The feed's own title and author, with characters that readers
// mishandle.
const (
	minifluxFeedTitle = `أخبار "المكتب" & <الديسك>`
	minifluxAuthor    = `قسم الرياضة & الاقتصاد`
)

// TestMiniflux subscribes Miniflux to /feed.atom, /feed.rss and
// /feed.json and checks every entry it stored: its title is the article's
// exactly, its author the feed's, its language ar.
func TestMiniflux(t *testing.T) {
	bin := minifluxBin(t)
	pgBin := postgresBin(t)
	seeds := copyTree(t, filepath.Join("testdata", "corpus"))
	for i, title := range hardTitles {
		body := title + "\n\nفقرة المقال " + strconv.Itoa(i) + ".\n"
		if err := os.WriteFile(filepath.Join(seeds, fmt.Sprintf("hard-%d.txt", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, want := seedsDaemon(t, seeds, "-limit", "100", "-title", minifluxFeedTitle, "-author", minifluxAuthor)
	// Miniflux's RSS quirk (see minifluxRSSTitle) must change no title
	// but the one written to show it.
	for _, a := range want {
		if minifluxRSSTitle(a.Title) != a.Title && a.Title != referencesTitle {
			t.Fatalf("%s: Miniflux would show its title %q in RSS as %q", a.Path, a.Title, minifluxRSSTitle(a.Title))
		}
	}
	mf := startMiniflux(t, bin, startPostgres(t, pgBin))
	category := mf.category(t)
	for _, format := range []string{"atom", "rss", "json"} {
		t.Run(format, func(t *testing.T) {
			id := mf.subscribe(t, category, d.url+"/feed."+format)
			var f struct{ Title, Language string }
			mf.call(t, "GET", fmt.Sprintf("/v1/feeds/%d", id), nil, &f)
			if f.Title != minifluxFeedTitle || f.Language != "ar" {
				t.Errorf("feed title %q, language %q; want %q, ar", f.Title, f.Language, minifluxFeedTitle)
			}
			checkMinifluxEntries(t, format, mf.entries(t, id), want)
		})
	}
	// A section's feeds: the articles under the folder, at any depth.
	const folder = "أخبار محلية"
	var inFolder []expected
	for _, a := range want {
		if strings.HasPrefix(a.Path, folder+"/") {
			inFolder = append(inFolder, a)
		}
	}
	if len(inFolder) < 2 {
		t.Fatalf("%d articles under %s: the corpus changed", len(inFolder), folder)
	}
	for _, format := range []feed.Format{feed.Atom, feed.RSS, feed.JSON} {
		t.Run("section "+format.Ext(), func(t *testing.T) {
			id := mf.subscribe(t, category, feed.ListFeedURL(d.url, storage.List{Kind: storage.Section, Name: folder}, format))
			var f struct{ Title, Language string }
			mf.call(t, "GET", fmt.Sprintf("/v1/feeds/%d", id), nil, &f)
			if want := minifluxFeedTitle + " — " + folder; f.Title != want || f.Language != "ar" {
				t.Errorf("feed title %q, language %q; want %q, ar", f.Title, f.Language, want)
			}
			checkMinifluxEntries(t, format.Ext(), mf.entries(t, id), inFolder)
		})
	}
}

// minifluxEntry is what Miniflux's API gives of an entry.
type minifluxEntry struct {
	Title, Author, Language, URL string
}

// checkMinifluxEntries compares the entries Miniflux stored from format's
// feed with the articles: the same titles, each entry by the feed's
// author, in Arabic.
func checkMinifluxEntries(t *testing.T, format string, entries []minifluxEntry, want []expected) {
	t.Helper()
	var titles, wantTitles []string
	for _, e := range entries {
		titles = append(titles, e.Title)
		if e.Author != minifluxAuthor || e.Language != "ar" {
			where, _ := url.PathUnescape(e.URL)
			t.Errorf("%s: author %q, language %q; want %q, ar", where, e.Author, e.Language, minifluxAuthor)
		}
	}
	for _, a := range want {
		title := a.Title
		if format == "rss" {
			title = minifluxRSSTitle(title)
		}
		wantTitles = append(wantTitles, title)
	}
	slices.Sort(titles)
	slices.Sort(wantTitles)
	for _, title := range wantTitles {
		if !slices.Contains(titles, title) {
			t.Errorf("no entry titled exactly %.200q", title)
		}
	}
	for _, title := range titles {
		if !slices.Contains(wantTitles, title) {
			t.Errorf("an entry titled %.200q, which no article is", title)
		}
	}
	if len(titles) != len(wantTitles) {
		t.Errorf("%d entries, want %d", len(titles), len(wantTitles))
	}
}

// minifluxRSSTitle is the title Miniflux shows for an RSS item titled s.
// Miniflux unescapes an RSS item's title as HTML twice, after the XML
// parser has already decoded it (miniflux/v2 v2.3.5,
// internal/reader/rss/adapter.go:218, findEntryTitle:
// `html.UnescapeString(html.UnescapeString(strings.TrimSpace(title)))`),
// so a title that holds a character reference as text, "&amp;", shows
// "&". No RSS text can avoid that: its title is plain text (or, read as
// HTML, would lose its "<"). Every other title is unchanged by this.
func minifluxRSSTitle(s string) string {
	return html.UnescapeString(html.UnescapeString(s))
}

// minifluxBin finds the Miniflux binary: $MINIFLUX_BIN, or where .ci/run
// builds it, under $SEEDFEED_CI_CACHE (/var/cache/seedfeed-ci).
func minifluxBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("MINIFLUX_BIN")
	if bin == "" {
		cache := os.Getenv("SEEDFEED_CI_CACHE")
		if cache == "" {
			cache = "/var/cache/seedfeed-ci"
		}
		bin = filepath.Join(cache, "bin", "miniflux.app")
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		missing(t, "no Miniflux at %s (MINIFLUX_BIN): %v", bin, err)
	}
	if info.Main.Version != minifluxVersion {
		t.Logf("%s is Miniflux %s; this test knows %s", bin, info.Main.Version, minifluxVersion)
	}
	return bin
}

// postgresBin finds the folder of PostgreSQL's initdb and postgres:
// Debian's newest /usr/lib/postgresql/N/bin, or initdb's on PATH.
func postgresBin(t *testing.T) string {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(found, func(a, b string) int { return postgresVersion(a) - postgresVersion(b) })
	if p, err := exec.LookPath("initdb"); len(found) == 0 && err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		missing(t, "PostgreSQL is not installed (no initdb)")
	}
	return filepath.Dir(found[len(found)-1])
}

// postgresVersion is N in /usr/lib/postgresql/N/bin/initdb.
func postgresVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// service is a server the test runs in a process of its own.
type service struct {
	name   string
	cmd    *exec.Cmd
	log    *seedtest.LogBuffer
	exited chan struct{} // closed once the process is reaped
}

// startService starts cmd and, when the test ends, stops it by its PID
// with the signal stop, or kills it if it has not ended in eventLimit.
func startService(t *testing.T, name string, cmd *exec.Cmd, stop syscall.Signal) *service {
	t.Helper()
	s := &service{name: name, cmd: cmd, log: &seedtest.LogBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL // should the test binary die first
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(stop); err == nil {
			select {
			case <-s.exited:
				return
			case <-time.After(eventLimit):
				t.Errorf("%s (pid %d) still runs %v after %v; killing it", name, cmd.Process.Pid, eventLimit, stop)
			}
		}
		cmd.Process.Kill()
		<-s.exited
	})
	return s
}

// String is the service's output, for failure messages.
func (s *service) String() string { return s.name + ":\n" + s.log.String() }

// waitFor waits until cond reports true, failing at once if the service
// ends first.
func (s *service) waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	seedtest.WaitFor(t, limit, what, s, func() bool {
		select {
		case <-s.exited:
			t.Fatalf("%s ended (%v) while the test waited for %s:\n%s", s.name, s.cmd.ProcessState, what, s.log)
		default:
		}
		return cond()
	})
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// startPostgres creates a PostgreSQL cluster in a new folder and runs it
// on 127.0.0.1 only, without a Unix socket, until the test ends; it
// returns the URL of its postgres database for its postgres superuser,
// whom every local connection is trusted as. As root, initdb and
// postgres, which refuse to run as root, run as the postgres user.
func startPostgres(t *testing.T, bin string) string {
	t.Helper()
	cred, uid, gid := postgresUser(t)
	// Not t.TempDir(): its parent is private to the test's user.
	dir, err := os.MkdirTemp("", "seedfeed-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) }) // registered first, so runs after postgres stops
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	initdb.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + dir}
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", port,
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Env = initdb.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	// SIGINT is PostgreSQL's fast shutdown.
	pg := startService(t, "postgres", cmd, syscall.SIGINT)
	pg.waitFor(t, 30*time.Second, "PostgreSQL to accept connections", func() bool {
		return strings.Contains(pg.log.String(), "database system is ready to accept connections")
	})
	return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
}

// postgresUser is the user PostgreSQL runs as: the postgres user as root
// (cred non-nil), else this process's own.
func postgresUser(t *testing.T) (cred *syscall.Credential, uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil, os.Geteuid(), os.Getegid()
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		missing(t, "PostgreSQL cannot run as root and there is no postgres user (%v)", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid
}

// miniflux is a running Miniflux and its admin's credentials.
type miniflux struct {
	url, user, password string
}

// startMiniflux runs Miniflux on the database until the test ends, and
// returns once it answers its health check. It has no scheduler: a feed
// is read when the test subscribes to it.
func startMiniflux(t *testing.T, bin, database string) *miniflux {
	t.Helper()
	addr := "127.0.0.1:" + freePort(t)
	mf := &miniflux{url: "http://" + addr, user: "admin", password: "seedfeed-test"}
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + cmd.Dir,
		"DATABASE_URL=" + database,
		"RUN_MIGRATIONS=1",
		"CREATE_ADMIN=1",
		"ADMIN_USERNAME=" + mf.user,
		"ADMIN_PASSWORD=" + mf.password,
		"LISTEN_ADDR=" + addr,
		"FETCHER_ALLOW_PRIVATE_NETWORKS=1", // seedfeed listens on 127.0.0.1
		"DISABLE_SCHEDULER_SERVICE=1",
	}
	s := startService(t, "miniflux", cmd, syscall.SIGTERM)
	s.waitFor(t, 60*time.Second, "Miniflux to migrate and listen", func() bool {
		return strings.Contains(s.log.String(), "Starting HTTP server")
	})
	s.waitFor(t, eventLimit, "Miniflux's health check", func() bool {
		resp, err := http.Get(mf.url + "/healthcheck")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return mf
}

// minifluxClient bounds every API call: subscribing reads the feed
// before it answers.
var minifluxClient = &http.Client{Timeout: 30 * time.Second}

// call makes an API request as the admin, with body as JSON when not nil,
// and decodes the answer into out when not nil.
func (mf *miniflux) call(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, mf.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(mf.user, mf.password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := minifluxClient.Do(req)
	if err != nil {
		t.Fatalf("Miniflux %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("Miniflux %s %s = %d %v: %s", method, path, resp.StatusCode, err, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			t.Fatalf("Miniflux %s %s: %v in %s", method, path, err, answer)
		}
	}
}

// category is the id of the admin's first category, which Miniflux
// creates with the user.
func (mf *miniflux) category(t *testing.T) int64 {
	t.Helper()
	var categories []struct{ ID int64 }
	mf.call(t, "GET", "/v1/categories", nil, &categories)
	if len(categories) == 0 {
		t.Fatal("Miniflux's admin has no category")
	}
	return categories[0].ID
}

// subscribe adds the feed at feedURL, which Miniflux reads before it answers,
// and returns the feed's id.
func (mf *miniflux) subscribe(t *testing.T, category int64, feedURL string) int64 {
	t.Helper()
	var r struct {
		FeedID int64 `json:"feed_id"`
	}
	mf.call(t, "POST", "/v1/feeds", map[string]any{"feed_url": feedURL, "category_id": category}, &r)
	return r.FeedID
}

// entries are the entries Miniflux stored from the feed, oldest first.
func (mf *miniflux) entries(t *testing.T, feed int64) []minifluxEntry {
	t.Helper()
	var r struct {
		Total   int
		Entries []minifluxEntry
	}
	mf.call(t, "GET", fmt.Sprintf("/v1/feeds/%d/entries?order=id&direction=asc&limit=1000", feed), nil, &r)
	if r.Total != len(r.Entries) {
		t.Fatalf("Miniflux gave %d of %d entries", len(r.Entries), r.Total)
	}
	return r.Entries
}
