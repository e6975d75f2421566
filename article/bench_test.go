package article

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// benchArticle is an Arabic Markdown article of about 5 KiB with front
// matter using every key, headings, lists, a quote, a table, code, links
// and emphasis.
func benchArticle() string {
	var b strings.Builder
	b.WriteString(`---
title: "الرياض: اجتماع وزراء الطاقة يبحث أسعار النفط"
date: 2026-12-01T09:30:00+03:00
author: {name: سارة أحمد, url: https://example.com/sara, email: sara@example.com}
authors: [عمر خالد]
summary: يبحث الاجتماع مستويات الإنتاج وأسعار النفط في الأسواق العالمية.
categories: [اقتصاد, طاقة]
tags: [نفط, أوبك, الرياض]
image: صور/اجتماع.jpg
image_alt: وزراء الطاقة حول طاولة الاجتماع
lang: ar
draft: false
link: https://example.com/news/1
---
`)
	for i := range 6 {
		b.WriteString("## محور " + string(rune('١'+i)) + "\n\n")
		b.WriteString("قالت **الوزارة** في بيان إن الاجتماع سيعقد *غدا* في الرياض، بحضور ممثلي الدول الأعضاء، ")
		b.WriteString("لبحث مستويات الإنتاج وأ**سعا**ر النفط في [الأسواق](../اقتصاد/أسواق.md) العالمية.\n\n")
		b.WriteString("- البند الأول: خفض الإنتاج\n- البند الثاني: مراجعة الحصص\n- Reuters reported the meeting.\n\n")
		b.WriteString("> «نريد استقرار الأسواق» — قال الوزير.\n\n")
		b.WriteString("| الدولة | الإنتاج |\n| --- | --: |\n| السعودية | ٩٫٥ |\n| العراق | ٤٫٢ |\n\n")
		b.WriteString("![الاجتماع](صور/اجتماع.jpg) وتابع المراسلون ~~التصريحات~~ البيان عبر <https://example.com/live>.\n\n")
	}
	b.WriteString("```\nbrent: 82.4\nwti: 78.1\n```\n")
	return b.String()
}

func BenchmarkParseMarkdown(b *testing.B) {
	in := []byte(benchArticle())
	opts := Options{Lang: language.Arabic, Now: fixedNow}
	if _, err := Parse("desk/a.md", in, opts); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("desk/a.md", in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseText is the plain-text seed, for comparison.
func BenchmarkParseText(b *testing.B) {
	in, err := os.ReadFile(filepath.Join("testdata", "seed.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("a.txt", in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
