package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// method is one way of publishing, editing, moving or deleting.
type method struct {
	key  string // for -only and in file names
	name string // in the table
	few  bool   // -r-few repetitions rather than -r
	// cols names what the trial waits for where that is more than one
	// thing: one row of the table each.
	cols  []string
	trial func(b *bench, k int) (trial, error)
}

// trial is one repetition of a method, prepared: op is the operation,
// timed from its return; conds say what the feed shows once the change
// is visible; check, if set, is run once they all held.
type trial struct {
	op    func() error
	conds []func(feed []byte) bool
	check func() error
}

// methods, in the order they run. cp -p runs first: today an article is
// dated by its file's modification time (issue 11, section 2), so a file
// with an old one would fall below the articles the other methods add
// and never be among the feed's newest entries.
var methods = []method{
	{key: "cp-p", name: "cp -p (modified an hour ago)", trial: copyIn("-p")},
	{key: "write", name: "write + close (os.WriteFile)", trial: writeClose},
	{key: "sh", name: "shell > (sh -c 'printf … > file')", trial: shellRedirect},
	{key: "cp", name: "cp", trial: copyIn("")},
	{key: "mv-in", name: "mv from a sibling folder", trial: moveIn},
	{key: "tmp-hidden", name: "temp then rename: .name.txt.tmp", trial: tempRename("tmp-hidden", ".%s.txt.tmp")},
	{key: "tmp-tmp", name: "temp then rename: name.tmp", trial: tempRename("tmp-tmp", "%s.tmp")},
	{key: "tmp-tilde", name: "temp then rename: name.txt~", trial: tempRename("tmp-tilde", "%s.txt~")},
	{key: "tmp-part", name: "temp then rename: name.txt.part", trial: tempRename("tmp-part", "%s.txt.part")},
	{key: "tmp-txt", name: "temp then rename: mkstemp tmpXXXXXXXX.txt", trial: mkstemp},
	{key: "rsync", name: "rsync -a of 200 files", few: true, cols: []string{"first", "all"}, trial: rsyncIn},
	{key: "git-pull", name: "git pull (1 new file)", few: true, trial: gitPull},
	{key: "git-checkout", name: "git checkout (5 new, 1 edit)", few: true, trial: gitCheckout},
	{key: "vim", name: "vim :wq (backup by rename)", trial: vimSave},
	{key: "rename", name: "rename within the folder (mv)", trial: renameWithin},
	{key: "subfolder", name: "move into a subfolder (mv)", trial: moveDown},
	{key: "rm", name: "rm", trial: remove},
}

func keys() string {
	var k []string
	for _, m := range methods {
		k = append(k, m.key)
	}
	return strings.Join(k, ",")
}

// setup makes the folders the methods use and publishes one article in
// each folder of the seeds, so that the daemon watches them all before
// anything is timed (a file written into a folder made a moment before
// may be found by a walk rather than by an event).
func (b *bench) setup() error {
	for _, d := range []string{b.dir, filepath.Join(b.dir, "sub"), filepath.Join(b.dir, "rsync"), b.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var s1, s2 syscall.Stat_t
	if err := syscall.Stat(b.seeds, &s1); err != nil {
		return err
	}
	if err := syscall.Stat(b.outside, &s2); err != nil {
		return err
	}
	if s1.Dev != s2.Dev {
		return fmt.Errorf("%s and %s are on different file systems: mv would copy", b.outside, b.seeds)
	}
	for _, d := range []string{"", "sub", "rsync"} {
		name := b.name("warm"+d, 0)
		if _, err := b.publish(filepath.Join(b.dir, d, name+".txt"), b.title(name)); err != nil {
			return err
		}
	}
	return nil
}

// name is the base name, without .txt, of repetition k of a method.
func (b *bench) name(key string, k int) string { return fmt.Sprintf("%s-%s-%02d", key, b.stamp, k) }

// title is the title of the article named name.
func (b *bench) title(name string) string { return "قياس طرق النشر " + name }

// article is an article's text.
func article(title string) []byte {
	return []byte(title + "\nفقرة أولى من مقال قياس، نُشر بطريقة من طرق النشر.\nفقرة ثانية.\n")
}

// fresh returns the name, title and path in the methods' folder of a new
// article of repetition k of a method.
func (b *bench) fresh(key string, k int) (name, title, path string) {
	name = b.name(key, k)
	return name, b.title(name), filepath.Join(b.dir, name+".txt")
}

// shows: the feed holds an entry of this title linked to the article at
// path (new, edited, renamed or moved there).
func (b *bench) shows(title, path string) func([]byte) bool {
	rel := b.rel(path)
	return func(feed []byte) bool {
		for _, e := range entries(feed) {
			if e.title == title && strings.HasSuffix(e.link, "/articles/"+rel) {
				return true
			}
		}
		return false
	}
}

// gone: no entry of the feed has this title.
func gone(title string) func([]byte) bool {
	return func(feed []byte) bool {
		for _, e := range entries(feed) {
			if e.title == title {
				return false
			}
		}
		return true
	}
}

// rel is the article path of the file at path: relative to the seeds
// folder, without .txt (the names here need no escaping).
func (b *bench) rel(path string) string {
	r, err := filepath.Rel(b.seeds, path)
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(filepath.ToSlash(r), ".txt")
}

// publish writes an article at path, untimed, and waits until the feed
// shows it; it returns the file's inode.
func (b *bench) publish(path, title string) (uint64, error) {
	if err := os.WriteFile(path, article(title), 0o644); err != nil {
		return 0, err
	}
	if err := b.await(path, b.shows(title, path)); err != nil {
		return 0, err
	}
	return inode(path)
}

// await waits, untimed, until cond holds of the feed.
func (b *bench) await(what string, cond func([]byte) bool) error {
	_, ok, err := b.poller.Wait(time.Now(), b.limit, cond)
	if err == nil && !ok {
		err = fmt.Errorf("%s: not in the feed within %v", what, b.limit)
	}
	return err
}

// command returns an operation that runs a command in dir (the current
// folder if empty), bounded in time, with git told who commits and kept
// from any configuration of the machine's.
func command(dir string, name string, args ...string) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@localhost",
			"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@localhost")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
}

// steps runs operations in turn, up to the first that fails.
func steps(ops ...func() error) error {
	for _, op := range ops {
		if err := op(); err != nil {
			return err
		}
	}
	return nil
}
