package watcher

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/storage"
)

// These tests hold the watcher to a kernel that refuses watches: each
// runs in a process of its own, in a user namespace of its own, whose
// inotify limits (/proc/sys/user/max_inotify_*) it lowers; the machine's
// own settings stay as they are.

// limitsEnv tells the child the limits to set, as name=value pairs
// separated by commas (names under /proc/sys/user).
const limitsEnv = "SEEDFEED_WATCHER_LIMITS"

// runLimited runs the test name in a new process of this binary, in a new
// user namespace with the given inotify limits, and fails if it fails.
// Where user namespaces are not allowed it skips, unless CI=true (or
// SEEDFEED_VALIDATORS=require, as .ci/run sets), when it fails.
func runLimited(t *testing.T, name, limits string) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+strings.ReplaceAll(name, "/", "$/^")+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+name, limitsEnv+"="+limits)
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		noUserNS(t, err)
	}
	err = cmd.Wait()
	if err != nil || !strings.Contains(out.String(), "--- PASS: "+name) {
		t.Fatalf("child %s: %v\n%s", name, err, out.String())
	}
	for line := range strings.Lines(out.String()) {
		if strings.Contains(line, "logged:") {
			t.Logf("child %s", strings.TrimSpace(line))
		}
	}
}

// noUserNS skips a test for want of user namespaces, or fails it where
// they are required.
func noUserNS(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("SEEDFEED_VALIDATORS") == "require" {
		t.Fatalf("no user namespace (%v), and CI requires one for the watch limit tests", err)
	}
	t.Skipf("user namespaces are not allowed here (%v): the watch limit tests need one to lower the limit", err)
}

// setLimits, in the child, sets the limits runLimited passed.
func setLimits(t *testing.T) {
	t.Helper()
	for _, kv := range strings.Split(os.Getenv(limitsEnv), ",") {
		name, value, _ := strings.Cut(kv, "=")
		if err := os.WriteFile("/proc/sys/user/"+name, []byte(value), 0o644); err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
	}
}

// itemAt returns the stored article of the file rel.
func (h *harness) itemAt(tb testing.TB, rel string) storage.Item {
	tb.Helper()
	items, err := h.store.Newest(1 << 20)
	if err != nil {
		tb.Fatal(err)
	}
	for _, it := range items {
		if it.Path == rel {
			return it
		}
	}
	tb.Fatalf("%s is not stored:\n%s", rel, h)
	return storage.Item{}
}

const degradedLine = "polling the folders the kernel will not watch"

// TestWatchLimit: with 20 watches allowed and 31 folders, the watcher
// watches 20, polls the rest and says so once; changes in polled folders
// are published within a poll (a new file, an edit in place, a rename
// that keeps the article, a deletion, a new subfolder), and in watched
// ones at once; once deleted folders free watches, the polled folders
// are watched again, and that is said once too. Through inotify's own
// instance, then through fsnotify alone.
func TestWatchLimit(t *testing.T) {
	for _, mode := range []string{"inotify", "fsnotify"} {
		t.Run(mode, func(t *testing.T) {
			if !inChild(t.Name()) {
				runLimited(t, t.Name(), "max_inotify_watches=20")
				return
			}
			setLimits(t)
			watchLimit(t, mode == "fsnotify")
		})
	}
}

func watchLimit(t *testing.T, fsnotifyAlone bool) {
	h := prepare(t, "")
	for i := range 30 {
		h.write(t, fmt.Sprintf("d%02d/a.txt", i), fmt.Sprintf("مقال %02d\nفقرة", i))
	}
	const poll = 2 * time.Second
	w := h.watcher(t, Options{Settle: 50 * time.Millisecond, Poll: poll, noCompletions: fsnotifyAlone})
	// The root and d00 to d18 are watched, in the walk's order; d19 to
	// d29 polled.
	c := w.Coverage()
	if c.Watched != 20 || c.Polled != 11 {
		t.Fatalf("Coverage() = %+v, want 20 watched and 11 polled", c)
	}
	for _, want := range []string{"fs.inotify.max_user_watches", "user.max_inotify_watches = 20", "11 of 31 folders are polled every 2s",
		"sysctl fs.inotify.max_user_watches=524288", "/etc/sysctl.d/"} {
		if !strings.Contains(c.Degraded, want) {
			t.Errorf("Coverage().Degraded = %q, want it to hold %q", c.Degraded, want)
		}
	}
	h.run(t, w)
	h.waitFor(t, "30 articles", func(m map[string]string) bool { return len(m) == 30 })
	renamed := h.itemAt(t, "d27/a.txt")

	// In polled folders, all at once: one pass sees them.
	h.write(t, "d29/new.txt", "جديد في مجلد مراقب بالاستطلاع")
	h.write(t, "d28/a.txt", "مقال 28 معدل في مكانه\nفقرة") // the folder's time stays
	if err := os.Rename(filepath.Join(h.dir, "d27/a.txt"), filepath.Join(h.dir, "d27/b.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(h.dir, "d26/a.txt")); err != nil {
		t.Fatal(err)
	}
	h.write(t, "d25/sub/new.txt", "مجلد جديد")
	h.wait(t, 3*poll, "the changes in polled folders", func() bool {
		m := h.titles(t)
		_, old := m["d27/a.txt"]
		_, deleted := m["d26/a.txt"]
		return m["d29/new.txt"] != "" && m["d28/a.txt"] == "مقال 28 معدل في مكانه" && m["d27/b.txt"] != "" && !old &&
			!deleted && m["d25/sub/new.txt"] == "مجلد جديد"
	})
	if it := h.itemAt(t, "d27/b.txt"); it.Key != renamed.Key || !it.Published.Equal(renamed.Published) {
		t.Errorf("renamed in a polled folder: key %s published %v, want %s %v", it.Key, it.Published, renamed.Key, renamed.Published)
	}

	// In a watched folder, at once: no poll looks there.
	start := time.Now()
	h.write(t, "d00/new.txt", "جديد في مجلد مراقب")
	h.waitTitle(t, "d00/new.txt", "جديد في مجلد مراقب")
	if d := time.Since(start); d >= poll {
		t.Errorf("published %v after the write in a watched folder, want within the poll (%v)", d, poll)
	}

	// Deleted folders free 15 watches: the 12 polled are watched again.
	for i := range 15 {
		if err := os.RemoveAll(filepath.Join(h.dir, fmt.Sprintf("d%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	h.wait(t, 3*poll, "every folder watched again", func() bool { return w.Coverage().Polled == 0 })
	h.waitLog(t, "every folder is watched again")
	if c := w.Coverage(); c.Degraded != "" || c.Watched != 31-15+1 {
		t.Errorf("Coverage() = %+v, want 17 watched and no reason", c)
	}
	start = time.Now()
	h.write(t, "d29/later.txt", "بعد التعافي")
	h.waitTitle(t, "d29/later.txt", "بعد التعافي")
	if d := time.Since(start); d >= poll {
		t.Errorf("published %v after the write in a folder watched again, want within the poll (%v)", d, poll)
	}
	if n := h.log.Count(degradedLine); n != 1 {
		t.Errorf("%d lines say folders are polled, want 1:\n%s", n, h.log)
	}
	t.Logf("logged: %s", firstLine(h.log.String(), degradedLine))
}

// firstLine returns the first line of log holding want.
func firstLine(log, want string) string {
	for line := range strings.Lines(log) {
		if strings.Contains(line, want) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// TestNoInotifyInstance: where the kernel refuses an inotify instance
// (fs.inotify.max_user_instances), there is no notifier at all: every
// folder is polled, files are published all the same, and once the limit
// is raised the watcher takes an instance and watches every folder.
func TestNoInotifyInstance(t *testing.T) {
	if !inChild(t.Name()) {
		runLimited(t, t.Name(), "max_inotify_instances=0")
		return
	}
	setLimits(t)
	h := prepare(t, "")
	h.write(t, "a/old.txt", "قديم")
	const poll = 300 * time.Millisecond
	w := h.watcher(t, Options{Settle: 50 * time.Millisecond, Poll: poll,
		Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c := w.Coverage()
	if c.Watched != 0 || c.Polled != 2 || !strings.Contains(c.Degraded, "fs.inotify.max_user_instances") {
		t.Fatalf("Coverage() = %+v, want 2 polled, for max_user_instances", c)
	}
	h.run(t, w)
	h.waitTitle(t, "a/old.txt", "قديم")
	h.write(t, "new.txt", "جديد")
	h.write(t, "b/c/deep.txt", "عميق")
	h.waitTitle(t, "new.txt", "جديد")
	h.waitTitle(t, "b/c/deep.txt", "عميق")
	if err := os.WriteFile("/proc/sys/user/max_inotify_instances", []byte("8"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.wait(t, 10*poll, "every folder watched", func() bool { c := w.Coverage(); return c.Polled == 0 && c.Watched == 4 })
	h.waitLog(t, "every folder is watched again")
	// Closes are told again: a file is published as its writer closes it.
	h.write(t, "b/c/closed.txt", "مغلق")
	h.waitTitle(t, "b/c/closed.txt", "مغلق")
	h.waitLog(t, "op=close_write")
	t.Logf("logged: %s", firstLine(h.log.String(), degradedLine))
}

// TestNotifierFails: when inotify's own instance fails while running,
// fsnotify takes over every folder, the folder is rescanned, and files
// and folders are followed as before, once they settle.
func TestNotifierFails(t *testing.T) {
	h := prepare(t, "")
	h.write(t, "sub/a.txt", "أ")
	w := h.watcher(t, Options{Settle: 50 * time.Millisecond, // at debug: a rescan that finds nothing says so there
		Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	raw, ok := w.done.(*inotifyCompletions)
	if !ok {
		t.Skip("no inotify instance of the watcher's own here")
	}
	h.run(t, w)
	h.waitTitle(t, "sub/a.txt", "أ")
	raw.events <- completion{err: errors.New("read failed, as the test has it")}
	h.waitLog(t, "reason=notifier")
	if c := w.Coverage(); c.Watched != 2 || c.Polled != 0 {
		t.Errorf("Coverage() = %+v after the switch, want the 2 folders watched", c)
	}
	h.write(t, "sub/b.txt", "ب")
	h.waitTitle(t, "sub/b.txt", "ب")
	if err := os.Rename(filepath.Join(h.dir, "sub"), filepath.Join(h.dir, "moved")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "moved/b.txt", "ب")
	h.waitGone(t, "sub/b.txt")
	h.write(t, "moved/new/c.txt", "ج")
	h.waitTitle(t, "moved/new/c.txt", "ج")
}

// TestFsnotifyAlone runs, in a process of its own, tests of files and
// folders with every watcher on fsnotify alone, as where inotify's own
// instance is missing (or failed: see TestNotifierFails). Tests of what
// only close notifications tell (a slow writer, renames told by their
// cookies) are left out.
func TestFsnotifyAlone(t *testing.T) {
	if os.Getenv(fsnotifyEnv) == "1" {
		t.Skip("running in the child already")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := "^(TestSettleFallback|TestLiveAddEditDelete|TestSubfoldersLater|TestSeedsFolderReplaced|TestPeriodicRescan|" +
		"TestImageLive|TestImageFolderRenamed|TestEditorSaveByRename|TestFolderReplacedByLink|TestUnreadableRetried|TestBadFilesRefused)$"
	cmd := exec.Command(bin, "-test.run="+tests, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), fsnotifyEnv+"=1")
	cmd.Dir = os.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Count(string(out), "--- PASS: ") < 11 {
		t.Fatalf("with fsnotify alone: %v\n%s", err, out)
	}
}
