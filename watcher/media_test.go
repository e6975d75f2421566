package watcher

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

// TestReaderImage: a local image is looked at under the seeds folder
// without following a link: a regular file gives its size; missing, a
// folder, a link (at the end or on the way) or a FIFO leaves the image
// out with a reason; one over the limit refuses the article.
func TestReaderImage(t *testing.T) {
	root := t.TempDir()
	outsideDir := t.TempDir()
	for name, size := range map[string]int{"صور/غلاف.jpg": 300, "big.png": 1001, "edge.png": 1000} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(outsideDir, "x.jpg"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(root, "folder.jpg"), 0o755)
	os.Symlink(filepath.Join(root, "edge.png"), filepath.Join(root, "link.png"))
	os.Symlink(outsideDir, filepath.Join(root, "out"))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.gif"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd := newReader(root, Options{MaxMediaSize: 1000}.withDefaults())
	for _, tc := range []struct {
		image   string
		size    int64  // the size set, when published with it
		missing string // the reason it is left out
		refused bool
	}{
		{image: "صور/غلاف.jpg", size: 300},
		{image: "edge.png", size: 1000},
		{image: "big.png", refused: true},
		{image: "none.jpg", missing: "no such file"},
		{image: "folder.jpg", missing: "not a regular file (d---------)"},
		{image: "fifo.gif", missing: "not a regular file (p---------)"},
		{image: "link.png", missing: errSymlink.Error()},
		{image: "out/x.jpg", missing: errSymlink.Error()},
	} {
		it := storage.Item{Path: "a.md", Article: article.Article{Title: "t", Image: &article.Image{Path: tc.image, Alt: "alt"}}}
		noImage, err := rd.image(&it)
		switch {
		case tc.refused:
			if !errors.Is(err, errImageTooLarge) || Reason(err) != "image_too_large" || !strings.Contains(err.Error(), "the limit is 1000") {
				t.Errorf("image(%s) = %v, %v; want refused as image_too_large", tc.image, noImage, err)
			}
		case tc.missing != "":
			if err != nil || noImage == nil || noImage.Error() != tc.missing || it.Image != nil || it.MissingImage != tc.image {
				t.Errorf("image(%s) = %v, %v, image %+v, missing %q; want left out: %s", tc.image, noImage, err, it.Image, it.MissingImage, tc.missing)
			}
		default:
			if err != nil || noImage != nil || it.Image == nil || it.Image.Size != tc.size || it.MissingImage != "" {
				t.Errorf("image(%s) = %v, %v, image %+v; want size %d", tc.image, noImage, err, it.Image, tc.size)
			}
		}
	}
}

// TestMediaNeverArticle: media files, in any case, live or found by a
// scan, are neither published nor refused as articles.
func TestMediaNeverArticle(t *testing.T) {
	h := newHarness(t, "")
	for _, name := range []string{"a.jpg", "B.JPEG", "c.png", "d.webp", "e.GIF", "f.avif", "g.svg"} {
		h.write(t, "صور/"+name, "<svg/>")
	}
	h.write(t, "visible.txt", "ظاهر")
	h.waitTitle(t, "visible.txt", "ظاهر")
	scanOnce(t, h.dir, h.store, h.log)
	if m := h.titles(t); len(m) != 1 {
		t.Errorf("stored %q; want only visible.txt", m)
	}
	if n := h.log.Count("file refused"); n != 0 {
		t.Errorf("%d refusals, want none:\n%s", n, h.log)
	}
	for _, name := range []string{"x.jpg", "X.SVG", "y.Png"} {
		if !isMedia("dir/"+name) || candidate("dir/"+name) {
			t.Errorf("%s: media %v, article %v; want media only", name, isMedia(name), candidate(name))
		}
	}
	if isMedia(".hidden.jpg") || isMedia("x.jpg~") || isMedia("x.txt") {
		t.Error("hidden, backup or text files taken for media")
	}
}
