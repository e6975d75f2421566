package watcher

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// slowWrite writes content to rel in chunks over about three seconds,
// pausing half a second between chunks, as a slow copy does.
func (h *harness) slowWrite(tb testing.TB, rel string, chunks []string) {
	tb.Helper()
	f, err := os.Create(filepath.Join(h.dir, filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatal(err)
	}
	for i, c := range chunks {
		if i > 0 {
			time.Sleep(500 * time.Millisecond)
		}
		if _, err := f.WriteString(c); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func slowChunks() (chunks []string, title string, paragraphs int) {
	chunks = []string{"عنوان الكتابة البطيئة\n"}
	for i := range 6 {
		chunks = append(chunks, fmt.Sprintf("الفقرة %d من المقال، كُتبت على دفعات.\n", i+1))
	}
	return chunks, "عنوان الكتابة البطيئة", 6
}

// TestSlowWriter writes a file in chunks over three seconds: it must be
// published once, complete, never truncated. With close notifications the
// close publishes it at once, whatever the pauses.
func TestSlowWriter(t *testing.T) {
	h := newHarness(t, "")
	if h.w.done == nil {
		t.Fatal("no close notifications on this system: the slow writer needs them")
	}
	chunks, title, paragraphs := slowChunks()
	h.slowWrite(t, "slow.txt", chunks)
	h.waitTitle(t, "slow.txt", title)
	it, err := h.store.Article("slow")
	if err != nil || len(it.Paragraphs) != paragraphs {
		t.Fatalf("slow.txt stored with %d paragraphs (%v), want %d", len(it.Paragraphs), err, paragraphs)
	}
	// A later marker file proves the watcher looked at everything since.
	h.write(t, "marker.txt", "علامة")
	h.waitTitle(t, "marker.txt", "علامة")
	if n, u := h.log.Count("article published", "slow.txt"), h.log.Count("article updated", "slow.txt"); n != 1 || u != 0 {
		t.Errorf("slow.txt published %d times and updated %d times, want once and never", n, u)
	}
}

// TestWriterOpenLongerThanTimeout: a writer that keeps its file open
// past the fallback deadline (30 s, shortened here), writing all along,
// must not have it published half-written: each write moves the deadline.
func TestWriterOpenLongerThanTimeout(t *testing.T) {
	h := prepare(t, "")
	w := h.watcher(t, Options{Settle: 50 * time.Millisecond, openTimeout: 300 * time.Millisecond})
	if w.done == nil {
		t.Fatal("no close notifications on this system: the test needs them")
	}
	h.run(t, w)
	f, err := os.Create(filepath.Join(h.dir, "long.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("عنوان كاتب لا يغلق\n")
	const paragraphs = 12 // 1.2 s of writes: four times the timeout
	for i := range paragraphs {
		time.Sleep(100 * time.Millisecond)
		fmt.Fprintf(f, "فقرة %d\n", i+1)
	}
	if n := h.log.Count("long.txt"); n != 0 {
		t.Errorf("while its writer wrote on, long.txt was handled %d times:\n%s", n, h.log)
	}
	f.Close()
	h.waitTitle(t, "long.txt", "عنوان كاتب لا يغلق")
	it, err := h.store.Article("long")
	if err != nil || len(it.Paragraphs) != paragraphs {
		t.Fatalf("long.txt stored with %d paragraphs (%v), want %d", len(it.Paragraphs), err, paragraphs)
	}
	// A writer that stops writing but never closes is read once it has
	// been quiet for the timeout.
	g, err := os.Create(filepath.Join(h.dir, "open.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.WriteString("مفتوح إلى الأبد\nفقرة")
	h.waitTitle(t, "open.txt", "مفتوح إلى الأبد")
	if n, u := h.log.Count("article published", "long.txt"), h.log.Count("article updated", "long.txt"); n != 1 || u != 0 {
		t.Errorf("long.txt published %d times and updated %d times, want once and never", n, u)
	}
}

// TestHardLinkPublished: a file that arrives whole through a hard link
// raises no close and no move; it is published all the same, at once.
func TestHardLinkPublished(t *testing.T) {
	h := newHarness(t, "")
	if h.w.done == nil {
		t.Fatal("no close notifications on this system: the test is about them")
	}
	src := filepath.Join(filepath.Dir(h.db), "outside.txt") // same file system, outside the folder
	if err := os.WriteFile(src, []byte("وصل برابط صلب\nفقرة"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(src, filepath.Join(h.dir, "linked.txt")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h.waitTitle(t, "linked.txt", "وصل برابط صلب")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a hard-linked file took %v to be published", d)
	}
}

// TestImplausibleDates: a file dated before 1990 (tools that zero
// modification times) gets a fixed old date, the same in a new database,
// and one dated in the future is dated now.
func TestImplausibleDates(t *testing.T) {
	dir := t.TempDir()
	epoch, future := time.Unix(0, 0), time.Now().Add(48*time.Hour)
	for name, mtime := range map[string]time.Time{"epoch.txt": epoch, "future.txt": future} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("تاريخ "+name), 0o644)
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // a new database each time: the old date stays the same
		store := openStore(t, filepath.Join(t.TempDir(), "test.db"))
		scanOnce(t, dir, store, nil)
		it, err := store.Article("epoch")
		if err != nil || !it.Published.Equal(oldDate) {
			t.Errorf("epoch.txt published %v (%v), want %v", it.Published, err, oldDate)
		}
		it, err = store.Article("future")
		if err != nil || it.Published.After(time.Now()) || it.Published.Before(time.Now().Add(-time.Minute)) {
			t.Errorf("future.txt published %v (%v), want about now", it.Published, err)
		}
	}
}

// TestSettleFallback runs without close notifications, as on systems
// that lack them: a file written in one go is published once it settles,
// and edits and deletions follow.
func TestSettleFallback(t *testing.T) {
	h := prepare(t, "")
	// As where the system has no close notifications: fsnotify alone.
	w := h.watcher(t, Options{Settle: 300 * time.Millisecond, noCompletions: true})
	if w.done != nil || w.fs == nil {
		t.Fatal("noCompletions: want fsnotify alone")
	}
	h.run(t, w)
	// Chunks 100 ms apart, closer than the settle delay: one publication.
	f, err := os.Create(filepath.Join(h.dir, "a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"عنوان\n", "فقرة ١\n", "فقرة ٢\n"} {
		f.WriteString(c)
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	h.waitTitle(t, "a.txt", "عنوان")
	if it, err := h.store.Article("a"); err != nil || len(it.Paragraphs) != 2 {
		t.Errorf("a.txt = %+v, %v; want two paragraphs", it, err)
	}
	os.Remove(filepath.Join(h.dir, "a.txt"))
	h.waitGone(t, "a.txt")
	if n := h.log.Count("article published", "a.txt"); n != 1 {
		t.Errorf("a.txt published %d times, want once", n)
	}
}

// TestRenames: a file renamed within the folder keeps its entry; one moved
// in is published; one moved out is unpublished.
func TestRenames(t *testing.T) {
	h := newHarness(t, "")
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	h.writeAt(t, "a.txt", "مقال يتنقل\nفقرة", old)
	h.waitTitle(t, "a.txt", "مقال يتنقل")
	first := h.published(t, "a") // moved in live: dated when it arrived, not old

	os.MkdirAll(filepath.Join(h.dir, "أرشيف"), 0o755)
	if err := os.Rename(filepath.Join(h.dir, "a.txt"), filepath.Join(h.dir, "أرشيف", "ب.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "أرشيف/ب.txt", "مقال يتنقل")
	h.waitGone(t, "a.txt")
	it, err := h.store.Article("أرشيف/ب")
	if err != nil || it.Key != "a" || !it.Published.Equal(first) {
		t.Errorf("after the rename: %+v, %v; want key a, published %v", it, err, first)
	}

	// Written elsewhere, then moved in: published.
	outside := filepath.Join(t.TempDir(), "ready.txt")
	os.WriteFile(outside, []byte("جاهز\nفقرة"), 0o644)
	if err := os.Rename(outside, filepath.Join(h.dir, "ready.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitTitle(t, "ready.txt", "جاهز")

	// Moved out: unpublished.
	if err := os.Rename(filepath.Join(h.dir, "ready.txt"), filepath.Join(t.TempDir(), "gone.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitGone(t, "ready.txt")
	h.waitLog(t, `msg="article moved" from=a.txt`)
}

// TestRotation renames a file away and writes a new one under its name,
// as a publisher rotating "latest.txt" to an archive name does, both
// while no watcher runs and while one does: the old article keeps its id
// and published date under its new name, and the new file is a new
// article, under another id, with its own date.
func TestRotation(t *testing.T) {
	old := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	check := func(t *testing.T, store *storage.Store, archive string, published time.Time) {
		t.Helper()
		moved, err := store.Article(strings.TrimSuffix(archive, ".txt"))
		if err != nil || moved.Key != "latest" || !moved.Published.Equal(published) || moved.Title != "المقال الأصلي" {
			t.Errorf("%s: key %q published %v title %q (%v); want the original article, key latest, published %v", archive, moved.Key, moved.Published, moved.Title, err, published)
		}
		fresh, err := store.Article("latest")
		if err != nil || fresh.Key == "latest" || fresh.Published.Equal(published) || fresh.Title != "مقال جديد" {
			t.Errorf("latest.txt: key %q published %v title %q (%v); want a new article", fresh.Key, fresh.Published, fresh.Title, err)
		}
	}
	t.Run("while down", func(t *testing.T) {
		dir := t.TempDir()
		store := openStore(t, filepath.Join(t.TempDir(), "test.db"))
		p := filepath.Join(dir, "latest.txt")
		os.WriteFile(p, []byte("المقال الأصلي\nفقرة"), 0o644)
		os.Chtimes(p, old, old)
		scanOnce(t, dir, store, nil)
		os.Rename(p, filepath.Join(dir, "2026-11-01.txt"))
		os.WriteFile(p, []byte("مقال جديد\nفقرة أخرى"), 0o644)
		scanOnce(t, dir, store, nil)
		check(t, store, "2026-11-01.txt", old)
	})
	t.Run("live", func(t *testing.T) {
		h := newHarness(t, "")
		h.writeAt(t, "latest.txt", "المقال الأصلي\nفقرة", old)
		h.waitTitle(t, "latest.txt", "المقال الأصلي")
		first := h.published(t, "latest")
		if err := os.Rename(filepath.Join(h.dir, "latest.txt"), filepath.Join(h.dir, "2026-11-02.txt")); err != nil {
			t.Fatal(err)
		}
		h.write(t, "latest.txt", "مقال جديد\nفقرة أخرى")
		h.waitTitle(t, "latest.txt", "مقال جديد")
		h.waitTitle(t, "2026-11-02.txt", "المقال الأصلي")
		check(t, h.store, "2026-11-02.txt", first)
	})
}

// TestRenameWhileDown renames and moves files while no watcher runs: the
// scan at start-up gives them their keys and published dates back.
func TestRenameWhileDown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(t.TempDir(), "test.db")
	store := openStore(t, db)
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	for _, name := range []string{"a.txt", "b.txt"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("عنوان "+name), 0o644)
		os.Chtimes(p, old, old)
	}
	scanOnce(t, dir, store, nil)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "sub", "a2.txt"))
	os.Rename(filepath.Join(dir, "b.txt"), filepath.Join(dir, "b2.txt"))
	scanOnce(t, dir, store, nil)
	for path, key := range map[string]string{"sub/a2": "a", "b2": "b"} {
		it, err := store.Article(path)
		if err != nil || it.Key != key || !it.Published.Equal(old) {
			t.Errorf("Article(%s) = %+v, %v; want key %s, published %v", path, it, err, key, old)
		}
	}
}

// TestSeedsFolderReplaced removes the seeds folder and makes it again: its
// articles stay published meanwhile, and the watcher recovers.
func TestSeedsFolderReplaced(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "seeds")
	os.Mkdir(dir, 0o755)
	h := newHarness(t, dir)
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	h.writeAt(t, "a.txt", "باق", old)
	h.waitTitle(t, "a.txt", "باق")
	first := h.published(t, "a")

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	h.waitLog(t, "seeds folder is gone")
	if h.titles(t)["a.txt"] != "باق" {
		t.Errorf("removing the seeds folder unpublished its articles")
	}

	// The folder comes back, as a copy from a backup would: same file,
	// new modification time, and one more article.
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("باق"), 0o644)
	h.write(t, "new.txt", "جديد")
	h.waitLog(t, "seeds folder is back")
	h.waitTitle(t, "new.txt", "جديد")
	it, err := h.store.Article("a")
	if err != nil || !it.Published.Equal(first) {
		t.Errorf("a.txt after the folder came back: %+v, %v; want published %v", it, err, first)
	}
	// Watching works again: live events are seen.
	h.write(t, "later.txt", "لاحق")
	h.waitTitle(t, "later.txt", "لاحق")
}

// TestPeriodicRescan misses events on purpose (the folder's watch is
// dropped, as on a network file system): the periodic rescan finds the file.
func TestPeriodicRescan(t *testing.T) {
	h := prepare(t, "")
	os.Mkdir(filepath.Join(h.dir, "nfs"), 0o755)
	// At debug level: a rescan that finds nothing new logs there.
	w := h.watcher(t, Options{Rescan: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	sub := filepath.Join(h.dir, "nfs")
	w.removeWatch(sub)
	h.run(t, w)
	// w.dirs still lists the folder, so no scan adds the watch back.
	h.write(t, "nfs/silent.txt", "بلا أحداث")
	h.waitTitle(t, "nfs/silent.txt", "بلا أحداث")
	h.waitLog(t, "reason=periodic")
}

func TestSpecialFiles(t *testing.T) {
	h := newHarness(t, "")
	outsideDir := t.TempDir()
	os.WriteFile(filepath.Join(outsideDir, "secret.txt"), []byte("سر"), 0o644)
	// A link to a folder outside, and a link to a file outside.
	if err := os.Symlink(outsideDir, filepath.Join(h.dir, "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outsideDir, "secret.txt"), filepath.Join(h.dir, "secret.txt")); err != nil {
		t.Fatal(err)
	}
	// A socket named like an article.
	ln, err := net.Listen("unix", filepath.Join(h.dir, "socket.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A FIFO: opening it for reading would block.
	if err := syscall.Mkfifo(filepath.Join(h.dir, "fifo.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A character device, where this process may make one (root may).
	devErr := syscall.Mknod(filepath.Join(h.dir, "device.txt"), syscall.S_IFCHR|0o644, 1<<8|3) // like /dev/null
	if devErr != nil {
		t.Logf("no device file (%v): the other special files are checked", devErr)
	}
	h.write(t, "visible.txt", "ظاهر")
	h.waitTitle(t, "visible.txt", "ظاهر")
	// A rescan reads what events did not bring, and must not block either.
	h.w.Rescan(context.Background())
	h.waitLog(t, "reason=requested")
	if m := h.titles(t); len(m) != 1 {
		t.Errorf("stored %q; want only visible.txt", m)
	}
	// Each is refused, from its creation event or from the rescan.
	h.wait(t, waitLimit, "log lines refusing secret.txt, fifo.txt and socket.txt", func() bool {
		for _, name := range []string{"secret.txt", "fifo.txt", "socket.txt"} {
			if h.log.Count("file refused", "path="+name) == 0 {
				return false
			}
		}
		return true
	})
	if m := h.titles(t); len(m) != 1 {
		t.Errorf("stored %q; want only visible.txt", m)
	}
}

// TestTooLarge checks -max-size: a larger file is refused, with the
// limit in the message, and published once it is cut down.
func TestTooLarge(t *testing.T) {
	h := prepare(t, "")
	w := h.watcher(t, Options{MaxSize: 1000})
	h.run(t, w)
	h.write(t, "big.txt", "عنوان\n"+strings.Repeat("كلمة ", 300))
	h.waitLog(t, "the limit is 1000")
	h.write(t, "big.txt", "عنوان\nقصير")
	h.waitTitle(t, "big.txt", "عنوان")
}

// TestBurst drops 10,000 files while nobody reads events, so the kernel's
// event queue overflows: every file must be published, none twice.
func TestBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 files; run without -short")
	}
	const n = 10000
	h := prepare(t, "")
	w := h.watcher(t, Options{})
	h.w = w
	// Four events a file (create, write, mode change, write), none of
	// which the kernel can merge with the one before: about 40,000
	// events against a queue of 16,384 (fs.inotify.max_queued_events).
	for i := range n {
		p := filepath.Join(h.dir, fmt.Sprintf("%05d.txt", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("عنوان %d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o640)
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("فقرة\n")
		f.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	h.wait(t, 2*time.Minute, fmt.Sprintf("all %d files published", n), func() bool {
		files, err := h.store.Fingerprints()
		if err != nil {
			t.Fatal(err)
		}
		return len(files) == n
	})
	h.waitLog(t, `reason=overflow`)
	// Let the events still queued drain, then count publications.
	h.write(t, "zz-marker.txt", "علامة")
	h.waitTitle(t, "zz-marker.txt", "علامة")
	seen := map[string]int{}
	for line := range strings.Lines(h.log.String()) {
		if strings.Contains(line, "article published") || strings.Contains(line, "article updated") {
			i := strings.Index(line, "path=")
			seen[strings.Fields(line[i:])[0]]++
		}
	}
	for p, c := range seen {
		if c != 1 {
			t.Errorf("%s published or updated %d times", p, c)
		}
	}
	if len(seen) != n+1 {
		t.Errorf("%d files published, want %d", len(seen), n+1)
	}
	items, err := h.store.Newest(n + 1)
	if err != nil || len(items) != n+1 {
		t.Fatalf("Newest = %d items, %v", len(items), err)
	}
	for _, it := range items {
		if it.Path == "zz-marker.txt" {
			continue
		}
		if strings.Contains(it.Key, "-") || len(it.Paragraphs) != 1 {
			t.Errorf("%s: key %q, %d paragraphs: stored twice or incomplete", it.Path, it.Key, len(it.Paragraphs))
			break
		}
	}
	t.Logf("%d files, %d rescans after overflow", n, h.log.Count("rescan done", "reason=overflow"))
}

// TestFolderReplacedByLink replaces a published folder with a link to a
// folder outside whose files have the same names: nothing from outside
// may be published, and the folder's articles go.
func TestFolderReplacedByLink(t *testing.T) {
	h := newHarness(t, "")
	h.write(t, "news/a.txt", "خبر حقيقي")
	h.waitTitle(t, "news/a.txt", "خبر حقيقي")
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "a.txt"), []byte("SECRET title"), 0o644)
	if err := os.Rename(filepath.Join(h.dir, "news"), filepath.Join(h.dir, ".gone")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(h.dir, "news")); err != nil {
		t.Fatal(err)
	}
	h.waitGone(t, "news/a.txt")
	h.w.Rescan(context.Background())
	h.waitLog(t, "reason=requested")
	for p, title := range h.titles(t) {
		if strings.Contains(title, "SECRET") {
			t.Fatalf("%s published a file from outside the seeds folder", p)
		}
	}
	if strings.Contains(h.log.String(), "SECRET") {
		t.Errorf("the watcher read a file from outside:\n%s", h.log)
	}
}

// TestRenameOverArticle moves one published file over another: that one
// keeps its id and date and takes the moved file's text, as an edit; the
// moved article is unpublished (issue 11: a MOVED_TO onto a published
// name replaces that article).
func TestRenameOverArticle(t *testing.T) {
	h := newHarness(t, "")
	old := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	h.writeAt(t, "a.txt", "أ", old)
	h.writeAt(t, "b.txt", "ب", old.Add(time.Hour))
	h.waitTitle(t, "a.txt", "أ")
	h.waitTitle(t, "b.txt", "ب")
	first := h.published(t, "b")
	if err := os.Rename(filepath.Join(h.dir, "a.txt"), filepath.Join(h.dir, "b.txt")); err != nil {
		t.Fatal(err)
	}
	h.waitGone(t, "a.txt")
	h.waitTitle(t, "b.txt", "أ")
	it, err := h.store.Article("b")
	if err != nil || it.Key != "b" || !it.Published.Equal(first) {
		t.Errorf("b.txt after the rename: %+v, %v; want key b, published %v", it, err, first)
	}
	// The count follows the commit that the titles show by a moment.
	h.wait(t, waitLimit, "a count of 1 article", func() bool { return h.store.Count() == 1 })
	if strings.Contains(h.log.String(), "level=ERROR") {
		t.Errorf("the rename logged an error:\n%s", h.log)
	}
}

// TestEmptyFolderKeepsArticles: a scan that finds no article at all, as
// when a share is not mounted, keeps what is published and says so.
func TestEmptyFolderKeepsArticles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("باق"), 0o644)
	store := openStore(t, filepath.Join(t.TempDir(), "test.db"))
	log := &seedtest.LogBuffer{}
	scanOnce(t, dir, store, log)
	os.Remove(filepath.Join(dir, "a.txt"))
	scanOnce(t, dir, store, log)
	if store.Count() != 1 || !strings.Contains(log.String(), "holds no articles at all") {
		t.Errorf("after a scan of an empty folder: %d articles; log:\n%s", store.Count(), log)
	}
}
