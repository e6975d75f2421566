package watcher

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests need a process of their own: one runs as another user, one
// lowers a limit that would hurt every other test. The test binary runs
// itself again for them, with one test selected and an environment
// variable that says which part to play.

const childEnv = "SEEDFEED_WATCHER_CHILD"

// inChild reports whether this process is the child for the named test.
func inChild(name string) bool { return os.Getenv(childEnv) == name }

// runChild runs the test named name in a new process of this binary and
// fails if the child fails. cred, if not nil, is the user to run it as.
func runChild(t *testing.T, name string, cred *syscall.Credential) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		// The build folder, like t.TempDir, is private to root; give the
		// other user a copy in a folder it may enter.
		dir, err := os.MkdirTemp("", "seedfeed-child")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		os.Chmod(dir, 0o755)
		copyTo := filepath.Join(dir, "watcher.test")
		if err := copyFile(bin, copyTo); err != nil {
			t.Fatal(err)
		}
		bin = copyTo
	}
	cmd := exec.Command(bin, "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+name)
	cmd.Dir = os.TempDir()
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("child %s: %v\n%s", name, err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "logged:") {
			t.Logf("child %s %s", name, strings.TrimSpace(line))
		}
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// TestUnreadableRetried: a file the daemon may not read is reported, and
// published once it can be read. Root reads every file, so as root the
// test runs itself as nobody.
func TestUnreadableRetried(t *testing.T) {
	if os.Geteuid() == 0 && !inChild(t.Name()) {
		runChild(t, t.Name(), &syscall.Credential{Uid: 65534, Gid: 65534})
		return
	}
	h := newHarness(t, "")
	// Written with mode 000 from the start, as a copy that keeps a
	// restrictive mode would be.
	p := filepath.Join(h.dir, "locked.txt")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("مقفل\nفقرة")
	f.Close()
	if _, err := os.ReadFile(p); err == nil {
		t.Fatal("this process can read a file of mode 000: the test proves nothing")
	}
	h.waitLog(t, "permission denied")
	h.write(t, "open.txt", "مفتوح")
	h.waitTitle(t, "open.txt", "مفتوح")
	if _, ok := h.titles(t)["locked.txt"]; ok {
		t.Fatal("an unreadable file was published")
	}
	// A rescan does not report it again: nothing changed.
	h.w.Rescan(context.Background())
	h.waitLog(t, "reason=requested")
	if n := h.log.Count("file refused", "locked.txt"); n != 1 {
		t.Errorf("locked.txt refused %d times, want once", n)
	}
	// Once it may be read, its mode change brings it in.
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "locked.txt", "مقفل")
}

// TestDiskFull makes every write that grows the database fail, as a full
// disk does (RLIMIT_FSIZE at the database's size: the kernel answers
// EFBIG). The failure is logged and retried, what was published stays
// readable, and once there is room everything is published.
func TestDiskFull(t *testing.T) {
	if !inChild(t.Name()) {
		runChild(t, t.Name(), nil)
		return
	}
	h := newHarness(t, "")
	for _, name := range []string{"a", "b", "c"} {
		h.write(t, name+".txt", "قبل الامتلاء "+name)
		h.waitTitle(t, name+".txt", "قبل الامتلاء "+name)
	}
	fi, err := os.Stat(h.db)
	if err != nil {
		t.Fatal(err)
	}
	signal.Ignore(syscall.SIGXFSZ) // get EFBIG instead of being killed
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	full := lim
	full.Cur = uint64(fi.Size())
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("فقرة طويلة تملأ القرص. ", 400) // about 9 KB, under the limit
	for i := range 20 {
		h.write(t, fmt.Sprintf("full-%02d.txt", i), fmt.Sprintf("بعد الامتلاء %d\n%s", i, body))
	}
	h.waitLog(t, "cannot store articles; will retry")
	for line := range strings.Lines(h.log.String()) {
		if strings.Contains(line, "cannot store") {
			t.Logf("logged: %s", line)
			if !strings.Contains(line, "file too large") {
				t.Errorf("the failure does not say why")
			}
			break
		}
	}
	// Health says so while files wait for room.
	if err := h.w.Err(); err == nil || !strings.Contains(err.Error(), "cannot write to the database") {
		t.Errorf("while writes fail, Err() = %v", err)
	} else {
		t.Logf("logged: Err() = %v", err)
	}
	// What was published stays readable. (The database may have had room
	// for a file or two before it needed to grow.)
	titles := h.titles(t)
	for _, name := range []string{"a", "b", "c"} {
		if titles[name+".txt"] != "قبل الامتلاء "+name {
			t.Errorf("while the disk is full, %s.txt reads %q", name, titles[name+".txt"])
		}
	}
	if len(titles) >= 23 {
		t.Fatalf("every file was stored although the disk was full: the test proves nothing")
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	h.wait(t, time.Minute, "all 23 articles published after the disk had room again", func() bool { return len(h.titles(t)) == 23 })
	if err := h.w.Err(); err != nil {
		t.Errorf("with everything stored again, Err() = %v", err)
	}
}
