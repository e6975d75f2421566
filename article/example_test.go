package article_test

import (
	"fmt"
	"time"

	"github.com/seedfeed/seedfeed/article"
	"golang.org/x/text/language"
)

// A Markdown article with front matter, as a desk writes it in the seeds
// folder (here as 2026/oil.md), parsed with the site's language and time
// zone.
func ExampleParse_markdown() {
	file := `---
title: "الرياض: وزراء الطاقة يبحثون أسعار النفط"
date: 2026-12-01 09:30
author: {name: سارة أحمد, email: sara@example.com}
categories: [اقتصاد, طاقة]
tags: نفط
image: صور/اجتماع.jpg
image_alt: الوزراء حول الطاولة
draft: false
---
قالت **الوزارة** إن الاجتماع سيعقد *غدا*.

- خفض الإنتاج
- Reuters reported the meeting.

![الاجتماع](صور/اجتماع.jpg) [الخبر السابق](سابق.md)
`
	riyadh := time.FixedZone("+03", 3*60*60)
	a, err := article.Parse("2026/oil.md", []byte(file), article.Options{
		Location: riyadh,
		Lang:     language.Arabic,
	})
	if err != nil {
		fmt.Println(article.Reason(err), err)
		return
	}
	fmt.Println(a.Title)
	fmt.Println(a.Date.Format(time.RFC3339), a.Authors[0].Name, a.Authors[0].Email)
	fmt.Println(a.Categories, a.Tags, a.Image.Path, a.Image.Type, a.Image.Alt)
	fmt.Println(a.Body)
	// Output:
	// الرياض: وزراء الطاقة يبحثون أسعار النفط
	// 2026-12-01T09:30:00+03:00 سارة أحمد sara@example.com
	// [اقتصاد طاقة] [نفط] 2026/صور/اجتماع.jpg image/jpeg الوزراء حول الطاولة
	// <p>قالت <strong>الوزارة</strong> إن الاجتماع سيعقد <em>غدا</em>.</p>
	// <ul>
	// <li>خفض الإنتاج</li>
	// <li dir="ltr">Reuters reported the meeting.</li>
	// </ul>
	// <p><img src="seedfeed:2026/%D8%B5%D9%88%D8%B1/%D8%A7%D8%AC%D8%AA%D9%85%D8%A7%D8%B9.jpg" alt="الاجتماع"> <a href="seedfeed:2026/%D8%B3%D8%A7%D8%A8%D9%82.md">الخبر السابق</a></p>
}

// A refused file: its error says why, and Reason names it for logs and
// metrics.
func ExampleReason() {
	_, err := article.Parse("a.md", []byte("---\ntitle: t\ndraft: maybe\n---\n"), article.Options{})
	fmt.Println(article.Reason(err))
	fmt.Println(err)
	// Output:
	// bad_key
	// bad front matter value: draft (line 3, column 8): want true or false, not the value "maybe"
}
