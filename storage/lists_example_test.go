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

// ExampleStore_ArchivePage: articles filed by folder and category, in
// archive pages of two; a reader keeps the store's version and renders
// again only what ChangesSince names.
func ExampleStore_ArchivePage() {
	dir, err := os.MkdirTemp("", "seedfeed-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := storage.Open(filepath.Join(dir, "seedfeed.db"), storage.Options{PageSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	put := func(path, title string, categories ...string) {
		at = at.Add(time.Hour)
		_, err := s.Put(storage.Item{
			Path:      path,
			Article:   article.Article{Title: title, Paragraphs: []string{title}, Categories: categories},
			Published: at, Updated: at,
			File: storage.File{Size: 1, ModTime: at, Hash: title},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	put("2024/05/قمة/index.md", "القمة", "Sport")
	put("2024/05/مباراة.md", "المباراة", "sport", "رياضة")
	v := s.Version()
	put("2024/06/نهائي.md", "النهائي", "SPORT")

	sport := storage.List{Kind: storage.Category, Name: storage.Term("Sport")}
	info, _ := s.Info(sport)
	fmt.Println(info.Name, info.Label, info.Count, info.Pages)
	for n := 1; n <= info.Pages; n++ {
		p, _ := s.ArchivePage(sport, n)
		fmt.Print(n, " full=", p.Full, ":")
		for _, it := range p.Items {
			fmt.Print(" ", it.Slug())
		}
		fmt.Println()
	}
	sections, _ := s.Lists(storage.Section)
	for _, sec := range sections {
		fmt.Println(sec.Name, sec.Count)
	}
	c := s.ChangesSince(v)
	fmt.Println(c.Lists[sport], c.Lists[storage.List{Kind: storage.Section, Name: "2024/05"}])
	// Output:
	// sport SPORT 3 2
	// 1 full=true: 2024/05/قمة 2024/05/مباراة
	// 2 full=false: 2024/06/نهائي
	// 2024 3
	// 2024/05 2
	// 2024/06 1
	// [1 2] []
}
