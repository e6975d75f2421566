#!/usr/bin/env python3
"""Prints the feed-level links feedparser reads of each feed, as JSON.

Run by feed/discovery_test.go:  readlinks.py FEED_FILE...
One list a file, of {"rel", "href"}.
"""

import json
import sys

import feedparser

out = []
for name in sys.argv[1:]:
    d = feedparser.parse(name)
    if d.bozo:
        print(f"{name}: not well-formed: {d.bozo_exception}", file=sys.stderr)
        sys.exit(1)
    out.append([{"rel": l.get("rel", ""), "href": l.get("href", "")} for l in d.feed.get("links", [])])
print(json.dumps(out, ensure_ascii=False))
