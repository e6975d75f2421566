package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// media is the state of an article's local image as the article was
// stored: its path, and its size or that it was missing.
type media struct {
	Path    string `json:"path"`
	Size    int64  `json:"size,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// mediaOf returns the state of it's local image, or nil if it names none
// (or a remote one).
func mediaOf(it Item) *media {
	switch {
	case it.Image != nil && it.Image.Path != "":
		return &media{Path: it.Image.Path, Size: it.Image.Size}
	case it.MissingImage != "":
		return &media{Path: it.MissingImage, Missing: true}
	}
	return nil
}

func sameMedia(a, b *media) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// imageKey is the images bucket's key: image path, NUL, article path.
func imageKey(image, path string) []byte { return []byte(image + "\x00" + path) }

// encodeMedia is the images bucket's value: the image's size in 8 bytes
// big-endian, or nothing when it is missing.
func encodeMedia(m *media) []byte {
	if m.Missing {
		return []byte{}
	}
	return binary.BigEndian.AppendUint64(nil, uint64(m.Size))
}

// setImage moves path's entry in the images index from old to m (either
// nil for none).
func (b buckets) setImage(path string, old, m *media) error {
	if old != nil {
		if err := b.images.Delete(imageKey(old.Path, path)); err != nil {
			return err
		}
	}
	if m == nil {
		return nil
	}
	return b.images.Put(imageKey(m.Path, path), encodeMedia(m))
}

// ImageUse is a stored article's local image as it was when the article
// was stored: present with its size, or missing.
type ImageUse struct {
	Path    string // the article file's path
	Image   string // the image's path under the seeds folder
	Size    int64  // its size in bytes; 0 when Missing
	Missing bool
}

// ImageUses returns every stored article that names a local image, with
// that image's state when it was stored: a scan compares them with the
// folder, since an image may change while no one watches. It reads the
// images index only, which holds no other article.
func (s *Store) ImageUses() ([]ImageUse, error) {
	var uses []ImageUse
	err := s.view("list the images", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketImages)
		if b == nil {
			return nil // read-only, and no daemon of this version wrote it
		}
		return b.ForEach(func(k, v []byte) error {
			image, path, ok := bytes.Cut(k, []byte{0})
			if !ok || (len(v) != 0 && len(v) != 8) {
				return fmt.Errorf("image index entry %q: malformed", k)
			}
			u := ImageUse{Path: string(path), Image: string(image), Missing: len(v) == 0}
			if !u.Missing {
				u.Size = int64(binary.BigEndian.Uint64(v))
			}
			uses = append(uses, u)
			return nil
		})
	})
	return uses, err
}

// PathsWithImage returns the paths of the stored articles whose local
// image, present or missing, is one of images.
func (s *Store) PathsWithImage(images ...string) ([]string, error) {
	var paths []string
	err := s.view("find articles by image", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketImages)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for _, image := range images {
			prefix := imageKey(image, "")
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				paths = append(paths, string(k[len(prefix):]))
			}
		}
		return nil
	})
	return paths, err
}
