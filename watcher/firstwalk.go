package watcher

import (
	"cmp"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/seedfeed/seedfeed/article"
)

// walked is what New's walk found: article files, and folders it could
// not read. The start-up scan goes through these instead of walking the
// folder a second time: New watched every folder before listing it, so
// whatever changed since is told by events. With a folder per article,
// the second walk was half the time a restart took. The files' paths
// under the root are kept end to end in one buffer: as strings (or as
// fs.DirEntry values), 100,000 of them raised the peak memory of a
// restart by 12 MB.
type walked struct {
	names []byte  // the files' paths under the root, end to end
	ends  []int32 // where each path in names ends
	errs  []walkErr
}

type walkErr struct {
	path string // absolute
	err  error
}

// add notes what a walk of root found at p: an article file, or a folder
// it could not read (err).
func (f *walked) add(root, p string, err error) {
	if err != nil {
		f.errs = append(f.errs, walkErr{p, err})
		return
	}
	r, ok := strings.CutPrefix(p, root+string(filepath.Separator))
	if r = filepath.ToSlash(r); ok && len(f.names)+len(r) <= math.MaxInt32 && (candidate(r) || article.IsSection(r)) {
		f.names = append(f.names, r...)
		f.ends = append(f.ends, int32(len(f.names)))
	}
}

// merge adds what o found to f.
func (f *walked) merge(o *walked) {
	base := int32(len(f.names))
	if int64(base)+int64(len(o.names)) > math.MaxInt32 {
		return // 2 GB of names: the scan walks instead (see walk)
	}
	f.names = append(f.names, o.names...)
	for _, e := range o.ends {
		f.ends = append(f.ends, base+e)
	}
	f.errs = append(f.errs, o.errs...)
}

// replay goes through what New's walk found, as walk would.
func (f *walked) replay(visit func(p string, d fs.DirEntry, err error) error, abs func(string) string) error {
	for _, e := range f.errs {
		if err := visit(e.path, nil, e.err); err != nil {
			return err
		}
	}
	start := int32(0)
	for _, end := range f.ends {
		if err := visit(abs(string(f.names[start:end])), nil, nil); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// walked notes what a walk found at p, for the start-up scan, until it
// has run.
func (w *Watcher) walked(p string, err error) {
	if w.firstWalk != nil {
		w.firstWalk.add(w.root, p, err)
	}
}

// subtree is what one worker of watchAll did in its share of the tree:
// each folder watched (or the kernel's answer), in the order it met
// them, and what it found.
type subtree struct {
	dirs  []folderWatch
	found walked
	err   error // the walk could not start at its top
}

type folderWatch struct {
	rel string
	err error
}

// spread is how many subtrees watchAll wants for each processor before
// it hands them out: the folders above them it walks itself.
const spread = 8

// watchAll is New's walk: it watches the seeds folder and every folder
// under it, and notes the article files it finds for the start-up scan
// (see walked). With a folder per article the walk is most of a restart,
// and it is system calls (open, list, inotify_add_watch a folder) that
// run side by side on every processor: the top folders are walked here
// until there are subtrees enough, and each subtree by a worker that
// watches each of its folders before it lists it, so that whatever
// changes after is told. What a watch's outcome means (see noteWatch) is
// decided here, after.
func (w *Watcher) watchAll() error {
	defer w.noteFolders()
	frontier := []string{"."}
	for depth := 0; len(frontier) > 0 && depth < 3 && len(frontier) < spread*runtime.GOMAXPROCS(0); depth++ {
		var next []string
		for _, rel := range frontier {
			subs, err := w.watchList(rel)
			if err != nil {
				return err
			}
			next = append(next, subs...)
		}
		frontier = next
	}
	tops := frontier // subtrees for the workers
	results := make([]subtree, len(tops))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(tops)) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = w.watchSubtree(tops[i])
			}
		})
	}
	for i := range tops {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return w.adopt(tops, results)
}

// adopt decides, on the watcher's goroutine, what the workers' watches
// mean (see noteWatch), and keeps what they found for the start-up scan.
func (w *Watcher) adopt(tops []string, results []subtree) error {
	refused := false
	for _, r := range results {
		refused = refused || slices.ContainsFunc(r.dirs, func(d folderWatch) bool { return refusedWatch(d.err) })
	}
	if refused {
		// A folder the kernel would not watch is polled from when it
		// is listed for that, after the workers listed it: what changed
		// between the two listings would be in neither. The scan walks
		// the folder itself instead, after.
		w.firstWalk = nil
	}
	for i, r := range results {
		for _, d := range r.dirs {
			if err := w.noteWatch(d.rel, w.abs(d.rel), d.err); err != nil {
				return err
			}
		}
		if r.err != nil {
			w.log.Warn("cannot read folder", "path", w.abs(tops[i]), "err", r.err)
			w.walked(w.abs(tops[i]), r.err)
		}
		if w.firstWalk != nil {
			w.firstWalk.merge(&r.found)
		}
	}
	return nil
}

// watchList watches the folder rel, then lists it: it notes its files
// and returns its folders. Only the seeds folder itself must be readable.
func (w *Watcher) watchList(rel string) ([]string, error) {
	abs := w.abs(rel)
	if err := w.noteWatch(rel, abs, w.addWatch(abs)); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		if rel == "." {
			return nil, err
		}
		w.log.Warn("cannot read folder", "path", abs, "err", err)
		w.walked(abs, err)
	}
	var subs []string
	for _, d := range entries {
		r := path.Join(rel, d.Name())
		switch {
		case !d.IsDir():
			w.walked(w.abs(r), nil)
		case !ignored(d.Name()):
			subs = append(subs, r)
		}
	}
	return subs, nil
}

// watchSubtree watches and walks the folder rel and everything under it,
// on a worker: it changes nothing of w but through the notifier, which is
// safe for concurrent use.
func (w *Watcher) watchSubtree(rel string) subtree {
	var t subtree
	top := w.abs(rel)
	t.err = filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && p == top:
			return err
		case err != nil:
			t.found.add(w.root, p, err) // logged by the scan
		case d.IsDir() && ignored(d.Name()):
			return filepath.SkipDir
		case d.IsDir():
			// Watched before WalkDir lists it.
			r, _ := relTo(w.root, p)
			t.dirs = append(t.dirs, folderWatch{r, w.addWatch(p)})
		default:
			t.found.add(w.root, p, nil)
		}
		return nil
	})
	return t
}

// walkOrder compares two paths under the root in the order a walk of the
// folder meets them (filepath.WalkDir's: each folder's names sorted, a
// folder's files met when its name is): "b/x" before "b.txt".
func walkOrder(a, b string) int {
	for {
		sa, ra, moreA := strings.Cut(a, "/")
		sb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(sa, sb); c != 0 || !moreA || !moreB {
			if c != 0 {
				return c
			}
			return cmp.Compare(boolInt(moreA), boolInt(moreB))
		}
		a, b = ra, rb
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
