package storage_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/storage"
)

func Example() {
	dir, err := os.MkdirTemp("", "seedfeed-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := storage.Open(filepath.Join(dir, "seedfeed.db"), storage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	at := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	item := storage.Item{
		Path:      "أخبار/بغداد.txt",
		Article:   article.Article{Title: "توقف الهجوم", Paragraphs: []string{"نقلت وكالة رويترز للأنباء…"}},
		Published: at,
		Updated:   at,
		File:      storage.File{Size: 100, ModTime: at, Hash: "1"},
	}
	changes, _ := s.Put(item)
	fmt.Println(changes[0])

	// An edit a day later: the article keeps its key and published date.
	item.Title, item.File.Hash, item.Updated = "توقف الهجوم على الأمريكيين", "2", at.Add(24*time.Hour)
	changes, _ = s.Put(item)
	fmt.Println(changes[0])

	newest, _ := s.Newest(10)
	for _, it := range newest {
		fmt.Println(it.Key, it.Slug(), it.Title, it.Published.Format(time.DateOnly), it.Updated.Format(time.DateOnly))
	}
	// Output:
	// added
	// updated
	// أخبار/بغداد أخبار/بغداد توقف الهجوم على الأمريكيين 2024-02-01 2024-02-02
}

// ExampleStore_PathsWithImage: an article stored while its image is
// missing is found by that image's path, so that the image's arrival can
// reach it; stored again with the image, it is updated.
func ExampleStore_PathsWithImage() {
	dir, err := os.MkdirTemp("", "seedfeed-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := storage.Open(filepath.Join(dir, "seedfeed.db"), storage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	at := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	item := storage.Item{
		Path:         "أخبار/بغداد.txt",
		Article:      article.Article{Title: "توقف الهجوم", Date: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		MissingImage: "أخبار/صورة.jpg",
		Published:    at,
		Updated:      at,
		File:         storage.File{Size: 100, ModTime: at, Hash: "1"},
	}
	changes, _ := s.Put(item)
	fmt.Println(changes[0])
	paths, _ := s.PathsWithImage("أخبار/صورة.jpg")
	fmt.Println(paths)

	// The image arrived: the same file, its image now present.
	item.MissingImage, item.Image = "", &article.Image{Path: "أخبار/صورة.jpg", Type: "image/jpeg", Size: 2048}
	changes, _ = s.Put(item)
	fmt.Println(changes[0])
	uses, _ := s.ImageUses()
	fmt.Printf("%+v\n", uses)
	it, _ := s.Article("أخبار/بغداد")
	fmt.Println(it.Published.Format(time.DateOnly), it.Image.Size)
	// Output:
	// added
	// [أخبار/بغداد.txt]
	// updated
	// [{Path:أخبار/بغداد.txt Image:أخبار/صورة.jpg Size:2048 Missing:false}]
	// 2024-01-31 2048
}
