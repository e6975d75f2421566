package main

import (
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
)

// Names the sections and categories of -sections and -categories draw
// from: Arabic words with Arabic-Indic numbers, Latin words with ASCII
// ones, alternately.
var (
	listDesks  = []string{"أخبار", "رياضة", "اقتصاد", "ثقافة", "منوعات", "آراء", "تقنية"}
	listTopics = []string{"الانتخابات", "كرة القدم", "الطاقة", "الصحة", "التعليم", "المناخ", "السينما"}
)

// arabicDigits writes n in Arabic-Indic digits (٠ to ٩).
func arabicDigits(n int) string {
	return strings.Map(func(r rune) rune { return r - '0' + '٠' }, fmt.Sprint(n))
}

// sectionFolders returns n folder paths, each a section: even ones
// Arabic ("أخبار ٠١٢"), odd ones Latin ("desk-013"), and every fifth (k%5
// == 4) nested in the top-level folder k-4, so that some sections are two
// deep and their parent is a section with articles of its own too.
func sectionFolders(n int) []string {
	out := make([]string, n)
	for k := range out {
		name := fmt.Sprintf("desk-%03d", k)
		if k%2 == 0 {
			name = listDesks[k/2%len(listDesks)] + " " + arabicDigits(k)
		}
		if k%5 == 4 {
			name = path.Join(out[k-4], name)
		}
		out[k] = name
	}
	return out
}

// categoryNames returns m category names: even ones Arabic ("الطاقة
// ١٢"), odd ones Latin ("Topic 13").
func categoryNames(m int) []string {
	out := make([]string, m)
	for c := range out {
		out[c] = fmt.Sprintf("Topic %d", c)
		if c%2 == 0 {
			out[c] = listTopics[c/2%len(listTopics)] + " " + arabicDigits(c)
		}
	}
	return out
}

// categoriesOf returns article i's 1 to 3 categories, distinct, drawn
// from names with a Zipf distribution (s = 1.1): the first name is in
// about a sixth of the draws, the thousandth in one of 30,000 or so. A
// generator of its own keeps the articles' other choices as they are.
func categoriesOf(i int, names []string) []string {
	r := rand.New(rand.NewPCG(uint64(i), 0x63617473))
	z := rand.NewZipf(r, 1.1, 1, uint64(len(names)-1))
	var out []string
	for range 1 + r.IntN(3) {
		if c := names[z.Uint64()]; !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
