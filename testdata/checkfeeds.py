#!/usr/bin/env python3
"""Checks seedfeed's feeds with tools that seedfeed's authors did not write.

Run by validate_test.go; each mode prints one line per problem and exits 1
if there was any.

  checkfeeds.py jsonschema SCHEMA_DIR FEED_JSON
  checkfeeds.py feedparser FEED_FILE EXPECTED_JSON LANG
  checkfeeds.py newsboat CACHE_DB FEED_URL EXPECTED_JSON
  checkfeeds.py feedparser-dump FEED_FILE
  checkfeeds.py newsboat-dump CACHE_DB FEED_URL

EXPECTED_JSON is a list of {"title": ..., "paragraphs": [...]}: every
article of the corpus as its source file says it.

The two dump modes print, as JSON on stdout, what the reader made of each
entry, field by field, without judging it: markdown_test.go compares it
with testdata/markdown/expected.json, the same way for every reader.
"""

import html
import html.parser
import json
import os
import sqlite3
import sys
import time

problems = []


def problem(msg):
    problems.append(msg)
    print(msg)


def check_jsonschema(schema_dir, feed_path):
    import jsonschema

    with open(os.path.join(schema_dir, "feed.json")) as f:
        schema = json.load(f)
    with open(os.path.join(schema_dir, "feed-1.json")) as f:
        schema1 = json.load(f)
    # The 1.1 schema refers to the 1.0 one by URL; resolve it locally.
    store = {"https://json.schemastore.org/feed-1": schema1}
    resolver = jsonschema.RefResolver(schema.get("id", ""), schema, store=store)
    validator = jsonschema.Draft4Validator(schema, resolver=resolver)
    with open(feed_path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    for err in validator.iter_errors(doc):
        path = "/".join(str(p) for p in err.absolute_path)
        problem(f"jsonschema: {path}: {err.message[:300]}")


class Paragraphs(html.parser.HTMLParser):
    """Collects the wrapping div's attributes and the text of each <p>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.div = None
        self.paragraphs = []
        self.current = None
        self.other = []

    def handle_starttag(self, tag, attrs):
        if tag == "div" and self.div is None:
            self.div = dict(attrs)
        elif tag == "p":
            self.current = []
        else:
            self.other.append(tag)

    def handle_endtag(self, tag):
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


class Text(html.parser.HTMLParser):
    """Renders an HTML text construct to the text a reader shows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def rendered(where, detail, value, declared):
    """The text a reader shows of a feedparser value, by its type. Only a
    declared type counts (Atom's type attribute, RSS's description, which
    is HTML by definition): for an RSS title, plain text by definition,
    feedparser guesses a type from what the text looks like."""
    if not declared or detail.get("type") != "text/html":
        return value
    t = Text()
    t.feed(value)
    t.close()
    if t.elements:
        problem(f"{where}: HTML text {value[:80]!r} holds elements {t.elements}: it was not escaped")
    return "".join(t.parts)


def compare(where, got_title, got_summary, got_content, want, lang):
    if got_title != want["title"]:
        problem(f"{where}: title {got_title!r}, want {want['title']!r}")
    paras = want["paragraphs"]
    first = paras[0] if paras else ""
    if got_summary != first:
        problem(f"{where}: summary {got_summary[:200]!r}, want {first[:200]!r}")
    p = Paragraphs()
    p.feed(got_content)
    p.close()
    if p.div is None or p.div.get("dir") != "rtl" or p.div.get("lang") != lang:
        problem(f"{where}: content not wrapped in <div dir=rtl lang={lang}>: {got_content[:120]!r}")
    if p.other:
        problem(f"{where}: content holds elements {p.other}: markup in the text was not escaped")
    if p.paragraphs != paras:
        for i, (g, w) in enumerate(zip(p.paragraphs, paras)):
            if g != w:
                problem(f"{where}: paragraph {i}: {g[:200]!r}, want {w[:200]!r}")
                break
        if len(p.paragraphs) != len(paras):
            problem(f"{where}: {len(p.paragraphs)} paragraphs, want {len(paras)}")


def check_feedparser(feed_path, expected_path, lang):
    import feedparser

    with open(expected_path) as f:
        expected = json.load(f)
    with open(feed_path, "rb") as f:
        d = feedparser.parse(f.read())
    where = os.path.basename(feed_path)
    if d.bozo:
        problem(f"feedparser {where}: bozo: {d.bozo_exception}")
    if d.feed.get("language") != lang:
        problem(f"feedparser {where}: feed language {d.feed.get('language')!r}, want {lang!r}")
    if len(d.entries) != len(expected):
        problem(f"feedparser {where}: {len(d.entries)} entries, want {len(expected)}")
    atom = d.version.startswith("atom")
    by_title = {rendered(where, e.get("title_detail", {}), e.get("title", ""), atom): e for e in d.entries}
    for want in expected:
        e = by_title.get(want["title"])
        if e is None:
            problem(f"feedparser {where}: no entry titled {want['title'][:80]!r}")
            continue
        summary = rendered(where, e.get("summary_detail", {}), e.get("summary", ""), True)
        title = rendered(where, e.get("title_detail", {}), e.title, atom)
        content = e.content[0].value if "content" in e else ""
        compare(f"feedparser {where} {want['title'][:40]!r}", title, summary, content, want, lang)
        for detail in ("title_detail", "summary_detail"):
            got = e.get(detail, {}).get("language")
            if got not in (None, lang):
                problem(f"feedparser {where}: {detail} language {got!r}, want {lang!r}")


def check_newsboat(cache_path, feed_url, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    db = sqlite3.connect(cache_path)
    rows = db.execute("SELECT title, url, guid FROM rss_item WHERE feedurl = ?", (feed_url,)).fetchall()
    where = f"newsboat {feed_url.rsplit('/', 1)[-1]}"
    if len(rows) != len(expected):
        problem(f"{where}: stored {len(rows)} entries, want {len(expected)}")
    titles = {r[0] for r in rows}
    for want in expected:
        if want["title"] not in titles:
            problem(f"{where}: no entry titled {want['title'][:80]!r}")
    for title, url, guid in rows:
        if not url or not guid:
            problem(f"{where}: entry {title[:40]!r} stored without url or guid")


def detail(d):
    """The value, declared type and language of a feedparser detail."""
    d = d or {}
    return {"value": d.get("value", ""), "type": d.get("type", ""), "language": d.get("language")}


def dump_feedparser(feed_path):
    import feedparser

    with open(feed_path, "rb") as f:
        d = feedparser.parse(f.read())
    entries = []
    for e in d.entries:
        content = e.content[0] if e.get("content") else {}
        published = e.get("published_parsed")
        entries.append({
            "title": detail(e.get("title_detail")),
            "summary": detail(e.get("summary_detail")),
            "content": detail(content),
            "language": e.get("language"),
            "authors": [{"name": a.get("name", ""), "href": a.get("href", ""), "email": a.get("email", "")}
                        for a in e.get("authors", [])],
            "tags": [{"term": t.get("term", ""), "label": t.get("label"), "scheme": t.get("scheme")}
                     for t in e.get("tags", [])],
            "links": [{"rel": l.get("rel", ""), "href": l.get("href", ""), "type": l.get("type", ""),
                       "length": str(l.get("length", ""))} for l in e.get("links", [])],
            "enclosures": [{"href": l.get("href", ""), "type": l.get("type", ""), "length": str(l.get("length", ""))}
                           for l in e.get("enclosures", [])],
            "media_thumbnail": [m.get("url", "") for m in e.get("media_thumbnail", [])],
            "media_content": [{"url": m.get("url", ""), "type": m.get("type", ""), "filesize": m.get("filesize", ""),
                               "medium": m.get("medium", "")} for m in e.get("media_content", [])],
            "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", published) if published else "",
        })
    bozo = str(d.bozo_exception) if d.bozo else None
    feed_authors = [{"name": a.get("name", ""), "href": a.get("href", ""), "email": a.get("email", "")}
                    for a in d.feed.get("authors", [])]
    json.dump({"bozo": bozo, "version": d.version, "language": d.feed.get("language"),
               "feed_authors": feed_authors, "entries": entries},
              sys.stdout, ensure_ascii=False)


def dump_newsboat(cache_path, feed_url):
    db = sqlite3.connect(cache_path)
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT title, author, url, guid, pubDate, content, enclosure_url, enclosure_type"
                      " FROM rss_item WHERE feedurl = ? ORDER BY id", (feed_url,)).fetchall()
    json.dump([dict(r) for r in rows], sys.stdout, ensure_ascii=False)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    {"jsonschema": check_jsonschema, "feedparser": check_feedparser, "newsboat": check_newsboat,
     "feedparser-dump": dump_feedparser, "newsboat-dump": dump_newsboat}[mode](*args)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
