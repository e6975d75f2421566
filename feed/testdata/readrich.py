#!/usr/bin/env python3
"""Prints what feedparser reads of each entry of a feed, as JSON.

Run by feed/rich_readers_test.go:  readrich.py FEED_FILE
One object an entry: its authors, tags, enclosures, Media RSS thumbnails
and contents, summary, links and the language it declares.
"""

import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
if d.bozo:
    print(f"not well-formed: {d.bozo_exception}", file=sys.stderr)
    sys.exit(1)
out = []
for e in d.entries:
    content = e.get("content") or [{}]
    out.append({
        "title": e.get("title"),
        "authors": [{"name": a.get("name", ""), "email": a.get("email", ""), "href": a.get("href", "")}
                    for a in e.get("authors", [])],
        "tags": [{"term": t.get("term"), "scheme": t.get("scheme") or "", "label": t.get("label") or ""}
                 for t in e.get("tags", [])],
        "enclosures": [{"href": x.get("href"), "type": x.get("type", ""), "length": x.get("length", "")}
                       for x in e.get("enclosures", [])],
        "thumbnails": [x.get("url") for x in e.get("media_thumbnail", [])],
        "media": [x.get("url") for x in e.get("media_content", [])],
        "summary": e.get("summary"),
        "links": [{"rel": x.get("rel"), "href": x.get("href")} for x in e.get("links", [])],
        "language": e.get("language") or content[0].get("language"),
    })
json.dump(out, sys.stdout, ensure_ascii=False)
