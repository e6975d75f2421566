package feed_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

// openExampleStore opens a store in a new temporary folder and puts one
// article in it, with fixed dates so that the output never changes. The
// returned function closes the store and removes the folder.
func openExampleStore() (*storage.Store, func()) {
	dir, err := os.MkdirTemp("", "feed-example")
	if err != nil {
		log.Fatal(err)
	}
	store, err := storage.Open(filepath.Join(dir, "seedfeed.db"), storage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	at := time.Date(2024, 2, 10, 8, 30, 0, 0, time.UTC)
	if _, err := store.Put(storage.Item{
		Path:      "بغداد.txt",
		Article:   article.Article{Title: "توقف الهجوم", Paragraphs: []string{"نقلت وكالة رويترز…"}},
		Published: at,
		Updated:   at,
		File:      storage.File{Size: 42, ModTime: at, Hash: "example"},
	}); err != nil {
		log.Fatal(err)
	}
	return store, func() {
		// The example has printed its output; a failure to tidy up
		// the temporary folder changes nothing in it.
		store.Close()
		os.RemoveAll(dir)
	}
}

var exampleConfig = feed.Config{
	BaseURL:     "https://news.example.com",
	Title:       "أخبار",
	Description: "أخبار",
	Author:      "أخبار",
	Lang:        language.Arabic,
	Limit:       50,
	MaxAge:      5 * time.Minute,
}

// get fetches url and returns the response with its body read.
func get(url string) (*http.Response, string) {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return resp, string(body)
}

// The handler serves the store's newest articles as feeds; every link and
// id starts with the configured base URL, wherever the handler listens.
func ExampleNewHandler() {
	store, cleanup := openExampleStore()
	defer cleanup()
	h, err := feed.NewHandler(store, exampleConfig, nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, body := get(srv.URL + feed.PathRSS)
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Print(body)
	// Output:
	// application/rss+xml; charset=utf-8
	// <?xml version="1.0" encoding="UTF-8"?>
	// <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
	//   <channel>
	//     <atom:link href="https://news.example.com/feed.rss" rel="self" type="application/rss+xml"></atom:link>
	//     <title>أخبار</title>
	//     <description>أخبار</description>
	//     <link>https://news.example.com/</link>
	//     <language>ar</language>
	//     <pubDate>Sat, 10 Feb 2024 08:30:00 +0000</pubDate>
	//     <lastBuildDate>Sat, 10 Feb 2024 08:30:00 +0000</lastBuildDate>
	//     <generator>seedfeed</generator>
	//     <item>
	//       <title>توقف الهجوم</title>
	//       <link>https://news.example.com/articles/%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF</link>
	//       <description>نقلت وكالة رويترز…</description>
	//       <content:encoded><![CDATA[<div dir="rtl" lang="ar"><p>نقلت وكالة رويترز…</p></div>]]></content:encoded>
	//       <guid isPermaLink="false">https://news.example.com/articles/%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF</guid>
	//       <pubDate>Sat, 10 Feb 2024 08:30:00 +0000</pubDate>
	//       <dc:creator>أخبار</dc:creator>
	//     </item>
	//   </channel>
	// </rss>
}

// Register puts the feed routes on a mux that serves more than the feeds,
// here a health check, so that one mux routes every request.
func ExampleHandler_Register() {
	store, cleanup := openExampleStore()
	defer cleanup()
	h, err := feed.NewHandler(store, exampleConfig, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	_, health := get(srv.URL + "/healthz")
	fmt.Print(health)
	resp, body := get(srv.URL + feed.PathAtom)
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Println(resp.Header.Get("Cache-Control"))
	fmt.Print(body)
	// Output:
	// ok
	// application/atom+xml; charset=utf-8
	// public, max-age=300
	// <?xml version="1.0" encoding="UTF-8"?>
	// <feed xml:lang="ar" xmlns="http://www.w3.org/2005/Atom">
	//   <title>أخبار</title>
	//   <subtitle>أخبار</subtitle>
	//   <id>https://news.example.com/</id>
	//   <updated>2024-02-10T08:30:00Z</updated>
	//   <author>
	//     <name>أخبار</name>
	//   </author>
	//   <link href="https://news.example.com/" rel="alternate" type="text/html"></link>
	//   <link href="https://news.example.com/feed.atom" rel="self" type="application/atom+xml"></link>
	//   <entry xml:lang="ar">
	//     <title>توقف الهجوم</title>
	//     <updated>2024-02-10T08:30:00Z</updated>
	//     <id>https://news.example.com/articles/%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF</id>
	//     <content type="html">&lt;div dir=&#34;rtl&#34; lang=&#34;ar&#34;&gt;&lt;p&gt;نقلت وكالة رويترز…&lt;/p&gt;&lt;/div&gt;</content>
	//     <published>2024-02-10T08:30:00Z</published>
	//     <link href="https://news.example.com/articles/%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF" rel="alternate" type="text/html"></link>
	//     <summary type="text">نقلت وكالة رويترز…</summary>
	//   </entry>
	// </feed>
}

// An entry's id is the URL of the article under the name it was first
// published with (its Key), so it stays the same when the file is renamed;
// the article's page follows the new name.
func ExampleEntryID() {
	it := storage.Item{Key: "أخبار/بغداد", Path: "أخبار/بغداد-محدث.txt"}
	fmt.Println(feed.EntryID("https://news.example.com", it))
	// Output:
	// https://news.example.com/articles/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF
}
