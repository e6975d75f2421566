package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
)

// The daemon under a watch limit far below its folder count (issue 19):
// inotify limits are per user namespace, so the test runs the daemon in
// one of its own (unshare), where it lowers the limit; the machine's own
// settings stay as they are.

// limitedWatches is the inotify watches the daemon is allowed here.
const limitedWatches = 50

// limitedCommand is the seedfeed command with args, in a new user
// namespace whose inotify watch limit is limitedWatches. Where user
// namespaces are not allowed, the test is skipped, unless CI=true (or
// SEEDFEED_VALIDATORS=require, as .ci/run sets) requires them.
func limitedCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	unshare := []string{"--user", "--map-root-user"}
	if out, err := exec.Command("unshare", append(unshare, "true")...).CombinedOutput(); err != nil {
		what := fmt.Sprintf("no user namespace here (unshare: %v %s)", err, strings.TrimSpace(string(out)))
		if os.Getenv("CI") == "true" || os.Getenv("SEEDFEED_VALIDATORS") == "require" {
			t.Fatalf("%s, and CI requires one for the watch limit test", what)
		}
		t.Skipf("%s: the watch limit test needs one to lower the limit", what)
	}
	script := fmt.Sprintf(`echo %d > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`, limitedWatches)
	cmd := exec.Command("unshare", append(append(unshare, "sh", "-c", script, os.Args[0]), args...)...)
	cmd.Env = append(os.Environ(), "SEEDFEED_RUN_MAIN=1")
	return cmd
}

// jsonItem is what the test reads of a JSON Feed item.
type jsonItem struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"date_published"`
	Image     string `json:"image"`
}

// jsonItems returns the items of the JSON Feed at base, by title.
func jsonItems(t *testing.T, base string) map[string]jsonItem {
	t.Helper()
	resp, err := http.Get(base + "/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f struct{ Items []jsonItem }
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		t.Fatalf("feed.json: %v", err)
	}
	m := make(map[string]jsonItem, len(f.Items))
	for _, it := range f.Items {
		m[it.Title] = it
	}
	return m
}

// TestWatchLimitDaemon runs the daemon with 50 inotify watches allowed
// and 121 folders: it starts, serves, says once in its log, in /healthz
// (200, degraded) and in its metrics that it polls 71 folders; changes in
// polled folders are published within a poll, and those in watched ones
// at once.
func TestWatchLimitDaemon(t *testing.T) {
	seeds, db := t.TempDir(), filepath.Join(t.TempDir(), "limit.db")
	const folders = 120 // and the seeds folder: f000 to f048 are watched, f049 to f119 polled
	for i := range folders {
		dir := filepath.Join(seeds, fmt.Sprintf("f%03d", i))
		os.Mkdir(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, "a.txt"), fmt.Appendf(nil, "مقال %03d\nفقرة", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const poll = 2 * time.Second
	p := startProcess(t, limitedCommand(t, "-seeds", seeds, "-db", db, "-addr", "127.0.0.1:0", "-settle", "50ms",
		"-poll", poll.String(), "-limit", "200"))
	seedtest.WaitFor(t, eventLimit, "the start", p.out, p.logged("msg=listening"))
	base := "http://" + regexpAddr(t, p.out.String())
	in := &instance{url: base, log: p.out}

	checkDegraded(t, in, p)
	if n := len(jsonItems(t, base)); n != folders {
		t.Fatalf("%d articles in the feed, want %d:\n%s", n, folders, p.out)
	}
	renamed := jsonItems(t, base)["مقال 117"]

	// In polled folders, all at once: one pass sees them.
	write := func(rel, content string) {
		p := filepath.Join(seeds, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("f119/new.txt", "جديد في مجلد مستطلع")
	write("f118/a.txt", "مقال 118 معدل في مكانه\nفقرة") // the folder's time stays
	if err := os.Rename(filepath.Join(seeds, "f117/a.txt"), filepath.Join(seeds, "f117/b.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(seeds, "f116/a.txt")); err != nil {
		t.Fatal(err)
	}
	write("f115/sub/new.txt", "في مجلد جديد")
	var items map[string]jsonItem
	seedtest.WaitFor(t, eventLimit, "the changes in polled folders in the feed", p.out, func() bool {
		items = jsonItems(t, base)
		_, edited := items["مقال 118 معدل في مكانه"]
		_, deleted := items["مقال 116"]
		return items["جديد في مجلد مستطلع"].ID != "" && edited && !deleted && items["في مجلد جديد"].ID != "" &&
			strings.HasSuffix(items["مقال 117"].URL, "/f117/b")
	})
	if got := items["مقال 117"]; got.ID != renamed.ID || got.Published != renamed.Published {
		t.Errorf("renamed in a polled folder: id %s published %s, want %s %s", got.ID, got.Published, renamed.ID, renamed.Published)
	}

	// In a watched folder, at once: no poll looks there.
	start := time.Now()
	write("f000/new.txt", "جديد في مجلد مراقب")
	seedtest.WaitFor(t, eventLimit, "the article in a watched folder", p.out, func() bool {
		return jsonItems(t, base)["جديد في مجلد مراقب"].ID != ""
	})
	if d := time.Since(start); d >= poll {
		t.Errorf("published %v after the write in a watched folder, want within the poll (%v)", d, poll)
	}
	if n := strings.Count(p.out.String(), "polling the folders the kernel will not watch"); n != 1 {
		t.Errorf("%d lines say folders are polled, want 1:\n%s", n, p.out)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM the daemon exited with %v:\n%s", err, p.out)
	}
}

// checkDegraded checks what the daemon says of the folders it polls: one
// warning in its log, /healthz 200 degraded with the reason, the gauges.
func checkDegraded(t *testing.T, in *instance, p *process) {
	t.Helper()
	line := ""
	for l := range strings.Lines(p.out.String()) {
		if strings.Contains(l, "polling the folders the kernel will not watch") {
			line = l
		}
	}
	for _, want := range []string{"level=WARN", "polled=71 watched=50", "fs.inotify.max_user_watches",
		"user.max_inotify_watches = 50", "sysctl fs.inotify.max_user_watches=524288", "/etc/sysctl.d/"} {
		if !strings.Contains(line, want) {
			t.Errorf("the line that says folders are polled lacks %q: %q\n%s", want, line, p.out)
		}
	}
	resp, body := in.get(t, "/healthz")
	var h struct{ Status, Reason string }
	if err := json.Unmarshal(body, &h); err != nil || resp.StatusCode != 200 || h.Status != "degraded" {
		t.Errorf("GET /healthz = %d %s, want 200 degraded", resp.StatusCode, body)
	}
	for _, want := range []string{"fs.inotify.max_user_watches", "71 of 121 folders are polled every 2s", "sysctl fs.inotify.max_user_watches="} {
		if !strings.Contains(h.Reason, want) {
			t.Errorf("/healthz reason %q lacks %q", h.Reason, want)
		}
	}
	m := in.scrape(t)
	for name, want := range map[string]float64{"seedfeed_watched_folders": limitedWatches, "seedfeed_polled_folders": 71, "seedfeed_poll_period_seconds": 2} {
		if v := value(t, m, name); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
}

// TestPollFlag: -poll and SEEDFEED_POLL set the period of the polls; it
// must be positive.
func TestPollFlag(t *testing.T) {
	seeds := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
		err  string
	}{
		{"default", nil, nil, 5 * time.Second, ""},
		{"flag", []string{"-poll", "700ms"}, nil, 700 * time.Millisecond, ""},
		{"env", nil, map[string]string{"SEEDFEED_POLL": "1m"}, time.Minute, ""},
		{"zero", []string{"-poll", "0s"}, nil, 0, "-poll 0s: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-seeds", seeds, "-db", filepath.Join(t.TempDir(), "p.db")}, tc.args...)
			cfg, err := parseConfig(args, env(tc.env), io.Discard, io.Discard)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("parseConfig(%q) = %v, want %q", args, err, tc.err)
			case tc.err == "" && (err != nil || cfg.poll != tc.want):
				t.Errorf("parseConfig(%q) poll = %v, %v; want %v", args, cfg.poll, err, tc.want)
			}
		})
	}
}
