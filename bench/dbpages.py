#!/usr/bin/env python3
# dbpages.py DB: where each top-level bucket of a seedfeed (bbolt)
# database lies: its pages (branch, leaf and overflow), how many 64-KiB
# windows they fall in, and what those windows weigh. Reading one page
# of a mapped file maps the cached pages of its 64-KiB window too (the
# kernel's fault-around, 16 pages), so a bucket's cost in a process's
# RssFile, once read whole, is its windows, not its pages. Reads the file
# only; run it on a database no daemon is writing.
import struct, sys
f = open(sys.argv[1], 'rb')
def page(i, ps):
    f.seek(i * ps); return f.read(ps)
# meta pages 0 and 1: pick the higher txid
f.seek(0); m0 = f.read(4096)
ps = struct.unpack_from('<I', m0, 16 + 8)[0]
def meta(i):
    p = page(i, ps); o = 16
    magic, ver, psz, flags = struct.unpack_from('<IIII', p, o)
    root, seq, freelist, pgid, txid = struct.unpack_from('<QQQQQ', p, o + 16)
    return txid, root, pgid
m = max(meta(0), meta(1))
BRANCH, LEAF = 1, 2
def walk(pg, out):
    p = page(pg, ps)
    pid, flags, count, over = struct.unpack_from('<QHHI', p, 0)
    if over:
        f.seek(pg * ps); p = f.read(ps * (over + 1))
    out.extend(range(pg, pg + over + 1))
    if flags & BRANCH:
        for i in range(count):
            pos, ksz, child = struct.unpack_from('<IIQ', p, 16 + i * 16)
            walk(child, out)
def buckets(root):
    # the top-level buckets' root pages, from the root bucket's leaves
    res = {}
    def leaves(pg):
        p = page(pg, ps); pid, flags, count, over = struct.unpack_from('<QHHI', p, 0)
        if over: f.seek(pg * ps); p = f.read(ps * (over + 1))
        if flags & BRANCH:
            for i in range(count):
                pos, ksz, child = struct.unpack_from('<IIQ', p, 16 + i * 16); leaves(child)
        else:
            for i in range(count):
                o = 16 + i * 16
                fl, pos, ksz, vsz = struct.unpack_from('<IIII', p, o)
                k = p[o + pos:o + pos + ksz]; v = p[o + pos + ksz:o + pos + ksz + vsz]
                if fl & 1:
                    res[k.decode()] = struct.unpack_from('<Q', v, 0)[0]
    leaves(root)
    return res
bs = buckets(m[1])
print(f"page size {ps}, high water page {m[2]} ({m[2]*ps/2**20:.0f} MiB)")
for name, root in sorted(bs.items()):
    if root == 0:
        print(f"{name}: inline"); continue
    ids = []
    walk(root, ids)
    wins = {i * ps // 65536 for i in ids}
    print(f"{name}: {len(ids)} pages ({len(ids)*ps/2**20:.1f} MiB), in {len(wins)} 64-KiB windows ({len(wins)*64/1024:.1f} MiB if each is faulted around), pages {min(ids)}..{max(ids)}")
