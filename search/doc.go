// Package search is seedfeed's full-text search: a bleve index, in a
// folder of its own, of every article's title, summary, body, authors,
// categories and tags, kept in line with the store (see Run).
//
// Each article is analyzed by its language's analyzer (see langOf):
// Arabic by bleve's Arabic analyzer (lower case, NFKC, stop words; آ أ
// إ → ا, ى → ي, ة → ه, tashkeel and tatweel removed; Lucene's light
// stemmer, which takes off one prefix of ال وال بال كال فال لل و and
// suffixes such as ها ات ون ين ة), completed by fold (ؤ ئ → ء, the
// superscript alef U+0670 removed, Arabic-Indic and Eastern
// Arabic-Indic digits → Latin) and normalize_fa (Persian ی ک → ي ك);
// English, French and the other languages bleve knows by their own,
// then folded; any other by words in lower case, folded. A query is
// read by every language's analyzer, each against the articles of its
// language, so that مدرسة finds مدرسه and running finds runs.
//
// The index keeps, per article, its path, its publication date and the
// analyzed words of its language's fields; no text: a snippet is cut
// from the article as the store has it (see Request.Snippets). It
// follows the store's main list page by page (see Run), and marks
// itself clean when it closes, so that a start need not compare it with
// the store.
//
// The package reads the store through Source and knows nothing of the
// feeds that show its results.
package search
