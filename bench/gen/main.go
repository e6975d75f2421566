// Command gen writes a deterministic corpus of Arabic articles for the
// benchmarks: N distinct articles in seedfeed's format, made by
// recombining the sentences of the bundled seed article, with numbered
// titles and 4 to 12 paragraphs, 1,000 to a folder, each dated a minute
// after the one before. With -hugo it also writes the same articles as
// Markdown pages of a Hugo site, for the comparison with Hugo. With
// -format md the corpus itself is Markdown (see markdown.go): the same
// titles and paragraphs, with front matter, and an image beside every
// tenth article. With -bundles every article is a page bundle, a folder
// of its own holding index.txt or index.md (and its image), 1,000 such
// folders to a folder: an archive of N articles in N folders. With
// -sections S the articles are spread over S folders instead (article i
// in folder i mod S; see lists.go: some two deep, half of them Arabic);
// with -categories M (Markdown only) each names 1 to 3 of M categories, a
// few large and most small, instead of one of six.
//
// Usage:
//
//	go run ./bench/gen -n 10000 -out /tmp/corpus [-format md] [-bundles] [-sections 500] [-categories 2000] [-hugo /tmp/site]
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// base is the modification time of article 0; article i is i minutes later.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	n := flag.Int("n", 1000, "number of articles")
	out := flag.String("out", "", "folder to write the seedfeed corpus to (created)")
	hugo := flag.String("hugo", "", "folder to write a Hugo site with the same articles to (created)")
	seed := flag.String("seed", "seeds/000_a9589b6d9dbb613e.txt", "the article whose sentences are recombined")
	format := flag.String("format", "txt", "format of the corpus: txt (seedfeed's plain text) or md (Markdown with front matter)")
	bundles := flag.Bool("bundles", false, "write each article as a page bundle: its own folder, holding index.txt or index.md")
	sections := flag.Int("sections", 0, "spread the articles over this many folders, some nested (0: 1,000 to a folder)")
	categories := flag.Int("categories", 0, "with -format md: name 1 to 3 of this many categories in each article (0: one of six)")
	flag.Parse()
	if *categories > 0 && *format != "md" {
		log.Fatal("gen: -categories needs -format md: plain text has no front matter")
	}
	if *out == "" {
		log.Fatal("gen: -out is required")
	}
	if *format != "txt" && *format != "md" {
		log.Fatalf("gen: -format %q: want txt or md", *format)
	}
	sentences, err := readSentences(*seed)
	if err != nil {
		log.Fatal(err)
	}
	if *hugo != "" {
		if err := hugoSite(*hugo); err != nil {
			log.Fatal(err)
		}
	}
	folders, names := sectionFolders(*sections), categoryNames(*categories)
	for i := range *n {
		title, paragraphs := article(i, sentences)
		dir, name := fmt.Sprintf("%03d", i/1000), fmt.Sprintf("%06d", i)
		if len(folders) > 0 {
			dir = folders[i%len(folders)]
		}
		var cats []string
		if len(names) > 0 {
			cats = categoriesOf(i, names)
		}
		if *bundles {
			dir, name = filepath.Join(dir, name), "index"
		}
		at := base.Add(time.Duration(i) * time.Minute)
		p := filepath.Join(*out, dir, name+".txt")
		content := title + "\n" + strings.Join(paragraphs, "\n") + "\n"
		if *format == "md" {
			p, content, err = markdown(*out, dir, name, i, title, paragraphs, cats, at)
		}
		if err != nil {
			log.Fatal(err)
		}
		if err := write(p, content, at); err != nil {
			log.Fatal(err)
		}
		if *hugo != "" {
			md := fmt.Sprintf("---\ntitle: %q\ndate: %s\n---\n\n%s\n", title, at.Format(time.RFC3339), strings.Join(paragraphs, "\n\n"))
			if err := write(filepath.Join(*hugo, "content", "posts", dir, fmt.Sprintf("%06d.md", i)), md, at); err != nil {
				log.Fatal(err)
			}
		}
	}
	fmt.Printf("wrote %d articles to %s\n", *n, *out)
}

// readSentences splits the seed's paragraphs into sentences.
func readSentences(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, line := range lines[1:] {
		for s := range strings.SplitSeq(line, ". ") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, strings.TrimSuffix(s, ".")+".")
			}
		}
	}
	return out, nil
}

// article i: a numbered title and 4 to 12 paragraphs of 1 to 3 sentences,
// the same for the same i on every run.
func article(i int, sentences []string) (string, []string) {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eedfeed))
	words := strings.Fields(sentences[r.IntN(len(sentences))])
	title := fmt.Sprintf("خبر رقم %d: %s", i+1, strings.Join(words[:min(len(words), 8)], " "))
	paragraphs := make([]string, 4+r.IntN(9))
	for p := range paragraphs {
		k := 1 + r.IntN(3)
		parts := make([]string, k)
		for j := range parts {
			parts[j] = sentences[r.IntN(len(sentences))]
		}
		paragraphs[p] = strings.Join(parts, " ")
	}
	return title, paragraphs
}

func write(path, content string, at time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Chtimes(path, at, at)
}

// hugoSite writes a minimal Hugo site: no theme, one list layout so that
// the build renders every page and the RSS feed of the posts.
func hugoSite(dir string) error {
	files := map[string]string{
		"config.toml": "baseURL = 'http://localhost:1313/'\nlanguageCode = 'ar'\ntitle = 'bench'\n" +
			"disableKinds = ['taxonomy', 'term']\n[outputs]\nhome = ['HTML', 'RSS']\nsection = ['HTML', 'RSS']\n",
		"layouts/_default/single.html": "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><title>{{ .Title }}</title><h1>{{ .Title }}</h1>{{ .Content }}</html>\n",
		"layouts/_default/list.html":   "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><title>{{ .Title }}</title>{{ range first 50 .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</html>\n",
	}
	for name, content := range files {
		if err := write(filepath.Join(dir, name), content, base); err != nil {
			return err
		}
	}
	return nil
}
