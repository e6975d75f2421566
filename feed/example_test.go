package feed_test

import (
	"fmt"
	"log"
	"time"

	"golang.org/x/text/language"

	"github.com/seedfeed/seedfeed/article"
	"github.com/seedfeed/seedfeed/feed"
	"github.com/seedfeed/seedfeed/storage"
)

func ExampleRSS() {
	at := time.Date(2024, 2, 10, 8, 30, 0, 0, time.UTC)
	items := []storage.Item{{
		Key:       "بغداد",
		Path:      "بغداد.txt",
		Article:   article.Article{Title: "توقف الهجوم", Paragraphs: []string{"نقلت وكالة رويترز…"}},
		Published: at,
		Updated:   at,
	}}
	cfg := feed.Config{BaseURL: "https://news.example.com", Title: "أخبار", Description: "أخبار", Author: "أخبار", Lang: language.Arabic, Limit: 50}
	body, err := feed.RSS(feed.Build(items, cfg), "ar", cfg.BaseURL+feed.PathRSS)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(body))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
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
	//     </item>
	//   </channel>
	// </rss>
}
