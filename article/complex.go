package article

import (
	"fmt"
	"strings"
)

// goldmark (v1.8.7) takes time quadratic in the size of some Markdown: a
// line of unclosed links ("[a](" repeated) rescans the rest of the line
// at each one, a paragraph of mixed emphasis marks pairs each with every
// other, a line of nested lists walks every level at each. 64 KiB of such
// a line takes it over a second, 1 MiB minutes, and it cannot be
// stopped. Parse estimates that work before goldmark starts, in one pass
// over the text, and refuses Markdown whose work exceeds by far what real
// articles need: 500 KB of ordinary paragraphs, with links and emphasis,
// spend under 2% of these limits (TestLongArticle). The times below are those of the largest
// accepted input of each pattern on the project's shared 2-core machine
// (BenchmarkAtLimit); a file over a limit is refused in a few
// milliseconds a MiB.
const (
	// maxLinkWork bounds the sum, over the lines, of a line's length in
	// bytes times the number of links and images it opens ("]("): 2^27,
	// a line of 1,000 links 128 KiB long, or 22 KiB of "[a](" (0.1 to
	// 0.17 s).
	maxLinkWork = 1 << 27
	// maxEmphasisWork bounds the sum, over the paragraphs (runs of lines
	// that are not blank), of a paragraph's number of emphasis marks
	// (* _ ~) times that number plus a 64th of its length in bytes
	// (goldmark's work grows with the square of the marks, and with the
	// length some): 2^29, a paragraph of 1,000 marks 32 MiB long, or 34
	// KiB of "*_* _ " (0.1 s), 38 KiB of the mixed emphasis of goldmark's
	// issue 555 (0.03 s).
	maxEmphasisWork = 1 << 29
	// maxNesting bounds the quotes and list items one line opens at its
	// start ("> > 1. - text" opens four); real articles nest two or three.
	maxNesting = 16
)

// checkWork refuses, with ErrComplex, Markdown whose work for goldmark
// exceeds the limits above. text is the Markdown body, its lines ended by
// LF, and first the line of the file it starts on.
func checkWork(text string, first int) error {
	var w work
	for line := first; text != ""; line++ {
		l, rest, ended := strings.Cut(text, "\n")
		text = rest
		if n := nesting(l); n > maxNesting {
			return fmt.Errorf("%w: line %d opens %d nested quotes or lists (at most %d)", ErrComplex, line, n, maxNesting)
		}
		if strings.TrimLeft(l, " \t") == "" {
			w.endParagraph()
			continue
		}
		links := strings.Count(l, "](")
		w.links.add(piece{line, links, len(l)}, int64(links)*int64(len(l)))
		if w.para.size == 0 {
			w.para.line = line
		}
		w.para.marks += strings.Count(l, "*") + strings.Count(l, "_") + strings.Count(l, "~")
		w.para.size += len(l)
		if ended {
			w.para.size++
		}
	}
	w.endParagraph()
	switch {
	case w.links.total > maxLinkWork:
		return fmt.Errorf("%w: too many links on long lines (line %d opens %d links or images in %d bytes)",
			ErrComplex, w.links.worst.line, w.links.worst.marks, w.links.worst.size)
	case w.emphasis.total > maxEmphasisWork:
		return fmt.Errorf("%w: too many emphasis marks * _ ~ in long paragraphs (the paragraph at line %d has %d in %d bytes)",
			ErrComplex, w.emphasis.worst.line, w.emphasis.worst.marks, w.emphasis.worst.size)
	}
	return nil
}

// work adds up the work of the lines and paragraphs of a text.
type work struct {
	links, emphasis tally
	para            piece // the paragraph being read
}

// endParagraph counts the paragraph read so far, if any.
func (w *work) endParagraph() {
	if p := w.para; p.size > 0 {
		w.emphasis.add(p, int64(p.marks)*int64(p.marks+p.size/64))
	}
	w.para = piece{}
}

// A tally is the sum of the work of pieces of a text, and the piece that
// costs most.
type tally struct {
	total, most int64
	worst       piece
}

// A piece is a line or a paragraph: where it starts, its marks, its size.
type piece struct{ line, marks, size int }

// add counts the piece p, whose work is cost.
func (t *tally) add(p piece, cost int64) {
	t.total += cost
	if cost > t.most {
		t.most, t.worst = cost, p
	}
}

// nesting is the number of quotes (>) and list items (-, +, * or a
// number and . or ), then a space) that line opens at its start.
func nesting(line string) int {
	n := 0
	for i := 0; ; n++ {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i < len(line) && line[i] == '>' {
			i++
			continue
		}
		j := i
		for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
			j++
		}
		switch {
		case j+1 >= len(line) || line[j+1] != ' ' && line[j+1] != '\t':
			return n
		case j == i && (line[j] == '-' || line[j] == '+' || line[j] == '*'),
			j > i && (line[j] == '.' || line[j] == ')'):
			i = j + 2
		default:
			return n
		}
	}
}
