package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// DefaultMaxMediaSize is Options.MaxMediaSize when it is zero: a large
// photograph, far more than a feed's enclosure should weigh.
const DefaultMaxMediaSize = 20 << 20

// ErrMissingImage is what Check reports, wrapped with the image's path and
// why, for an article whose local image is missing (or a folder, a
// symbolic link, a device): the article is published without it (its
// Image is nil, Item.MissingImage names it). It is not a refusal.
var ErrMissingImage = errors.New("image missing")

// isMedia reports whether rel names a media file (see article.MediaType)
// that is not hidden nor temporary: never an article, its changes reach
// the articles that show it.
func isMedia(rel string) bool {
	return article.MediaType(rel) != "" && !ignored(path.Base(rel))
}

// watched reports whether the watcher follows the file rel: an article
// file, a media file, or a folder's description.
func watched(rel string) bool { return candidate(rel) || isMedia(rel) || article.IsSection(rel) }

// image looks at it's local image, if it names one: it sets the image's
// size, or, when the image cannot be published (missing, a folder, a
// symbolic link, a device), leaves it out, names it in it.MissingImage
// and returns why in noImage; it refuses the article (err) when the image is
// over the size limit, or cannot be looked at for want of resources.
func (r reader) image(it *storage.Item) (noImage, err error) {
	if it.Image == nil || it.Image.Path == "" {
		return nil, nil
	}
	p := it.Image.Path
	size, err := statImage(r.root, p)
	switch {
	case transient(err):
		return nil, err
	case err != nil:
		it.Image, it.MissingImage = nil, p
		if errors.Is(err, fs.ErrNotExist) {
			err = errors.New("no such file")
		}
		return err, nil
	case size > r.maxMedia:
		return nil, fmt.Errorf("%w: %s is %d bytes, the limit is %d (-max-media-size)", errImageTooLarge, p, size, r.maxMedia)
	}
	it.Image.Size = size
	return nil, nil
}

// statImage returns the size of the media file rel under root, which
// must be a regular file reached without a symbolic link.
func statImage(root, rel string) (int64, error) {
	fi, err := statBeneath(root, rel)
	if err != nil {
		return 0, err
	}
	switch mode := fi.Mode(); {
	case mode&fs.ModeSymlink != 0:
		return 0, errSymlink
	case !mode.IsRegular():
		return 0, fmt.Errorf("%w (%s)", errNotRegular, mode.Type())
	}
	return fi.Size(), nil
}

// articlesOf returns rels with each media file among them replaced by
// the articles that show it: stored (see storage.Store.PathsWithImage),
// or refused for its size, so that they are read again and follow it.
func (w *Watcher) articlesOf(rels []string) []string {
	var media []string
	var first time.Time // the first event of the media files, for the articles' latencies
	out := make([]string, 0, len(rels))
	for _, rel := range rels {
		if isMedia(rel) {
			media = append(media, rel)
			if t, ok := w.firstSeen[rel]; ok && (first.IsZero() || t.Before(first)) {
				first = t
			}
			delete(w.firstSeen, rel)
		} else {
			out = append(out, rel)
		}
	}
	if len(media) == 0 {
		return rels
	}
	users, err := w.store.PathsWithImage(media...)
	if err != nil {
		w.log.Error("cannot look up the articles of images", "count", len(media), "first", media[0], "err", err)
	}
	for rel, img := range w.bigImage {
		if slices.Contains(media, img) {
			users = append(users, rel)
		}
	}
	slices.Sort(users)
	for _, rel := range slices.Compact(users) {
		if !slices.Contains(out, rel) {
			out = append(out, rel)
			if !first.IsZero() {
				w.seen(rel, first)
			}
		}
	}
	return out
}

// imagesChanged returns the stored articles, among those the walk found
// unchanged, whose local image is not as it was when they were stored:
// it changed, arrived or went while no one watched. skip holds the files
// the scan reads anyway, and those gone.
func (w *Watcher) imagesChanged(skip map[string]bool) ([]string, error) {
	uses, err := w.store.ImageUses()
	if err != nil {
		return nil, err
	}
	var rels []string
	for _, u := range uses {
		if skip[u.Path] || w.deb.has(u.Path) {
			continue
		}
		size, err := statImage(w.root, u.Image)
		if missing := err != nil; missing != u.Missing || (!missing && size != u.Size) {
			rels = append(rels, u.Path)
		}
	}
	return rels, nil
}

// scheduleImagesUnder schedules, after Settle, the stored articles whose
// local image is under the folder rel, deleted or moved away.
func (w *Watcher) scheduleImagesUnder(rel string) {
	uses, err := w.store.ImageUses()
	if err != nil {
		w.log.Error("cannot list the articles' images", "err", err)
		return
	}
	for _, u := range uses {
		if strings.HasPrefix(u.Image, rel+"/") {
			w.schedule(u.Path, w.opts.Settle)
		}
	}
}
