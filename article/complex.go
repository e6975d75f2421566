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
// articles need: a long article of ordinary paragraphs spends a
// thousandth of these limits. The times below are the largest accepted
// input of each pattern, on the project's shared 2-core machine.
const (
	// maxLinkWork bounds the sum, over the lines, of a line's length in
	// bytes times the number of links and images it opens ("]("): 2^27,
	// a line of 1,000 links 128 KiB long, or 22 KiB of "[a](" (0.17 s).
	maxLinkWork = 1 << 27
	// maxEmphasisWork bounds the sum, over the paragraphs (runs of lines
	// that are not blank), of a paragraph's length in bytes (its line
	// ends too) times its
	// number of emphasis marks (* _ ~): 2^29, a paragraph of 1,000 marks
	// 512 KiB long, or 28 KiB of "*_* _ " (0.06 s), 30 KiB of the mixed
	// emphasis of goldmark's issue 555 (0.03 s).
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
		w.links.add(line, strings.Count(l, "]("), len(l))
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
	if w.para.size > 0 {
		w.emphasis.add(w.para.line, w.para.marks, w.para.size)
	}
	w.para = piece{}
}

// A tally is the sum of the work of pieces of a text, and the piece that
// costs most.
type tally struct {
	total int64
	worst piece
}

// A piece is a line or a paragraph: where it starts, its marks, its size.
type piece struct{ line, marks, size int }

// add counts a piece of size bytes at line with marks marks.
func (t *tally) add(line, marks, size int) {
	cost := int64(marks) * int64(size)
	t.total += cost
	if cost > int64(t.worst.marks)*int64(t.worst.size) {
		t.worst = piece{line, marks, size}
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
