package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// The git methods work in a clone under the seeds folder (its .git is
// hidden, so git's own files are never articles), pulling from a
// repository prepared outside.

// gitDesk makes, once, the origin repository outside and its clone under
// seeds, and waits until the clone's one article is in the feed.
func (b *bench) gitDesk() error {
	if b.desk != "" {
		return nil
	}
	origin, desk := filepath.Join(b.outside, "git-origin"), filepath.Join(b.dir, "desk")
	name := b.name("git-desk", 0)
	if err := os.MkdirAll(origin, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(origin, name+".txt"), article(b.title(name)), 0o644); err != nil {
		return err
	}
	err := steps(command(origin, "git", "init", "-q", "-b", "main"),
		command(origin, "git", "add", "-A"),
		command(origin, "git", "commit", "-q", "-m", "first article"),
		command("", "git", "clone", "-q", origin, desk))
	if err != nil {
		return err
	}
	b.origin, b.desk = origin, desk
	return b.await("the clone's article", b.shows(b.title(name), filepath.Join(desk, name+".txt")))
}

// commit writes articles into the origin (and the edits of those that
// exist) and commits them on the branch checked out there.
func (b *bench) commit(msg string, titles map[string]string) error {
	for name, title := range titles {
		if err := os.WriteFile(filepath.Join(b.origin, name+".txt"), article(title), 0o644); err != nil {
			return err
		}
	}
	return steps(command(b.origin, "git", "add", "-A"), command(b.origin, "git", "commit", "-q", "-m", msg))
}

// gitPull: the origin's main gains one article, which the clone pulls.
func gitPull(b *bench, k int) (trial, error) {
	if err := b.gitDesk(); err != nil {
		return trial{}, err
	}
	name := b.name("git-pull", k)
	if err := b.commit("one article", map[string]string{name: b.title(name)}); err != nil {
		return trial{}, err
	}
	op := command(b.desk, "git", "pull", "-q", "--ff-only")
	return trial{op: op, conds: conds(b.shows(b.title(name), filepath.Join(b.desk, name+".txt")))}, nil
}

// gitCheckout: a branch adds an article, which the clone checks out
// (untimed) until the feed shows it; a branch from there adds five and
// edits that one, and the clone checks that out.
func gitCheckout(b *bench, k int) (trial, error) {
	if err := b.gitDesk(); err != nil {
		return trial{}, err
	}
	name := b.name("git-checkout", k)
	base, next := name+"-base", name
	edited := b.title(name) + " بعد التعديل"
	added := map[string]string{name: edited}
	for i := range 5 {
		n := fmt.Sprintf("%s-%d", name, i+1)
		added[n] = b.title(n)
	}
	err := steps(command(b.origin, "git", "checkout", "-q", "-b", base),
		func() error { return b.commit("one article", map[string]string{name: b.title(name)}) },
		command(b.origin, "git", "checkout", "-q", "-b", next),
		func() error { return b.commit("five articles and an edit", added) },
		command(b.desk, "git", "fetch", "-q", "origin"),
		command(b.desk, "git", "checkout", "-q", "-b", base, "origin/"+base),
		command(b.desk, "git", "branch", "-q", next, "origin/"+next))
	if err == nil {
		err = b.await("branch "+base, b.shows(b.title(name), filepath.Join(b.desk, name+".txt")))
	}
	var cs []func([]byte) bool
	for n, title := range added {
		cs = append(cs, b.shows(title, filepath.Join(b.desk, n+".txt")))
	}
	return trial{op: command(b.desk, "git", "checkout", "-q", next), conds: conds(all(cs))}, err
}
