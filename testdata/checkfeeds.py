#!/usr/bin/env python3
"""Checks seedfeed's feeds with tools that seedfeed's authors did not write.

Run by validate_test.go; each mode prints one line per problem and exits 1
if there was any.

  checkfeeds.py jsonschema SCHEMA_DIR FEED_JSON
  checkfeeds.py feedparser FEED_FILE EXPECTED_JSON LANG
  checkfeeds.py newsboat CACHE_DB FEED_URL EXPECTED_JSON

EXPECTED_JSON is a list of {"title": ..., "paragraphs": [...]}: every
article of the corpus as its source file says it.
"""

import html
import html.parser
import json
import os
import sqlite3
import sys

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


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    {"jsonschema": check_jsonschema, "feedparser": check_feedparser, "newsboat": check_newsboat}[mode](*args)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
