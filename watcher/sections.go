package watcher

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// A folder's _index.md (article.SectionFile) describes the folder: its
// title, description and language, kept in the store as the section's
// meta. Its events go through the same steps as an article's (see
// watched); when it is due, sectionsOf reads it. The articles under a
// folder that name no language of their own take the nearest one up
// their path (see langs.of): inherited at parse time, so the store holds
// it and the feeds need nothing.

// sections is what the watcher knows of the folders' descriptions.
type sections struct {
	metas   map[string]storage.SectionMeta // as stored, by folder; nil until read
	refused map[string]string              // description files refused, to the hash logged
	langs   *langs                         // the readers' view of metas
}

// langs maps each folder whose description names a language to it, for
// the readers, which run on many goroutines: the map is replaced whole,
// never changed.
type langs struct {
	m     atomic.Pointer[map[string]string]
	fixed bool // the site's language was set explicitly: the seeds folder's own is not inherited
}

// of returns the language the article file rel inherits: that of the
// nearest folder up its path whose description names one, or "".
func (l *langs) of(rel string) string {
	if l == nil {
		return ""
	}
	m := l.m.Load()
	if m == nil || len(*m) == 0 {
		return ""
	}
	for dir := path.Dir(rel); ; dir = path.Dir(dir) {
		if dir == "." {
			dir = ""
		}
		if lang, ok := (*m)[dir]; ok {
			return lang
		}
		if dir == "" {
			return ""
		}
	}
}

// set makes metas the languages inherited, and returns their map.
func (l *langs) set(metas map[string]storage.SectionMeta) map[string]string {
	m := make(map[string]string)
	for dir, s := range metas {
		if s.Lang != "" && !(dir == "" && l.fixed) {
			m[dir] = s.Lang
		}
	}
	l.m.Store(&m)
	return m
}

// current returns the languages inherited now.
func (l *langs) current() map[string]string {
	if m := l.m.Load(); m != nil {
		return *m
	}
	return nil
}

// inherit parses as opts but with the language that rel inherits, if any:
// the one its paragraphs' direction is judged by (see article.Options.Lang)
// and the article's own when it names none (see done).
func (l *langs) inherit(rel string, opts article.Options) (article.Options, func(*article.Article)) {
	lang := l.of(rel)
	if lang == "" {
		return opts, func(*article.Article) {}
	}
	if tag, err := language.Parse(lang); err == nil {
		opts.Lang = tag
	}
	return opts, func(a *article.Article) {
		if a.Lang == "" {
			a.Lang = lang
		}
	}
}

// changedDirs returns the folders whose entry differs between two maps
// of langs.
func changedDirs(before, after map[string]string) []string {
	var dirs []string
	for dir, lang := range before {
		if after[dir] != lang {
			dirs = append(dirs, dir)
		}
	}
	for dir := range after {
		if _, ok := before[dir]; !ok {
			dirs = append(dirs, dir)
		}
	}
	slices.Sort(dirs)
	return dirs
}

// loadMetas reads the stored sections once, before the first that is
// handled.
func (w *Watcher) loadMetas() bool {
	if w.sections.metas != nil {
		return true
	}
	metas, err := w.store.Sections()
	if err != nil {
		w.log.Error("cannot read the sections", "err", err)
		return false
	}
	w.sections.metas = metas
	w.sections.langs.set(metas)
	return true
}

// sectionsOf handles the description files among rels, due, and returns
// the other files. Each comes before the articles due with it, so that
// they inherit its language.
func (w *Watcher) sectionsOf(rels []string) []string {
	if !slices.ContainsFunc(rels, article.IsSection) {
		return rels
	}
	out := make([]string, 0, len(rels))
	var files []string
	for _, rel := range rels {
		if article.IsSection(rel) {
			files = append(files, rel)
			delete(w.firstSeen, rel)
		} else {
			out = append(out, rel)
		}
	}
	if !w.loadMetas() {
		for _, rel := range files {
			w.schedule(rel, minRetry)
		}
		return out
	}
	before := w.sections.langs.current()
	for _, rel := range files {
		w.section(rel)
	}
	w.relang(changedDirs(before, w.sections.langs.set(w.sections.metas)))
	return out
}

// section reads the description file rel and stores what it says of its
// folder, or removes the folder's section when the file is gone. A file
// refused keeps the section as it was, and is logged once as it is.
func (w *Watcher) section(rel string) {
	dir := article.SectionOf(rel)
	data, _, err := w.reader.read(rel)
	var meta article.Section
	hash := ""
	if err == nil {
		sum := sha256.Sum256(data)
		hash = hex.EncodeToString(sum[:])
		meta, err = article.ParseSection(rel, data, w.reader.parse)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errSymlink):
		delete(w.sections.refused, rel)
		w.putSection(rel, dir, nil)
	case errors.Is(err, errBusy):
		w.written(rel)
	case transient(err):
		w.failed("cannot open files", err, rel)
		w.log.Warn("cannot read file now; will retry", "path", rel, "err", err)
	case err != nil:
		if hash == "" || w.sections.refused[rel] != hash {
			w.log.Warn("section refused; its meta stays as it was", "path", rel, "reason", Reason(err), "err", err)
		}
		w.sections.refused[rel] = hash
	default:
		delete(w.sections.refused, rel)
		if len(meta.Unknown) > 0 {
			w.log.Debug("unknown front matter keys", "path", rel, "keys", meta.Unknown)
		}
		w.putSection(rel, dir, &storage.SectionMeta{Path: dir, Title: meta.Title, Description: meta.Description, Lang: meta.Lang})
	}
}

// putSection stores meta as the section of dir, described by the file
// rel, or removes it (nil); a failure is retried.
func (w *Watcher) putSection(rel, dir string, meta *storage.SectionMeta) {
	old, had := w.sections.metas[dir]
	if meta != nil && had && old == *meta || meta == nil && !had {
		w.succeeded(rel)
		return
	}
	var err error
	if meta == nil {
		err = w.store.RemoveSection(dir)
	} else {
		err = w.store.PutSection(*meta)
	}
	if err != nil {
		w.failed(cannotWrite, err, rel)
		w.log.Error("cannot store a section; will retry", "path", rel, "err", err)
		return
	}
	w.succeeded(rel)
	if meta == nil {
		delete(w.sections.metas, dir)
		w.log.Info("section removed", "path", rel)
		return
	}
	w.sections.metas[dir] = *meta
	w.log.Info("section stored", "path", rel, "title", meta.Title, "lang", meta.Lang)
}

// syncSections brings the stored sections in step with the description
// files a scan found, but for those in folders it could not read, and
// returns the folders whose language changed.
func (w *Watcher) syncSections(files, unreadable []string) []string {
	w.sections.metas = nil // the store's, not what was last known
	if !w.loadMetas() {
		return nil
	}
	before := w.sections.langs.current()
	found := make(map[string]bool, len(files))
	for _, rel := range files {
		found[article.SectionOf(rel)] = true
		w.section(rel)
	}
	for _, dir := range slices.Sorted(maps.Keys(w.sections.metas)) {
		rel := path.Join(dir, article.SectionFile)
		if !found[dir] && !slices.ContainsFunc(unreadable, func(u string) bool { return strings.HasPrefix(rel, u) }) {
			w.section(rel)
		}
	}
	return changedDirs(before, w.sections.langs.set(w.sections.metas))
}

// relang gives the stored articles under dirs the language they inherit
// now, reading their files again: one that names its own keeps it. Their
// content, hence their fingerprints, did not change, so Put would store
// nothing: SetLangs stores the language alone, keeping their dates. It is
// rare (a folder's description gains, changes or loses its language, or
// the folder moves) and bounded by the articles under those folders, read
// a window at a time as a scan reads them.
func (w *Watcher) relang(dirs []string) {
	if len(dirs) == 0 {
		return
	}
	stored, err := w.store.Fingerprints()
	if err != nil {
		w.log.Error("cannot list stored files", "err", err)
		return
	}
	var rels []string
	for p := range stored {
		if slices.ContainsFunc(dirs, func(d string) bool { return d == "" || strings.HasPrefix(p, d+"/") }) {
			rels = append(rels, p)
		}
	}
	slices.Sort(rels)
	n := 0
	for start := 0; start < len(rels); start += loadWindow {
		chunk := rels[start:min(start+loadWindow, len(rels))]
		set := make(map[string]string, len(chunk))
		for i, r := range w.loadAll(chunk) {
			if r.err == nil && !r.it.Draft {
				set[chunk[i]] = r.it.Lang
			}
		}
		changed, err := w.store.SetLangs(set)
		if err != nil {
			w.log.Error("cannot store the articles' languages", "count", len(set), "err", err)
			return
		}
		n += len(changed)
	}
	if n > 0 {
		w.log.Info("articles take their folder's language", "folders", dirs, "count", n)
	}
}

// moveSections makes the sections under the folder from follow it to
// rel, where it was renamed, and gives the articles now under rel the
// language they inherit there. Each description moved is read again
// after Settle, as the articles moved are (see folderMovedIn): the old
// name's pending read is void.
func (w *Watcher) moveSections(from, rel string) {
	if !w.loadMetas() {
		return
	}
	for _, dir := range slices.Sorted(maps.Keys(w.sections.metas)) {
		if dir != from && !strings.HasPrefix(dir, from+"/") {
			continue
		}
		meta := w.sections.metas[dir]
		meta.Path = rel + strings.TrimPrefix(dir, from)
		oldRel, newRel := path.Join(dir, article.SectionFile), path.Join(meta.Path, article.SectionFile)
		w.deb.cancel(oldRel)
		delete(w.firstSeen, oldRel)
		w.schedule(newRel, w.opts.Settle) // a failure below retries sooner
		w.putSection(oldRel, dir, nil)
		w.putSection(newRel, meta.Path, &meta)
	}
	w.sections.langs.set(w.sections.metas)
	w.relang([]string{rel})
}

// scheduleSectionsUnder schedules, after Settle, the description files
// of the stored sections under the folder rel, deleted or moved away.
func (w *Watcher) scheduleSectionsUnder(rel string) {
	if !w.loadMetas() {
		return
	}
	for dir := range w.sections.metas {
		if dir == rel || strings.HasPrefix(dir, rel+"/") {
			w.schedule(path.Join(dir, article.SectionFile), w.opts.Settle)
		}
	}
}
