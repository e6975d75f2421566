package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// New articles, written into the seeds folder in one go.

func writeClose(b *bench, k int) (trial, error) {
	_, title, dst := b.fresh("write", k)
	op := func() error { return os.WriteFile(dst, article(title), 0o644) }
	return trial{op: op, conds: conds(b.shows(title, dst))}, nil
}

func shellRedirect(b *bench, k int) (trial, error) {
	_, title, dst := b.fresh("sh", k)
	op := command("", "sh", "-c", `printf '%s' "$1" > "$2"`, "sh", string(article(title)), dst)
	return trial{op: op, conds: conds(b.shows(title, dst))}, nil
}

// copyIn copies a file prepared outside with cp and flag ("-p": keeping
// its modification time, an hour ago).
func copyIn(flag string) func(b *bench, k int) (trial, error) {
	return func(b *bench, k int) (trial, error) {
		name, title, dst := b.fresh("cp"+flag, k)
		src, err := b.prepare(name, title, time.Hour)
		if err != nil {
			return trial{}, err
		}
		args := []string{src, dst}
		if flag != "" {
			args = append([]string{flag}, args...)
		}
		return trial{op: command("", "cp", args...), conds: conds(b.shows(title, dst))}, nil
	}
}

// moveIn moves a file prepared in the sibling folder into seeds with mv:
// one rename, the atomic publish.
func moveIn(b *bench, k int) (trial, error) {
	name, title, dst := b.fresh("mv-in", k)
	src, err := b.prepare(name, title, 0)
	if err != nil {
		return trial{}, err
	}
	return trial{op: command("", "mv", src, dst), conds: conds(b.shows(title, dst))}, nil
}

// prepare writes an article outside the seeds folder, modified age ago.
func (b *bench) prepare(name, title string, age time.Duration) (string, error) {
	src := filepath.Join(b.outside, name+".txt")
	if err := os.WriteFile(src, article(title), 0o644); err != nil {
		return "", err
	}
	at := time.Now().Add(-age)
	return src, os.Chtimes(src, at, at)
}

// tempRename writes a temporary file named by pattern (a Printf format
// of the final base name) beside the final name, then renames it.
func tempRename(key, pattern string) func(b *bench, k int) (trial, error) {
	return func(b *bench, k int) (trial, error) {
		name, title, dst := b.fresh(key, k)
		tmp := filepath.Join(b.dir, fmt.Sprintf(pattern, name))
		op := func() error {
			if err := os.WriteFile(tmp, article(title), 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, dst)
		}
		return trial{op: op, conds: conds(b.shows(title, dst))}, nil
	}
}

// mkstempScript is what Python programs do to write a file atomically.
const mkstempScript = `import os, sys, tempfile
fd, tmp = tempfile.mkstemp(dir=sys.argv[1], suffix=".txt")
os.write(fd, sys.argv[3].encode())
os.fsync(fd)
os.close(fd)
os.replace(tmp, sys.argv[2])
`

func mkstemp(b *bench, k int) (trial, error) {
	_, title, dst := b.fresh("mkstemp", k)
	op := command("", "python3", "-c", mkstempScript, b.dir, dst, string(article(title)))
	return trial{op: op, conds: conds(b.shows(title, dst))}, nil
}

// rsyncIn copies 200 files prepared outside into a watched folder with
// rsync -a, which writes each to a hidden temporary name and renames it.
// Their modification times, which rsync keeps, are a millisecond apart
// and newer than every other article, so that the feed's newest entries
// are the batch's newest once the batch is in: "all" is those (a feed
// holds -limit of them); a check then asks every article's page.
func rsyncIn(b *bench, k int) (trial, error) {
	name := b.name("rsync", k)
	src := filepath.Join(b.outside, name)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return trial{}, err
	}
	time.Sleep(250 * time.Millisecond) // after the previous method's articles
	start := time.Now().Add(-200 * time.Millisecond)
	var titles, paths []string
	for i := range 200 {
		f := fmt.Sprintf("%s-%03d", name, i)
		titles = append(titles, b.title(f))
		paths = append(paths, filepath.Join(b.dir, "rsync", f+".txt"))
		p := filepath.Join(src, f+".txt")
		at := start.Add(time.Duration(i) * time.Millisecond)
		if err := os.WriteFile(p, article(titles[i]), 0o644); err != nil {
			return trial{}, err
		}
		if err := os.Chtimes(p, at, at); err != nil {
			return trial{}, err
		}
	}
	var newest []func([]byte) bool
	for i := max(0, 200-b.entries); i < 200; i++ {
		newest = append(newest, b.shows(titles[i], paths[i]))
	}
	return trial{
		op:    command("", "rsync", "-a", src+"/", filepath.Join(b.dir, "rsync")+"/"),
		conds: conds(anyOf(titles), all(newest)),
		check: func() error { return b.pages(paths) },
	}, nil
}

// pages checks that every article at paths has its page.
func (b *bench) pages(paths []string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	for _, p := range paths {
		resp, err := client.Get(b.site + "/articles/" + b.rel(p))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", b.rel(p), resp.Status)
		}
	}
	return nil
}

// An article published first, untimed, then edited, renamed, moved or
// deleted.

// vimSave edits the title with vim, set to make its backup by renaming
// the file (name~, kept) and writing a new one; the check makes sure it
// did ('backupskip' would skip backups in /tmp).
func vimSave(b *bench, k int) (trial, error) {
	name, title, dst := b.fresh("vim", k)
	ino, err := b.publish(dst, title)
	if err != nil {
		return trial{}, err
	}
	edited := title + " بعد التعديل"
	op := command("", "vim", "-u", "NONE", "-i", "NONE", "-N", "-es", "--cmd", "set encoding=utf-8",
		"-c", "set backup writebackup backupcopy=no backupskip=", "-c", "1s/.*/"+edited+"/", "-c", "wq", dst)
	check := func() error {
		now, err := inode(dst)
		if err == nil && now == ino {
			err = fmt.Errorf("vim wrote %s in place, not by renaming", name)
		}
		if _, e := os.Stat(dst + "~"); err == nil && e != nil {
			err = fmt.Errorf("vim left no backup of %s: %v", name, e)
		}
		return err
	}
	return trial{op: op, conds: conds(b.shows(edited, dst)), check: check}, nil
}

func renameWithin(b *bench, k int) (trial, error) {
	_, title, dst := b.fresh("rename", k)
	if _, err := b.publish(dst, title); err != nil {
		return trial{}, err
	}
	to := strings.TrimSuffix(dst, ".txt") + "-renamed.txt"
	return trial{op: command("", "mv", dst, to), conds: conds(b.shows(title, to))}, nil
}

func moveDown(b *bench, k int) (trial, error) {
	name, title, dst := b.fresh("subfolder", k)
	if _, err := b.publish(dst, title); err != nil {
		return trial{}, err
	}
	to := filepath.Join(b.dir, "sub", name+".txt")
	return trial{op: command("", "mv", dst, to), conds: conds(b.shows(title, to))}, nil
}

func remove(b *bench, k int) (trial, error) {
	_, title, dst := b.fresh("rm", k)
	if _, err := b.publish(dst, title); err != nil {
		return trial{}, err
	}
	return trial{op: command("", "rm", dst), conds: conds(gone(title))}, nil
}

func conds(c ...func([]byte) bool) []func([]byte) bool { return c }

// anyOf: the feed shows an article of one of these titles.
func anyOf(titles []string) func([]byte) bool {
	set := make(map[string]bool, len(titles))
	for _, t := range titles {
		set[t] = true
	}
	return func(feed []byte) bool {
		for _, e := range entries(feed) {
			if set[e.title] {
				return true
			}
		}
		return false
	}
}

// all: every one of cs holds.
func all(cs []func([]byte) bool) func([]byte) bool {
	return func(feed []byte) bool {
		for _, c := range cs {
			if !c(feed) {
				return false
			}
		}
		return true
	}
}

func inode(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}
