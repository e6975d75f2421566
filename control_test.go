package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seedfeed/seedfeed/seedtest"
	"github.com/seedfeed/seedfeed/storage"
)

// TestCheckCommand runs check on good and refused files.
func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.txt"), []byte("عنوان جيد\nفقرة"), 0o644)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "-seeds", dir}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("check of a good folder = %v\n%s", err, &out)
	}
	if !strings.Contains(out.String(), "ok  ") || !strings.Contains(out.String(), "عنوان جيد") || !strings.Contains(out.String(), "1 would be published, 0 refused") {
		t.Errorf("check output:\n%s", &out)
	}

	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "legacy.txt"), []byte("\xc7\xe1\xda\xd1\xc8\xed\xc9"), 0o644)
	out.Reset()
	err := run(context.Background(), []string{"check", "-seeds", dir, "-charset", "none"}, env(nil), &out, io.Discard)
	if !errors.Is(err, errRefused) {
		t.Errorf("check with refused files = %v, want errRefused (exit 1)", err)
	}
	for _, want := range []string{"refused  empty.txt", "empty:", "refused  legacy.txt", "not_utf8", "1 would be published, 2 refused"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, &out)
		}
	}
	// The same folder with the default charset: the legacy file passes,
	// and check says what it was decoded from.
	out.Reset()
	run(context.Background(), []string{"check"}, env(map[string]string{"SEEDFEED_SEEDS": dir}), &out, io.Discard)
	for _, want := range []string{"2 would be published, 1 refused", "العربية (0 paragraphs, decoded from windows-1256)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check with SEEDFEED_SEEDS and windows-1256 lacks %q:\n%s", want, &out)
		}
	}
}

// TestCheckQuiet: on a big folder, -quiet prints only what would be
// refused and the summary, which counts the refusals by reason; no reason
// is said twice, and the exit status still says whether any would be.
func TestCheckQuiet(t *testing.T) {
	dir := t.TempDir()
	for i := range 30 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.txt", i)), []byte(fmt.Sprintf("عنوان %d\nفقرة", i)), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "bin.txt"), []byte("a\x00b"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.txt"), bytes.Repeat([]byte("كلمة "), 300), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "-quiet", "-max-size", "1KiB", "-seeds", dir}, env(nil), &out, io.Discard)
	if !errors.Is(err, errRefused) {
		t.Errorf("check -quiet = %v, want errRefused (exit 1)", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || lines[3] != "30 would be published, 3 refused (1 empty, 1 binary, 1 too_large)" {
		t.Errorf("check -quiet printed %d lines, want 3 refusals and the summary:\n%s", len(lines), &out)
	}
	for _, bad := range []string{"ok ", "binary: binary", "too_large: too large", "paragraphs)"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("check -quiet output holds %q:\n%s", bad, &out)
		}
	}
	// Nothing refused: only the summary, and exit 0.
	for _, name := range []string{"bin.txt", "big.txt", "empty.txt"} {
		os.Remove(filepath.Join(dir, name))
	}
	out.Reset()
	if err := run(context.Background(), []string{"check", "-quiet", "-seeds", dir}, env(nil), &out, io.Discard); err != nil || out.String() != "30 would be published, 0 refused\n" {
		t.Errorf("check -quiet of a good folder = %v:\n%s", err, &out)
	}
}

// TestCheckCharsets: check tells a file in the wrong charset from one in
// the right one, names the charset it most likely is, decodes UTF-16 with
// its byte-order mark, and takes NAME.TXT as an article.
func TestCheckCharsets(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// "Économie" in windows-1252: read as windows-1256, "ةconomie".
		"french.txt": "\xc9conomie : la croissance ralentit\nLe caf\xe9 est ferm\xe9.",
		// "عنوان" then "فقرة" in UTF-16 LE, with its byte-order mark.
		"notepad.txt": "\xff\xfe\x39\x06\x46\x06\x48\x06\x27\x06\x46\x06\n\x00\x41\x06\x42\x06\x31\x06\x29\x06",
		"UPPER.TXT":   "عنوان بأحرف كبيرة\nفقرة",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "-seeds", dir}, env(nil), &out, io.Discard)
	if !errors.Is(err, errRefused) {
		t.Errorf("check = %v, want errRefused (exit 1)", err)
	}
	for _, want := range []string{
		`(?m)^refused +french\.txt +wrong_charset: .*"ةconomie".* most likely windows-1252`,
		`(?m)^ok +notepad\.txt +عنوان \(1 paragraph, decoded from utf-16le\)$`,
		`(?m)^ok +UPPER\.TXT +عنوان بأحرف كبيرة \(1 paragraph\)$`,
		`(?m)^2 would be published, 1 refused \(1 wrong_charset\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("check output lacks %s:\n%s", want, &out)
		}
	}
}

// TestBackupAndList runs backup and list against a running daemon (over
// its control socket) and against a stopped one (the file itself).
func TestBackupAndList(t *testing.T) {
	seeds := copySeeds(t)
	// Two more, dated apart, for the order of the list: newest first.
	for name, at := range map[string]time.Time{
		"older.txt": time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
		"newer.txt": time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		p := filepath.Join(seeds, name)
		os.WriteFile(p, []byte("مقال "+name), 0o644)
		os.Chtimes(p, at, at)
	}
	db := filepath.Join(t.TempDir(), "live.db")
	d := startDaemon(t, seeds, db, "-base-url", "https://news.example.com")

	fi, err := os.Stat(socketPath(db))
	if err != nil || fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("control socket %s: %v, mode %v; want a socket readable by its owner only", socketPath(db), err, fi.Mode())
	}
	for _, path := range []string{"/backup", "/list"} {
		if resp, _ := d.get(t, path); resp.StatusCode != 404 {
			t.Errorf("the public listener answers %s with %d", path, resp.StatusCode)
		}
	}

	t.Run("daemon running", func(t *testing.T) {
		// The daemon holds the lock: this can only work over the socket.
		if _, err := storage.Open(db, storage.Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, storage.ErrLocked) {
			t.Fatalf("the database is not locked by the daemon: %v", err)
		}
		checkBackupAndList(t, db, env(nil), "running")
		checkBackupRefused(t, db)
	})
	d.stop(t)
	// Stopped, the daemon cannot say its public URL: list takes it as the
	// daemon does, from -base-url or SEEDFEED_BASE_URL.
	listEnv := env(map[string]string{"SEEDFEED_BASE_URL": "https://news.example.com"})
	t.Run("daemon stopped", func(t *testing.T) {
		checkBackupAndList(t, db, listEnv, "stopped")
		checkBackupRefused(t, db)
	})
	t.Run("older layout, stopped", func(t *testing.T) {
		// A database an older seedfeed wrote: list cannot read it until
		// the daemon migrates it, backup copies it as it is.
		old := filepath.Join(t.TempDir(), "old.db")
		data, err := os.ReadFile(db)
		if err == nil {
			err = os.WriteFile(old, data, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		seedtest.SetSchema(t, old, "3")
		out := filepath.Join(t.TempDir(), "old-backup.db")
		if err := run(context.Background(), []string{"backup", "-db", old, out}, env(nil), io.Discard, io.Discard); err != nil {
			t.Fatalf("backup of an older layout = %v", err)
		}
		if got := seedtest.SchemaOf(t, out); got != "3" {
			t.Errorf("the backup has schema %q, want the original's 3", got)
		}
	})

	t.Run("backup usage", func(t *testing.T) {
		err := run(context.Background(), []string{"backup", "-db", db}, env(nil), io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("backup without OUT = %v, want a usage error", err)
		}
		err = run(context.Background(), []string{"backup", "-db", filepath.Join(t.TempDir(), "none.db"), filepath.Join(t.TempDir(), "x")}, env(nil), io.Discard, io.Discard)
		if err == nil {
			t.Error("backup of a missing database succeeded")
		}
	})
}

// checkBackupAndList runs list and backup on TestBackupAndList's
// database, with getenv as list's environment; label says whether the
// daemon runs.
func checkBackupAndList(t *testing.T, db string, getenv func(string) string, label string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"list", "-db", db}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("list (%s) = %v", label, err)
	}
	for _, want := range []string{"ID", "PUBLISHED", "https://news.example.com/articles/000_a9589b6d9dbb613e", "000_a9589b6d9dbb613e.txt", "رويترز"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list (%s) lacks %q:\n%s", label, want, &out)
		}
	}
	if i, j := strings.Index(out.String(), "2025-06-01"), strings.Index(out.String(), "2021-06-01"); i < 0 || j < 0 || i > j {
		t.Errorf("list (%s) is not newest first:\n%s", label, &out)
	}
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	out.Reset()
	if err := run(context.Background(), []string{"backup", "-db", db, copyPath}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("backup (%s) = %v", label, err)
	}
	// bbolt's consistency check, then the articles.
	if got := inspect(t, copyPath); len(got) != 3 {
		t.Errorf("the backup (%s) holds %d articles, want 3", label, len(got))
	}
	checkBackupToStdout(t, db, label)
	checkListJSON(t, db, getenv, label)
}

// checkBackupToStdout runs "backup -": the copy goes to standard output,
// no file named "-" is made, and stderr says how much was written.
func checkBackupToStdout(t *testing.T, db, label string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"backup", "-db", db, "-"}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("backup - (%s) = %v", label, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Errorf("backup - (%s) wrote a file named -", label)
	}
	if !strings.Contains(errOut.String(), fmt.Sprintf("wrote %d bytes", out.Len())) {
		t.Errorf("backup - (%s) said %q, want the %d bytes written", label, &errOut, out.Len())
	}
	copyPath := filepath.Join(dir, "from-stdout.db")
	if err := os.WriteFile(copyPath, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := inspect(t, copyPath); len(got) != 3 {
		t.Errorf("the backup - (%s) holds %d articles, want 3", label, len(got))
	}
}

// checkListJSON runs "list -json": one JSON object a line, newest first,
// with the id, the page's URL, the path, the exact title and both dates.
func checkListJSON(t *testing.T, db string, getenv func(string) string, label string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"list", "-json", "-db", db}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("list -json (%s) = %v", label, err)
	}
	var entries []listEntry
	for line := range strings.Lines(out.String()) {
		var e listEntry
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("list -json (%s): line %q: %v", label, line, err)
		}
		entries = append(entries, e)
	}
	byPath := map[string]listEntry{}
	for i, e := range entries {
		byPath[e.Path] = e
		if i > 0 && e.Published.After(entries[i-1].Published) {
			t.Errorf("list -json (%s) is not newest first: %+v", label, entries)
		}
	}
	if len(entries) != 3 || !byPath["newer.txt"].Published.After(byPath["older.txt"].Published) {
		t.Fatalf("list -json (%s) = %+v, want 3 entries, newer.txt after older.txt", label, entries)
	}
	seed := byPath["000_a9589b6d9dbb613e.txt"]
	if seed.ID != "https://news.example.com/articles/000_a9589b6d9dbb613e" || seed.URL != seed.ID ||
		seed.Path != "000_a9589b6d9dbb613e.txt" || !strings.Contains(seed.Title, "رويترز") ||
		seed.Published.IsZero() || seed.Updated.Before(seed.Published) {
		t.Errorf("list -json (%s): the seed article is %+v", label, seed)
	}
	if e := byPath["newer.txt"]; e.Title != "مقال newer.txt" || e.URL != "https://news.example.com/articles/newer" {
		t.Errorf("list -json (%s): newer.txt is %+v, want its title exactly as written and its page", label, e)
	}
}

// checkBackupRefused asks for backups of db onto db itself and onto its
// control socket: both are refused, and db is unchanged.
func checkBackupRefused(t *testing.T, db string) {
	t.Helper()
	before, _ := os.ReadFile(db)
	for _, out := range []string{db, socketPath(db)} {
		err := run(context.Background(), []string{"backup", "-db", db, out}, env(nil), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "would replace") {
			t.Errorf("backup onto %s = %v, want a refusal", out, err)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("a refused backup changed the database")
	}
}

// TestLongDatabasePath: a database path too long for a Unix socket beside
// it costs the control socket, not the daemon.
func TestLongDatabasePath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, copySeeds(t), filepath.Join(dir, "seedfeed.db"))
	if resp, _ := d.get(t, "/feed.atom"); resp.StatusCode != 200 {
		t.Errorf("GET /feed.atom = %d", resp.StatusCode)
	}
	if !strings.Contains(d.log.String(), "no control socket") {
		t.Errorf("the log does not say the control socket is missing:\n%s", d.log)
	}
}

// TestStalledBackup: a backup client that stops reading must not stop
// publication (a read transaction held open would block the writer that
// grows the database).
func TestStalledBackup(t *testing.T) {
	seeds := copySeeds(t)
	// A database larger than a Unix socket's buffer, so that a copy
	// streamed to a client that does not read cannot end.
	body := strings.Repeat("فقرة تملأ قاعدة البيانات. ", 200)
	for i := range 400 {
		os.WriteFile(filepath.Join(seeds, fmt.Sprintf("a%03d.txt", i)), []byte(fmt.Sprintf("أول %d\n%s", i, body)), 0o644)
	}
	db := filepath.Join(t.TempDir(), "stall.db")
	d := startDaemon(t, seeds, db)
	conn, err := net.Dial("unix", socketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /backup HTTP/1.1\r\nHost: x\r\n\r\n")
	head := make([]byte, 12)
	if _, err := io.ReadFull(conn, head); err != nil || string(head) != "HTTP/1.1 200" {
		t.Fatalf("backup status %q, %v", head, err)
	}
	// Now never read on. Enough files that bbolt must grow its map.
	for i := range 800 {
		os.WriteFile(filepath.Join(seeds, fmt.Sprintf("s%03d.txt", i)), []byte(fmt.Sprintf("عنوان %d\n%s", i, body)), 0o644)
	}
	seedtest.WaitFor(t, eventLimit, "1201 articles while the backup client stalls", d.log, func() bool {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(d.url + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `"articles":1201`)
	})
}

// TestCommandHelp: each command lists only the flags it uses, each said
// for what that command does with it, and no twin for a way to print.
func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		cmd          string
		want, refuse []string
	}{
		{"list", []string{"-db", "-base-url", "-addr", "the daemon's HOST:PORT", "-json"}, []string{"listen on", "SEEDFEED_JSON", "-seeds", "-limit"}},
		{"check", []string{"-seeds", "-charset", "-max-size", "-quiet"}, []string{"SEEDFEED_QUIET", "-db", "-addr"}},
		{"backup", []string{"-db", "OUT|-"}, []string{"-seeds", "-addr"}},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{tc.cmd, "-h"}, env(nil), io.Discard, &out); !errors.Is(err, errHelp) {
			t.Errorf("%s -h = %v, want errHelp", tc.cmd, err)
		}
		for _, want := range tc.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s -h lacks %q:\n%s", tc.cmd, want, &out)
			}
		}
		for _, bad := range tc.refuse {
			if strings.Contains(out.String(), bad) {
				t.Errorf("%s -h holds %q:\n%s", tc.cmd, bad, &out)
			}
		}
	}
}

// TestCheckMetadata runs check on real files: a file whose front matter
// says more than its title gets a line per key under it, its date in
// -timezone; a draft says so in its status and in the summary; a missing
// image is a warning, not a refusal.
func TestCheckMetadata(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"desk/مقال.md": "---\ntitle: عنوان المقال\ndate: 2024-05-01 10:00\n" +
			"authors:\n  - name: سارة أحمد\n    url: https://example.com/sara\n    email: sara@example.com\n  - Omar\n" +
			"categories: [سياسة, اقتصاد]\ntags: انتخابات\nimage: صور/صورة.jpg\nimage_alt: وصف الصورة\n" +
			"summary: " + strings.Repeat("ملخص ", 20) + "\nlang: en\nlink: https://example.com/original\n" +
			"colour: red\nweight: 3\n---\nأ\n\nب\n",
		"desk/صور/صورة.jpg": strings.Repeat("j", 4821),
		"مسودة.md":          "---\ntitle: مسودة\ndraft: true\n---\n",
		"b.md":              "---\ntitle: بعيدة\nimage: https://example.com/a.jpg\n---\n",
		"c.md":              "---\nimage: لا/توجد.png\n---\n# بلا صورة\n\nنص\n",
		"plain.txt":         "نص\nف\n",
		"empty.md":          "",
	}
	for name, text := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	args := []string{"check", "-seeds", dir, "-timezone", "Asia/Riyadh"}
	if err := run(context.Background(), args, env(nil), &out, io.Discard); !errors.Is(err, errRefused) {
		t.Errorf("%q = %v, want errRefused (exit 1)", args, err)
	}
	for _, want := range []string{
		`ok       desk/مقال.md  عنوان المقال (2 paragraphs)
                       date: 2024-05-01T10:00:00+03:00
                       authors: سارة أحمد (https://example.com/sara, sara@example.com); Omar
                       categories: سياسة, اقتصاد
                       tags: انتخابات
                       image: desk/صور/صورة.jpg (image/jpeg, 4821 bytes), alt "وصف الصورة"
                       summary: ` + strings.Repeat("ملخص ", 16) + `…
                       lang: en
                       link: https://example.com/original
                       warning: unknown keys: colour, weight
`,
		"draft    مسودة.md      مسودة (0 paragraphs)\n",
		"ok       b.md          بعيدة (0 paragraphs)\n                       image: https://example.com/a.jpg\n",
		"ok       c.md          بلا صورة (1 paragraph)\n                       warning: image missing: لا/توجد.png: no such file (published without it)\n",
		"ok       plain.txt     نص (1 paragraph)\n",
		"refused  empty.md      empty: no text: the file is empty or blank\n",
		"4 would be published, 1 draft, 1 refused (1 empty)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check printed:\n%s\nwant it to hold:\n%s", &out, want)
		}
	}
}

// TestCheckJSON: check -json prints one object a file, refusals with
// their reason, and with -quiet only those; the exit status is check's.
func TestCheckJSON(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.txt"), []byte("عنوان <جيد>\nفقرة"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	for _, quiet := range []bool{false, true} {
		args := []string{"check", "-json", "-seeds", dir}
		if quiet {
			args = append(args, "-quiet")
		}
		var out bytes.Buffer
		if err := run(context.Background(), args, env(nil), &out, io.Discard); !errors.Is(err, errRefused) {
			t.Errorf("%q = %v, want errRefused (exit 1)", args, err)
		}
		var got []checkEntry
		for line := range strings.Lines(out.String()) {
			var e checkEntry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("%q printed %q, not a JSON object: %v", args, line, err)
			}
			got = append(got, e)
		}
		want := []checkEntry{{Path: "empty.txt", Status: "refused", Reason: "empty", Error: "no text: the file is empty or blank"}}
		if !quiet {
			want = append(want, checkEntry{Path: "good.txt", Status: "ok", Title: "عنوان <جيد>", Paragraphs: 1})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q printed:\n%s\nwant %+v", args, &out, want)
		}
		if strings.Contains(out.String(), `\u003c`) {
			t.Errorf("%q escaped the title's <:\n%s", args, &out)
		}
	}
}

// TestCheckSections: check reads each folder's _index.md as the daemon
// would: what it says of the section, or why it would be refused, which
// fails the check as a refused article does.
func TestCheckSections(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "رياضة", "_index.md"), "---\ntitle: الرياضة\ndescription: أخبار الملاعب\nlang: ar\ncolour: red\n---\n")
	writeFile(t, filepath.Join(dir, "رياضة", "مباراة.md"), "# مباراة\n\nفاز الفريق.\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "-seeds", dir}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("check = %v\n%s", err, &out)
	}
	for _, want := range []string{"section  رياضة/_index.md  الرياضة", "description: أخبار الملاعب", "warning: unknown keys: colour", "1 would be published, 1 section described, 0 refused"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, &out)
		}
	}
	writeFile(t, filepath.Join(dir, "رياضة", "_index.md"), "---\ntitle: [الرياضة\n---\n")
	out.Reset()
	err := run(context.Background(), []string{"check", "-seeds", dir}, env(nil), &out, io.Discard)
	if !errors.Is(err, errRefused) {
		t.Errorf("check of a malformed _index.md = %v, want errRefused (exit 1)", err)
	}
	for _, want := range []string{"refused  رياضة/_index.md  invalid_yaml", "line 2, column", "1 would be published, 1 refused (1 invalid_yaml)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, &out)
		}
	}
}
