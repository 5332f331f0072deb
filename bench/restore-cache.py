#!/usr/bin/env python3
"""Puts a history cache back as a snapshot of it was, touching as little as it can.

    restore-cache.py SNAPSHOT CACHE

The rebuild after one new commit is timed with the cache a build of the
commit before left. Copying the whole cache back before each run (tens of
megabytes at 10,000 documents) fills fresh page-cache memory right before
the timed build, and on these virtual machines the memory freed and taken
again that way makes the next process's first touch of its own memory
slower: a build with no history ran 3 % slower after such a copy than
after none (bench/README.md). A build after a few commits only appends to
the cache files (the per-commit cache, the kept renderings) and leaves the
state file as it was, as it would on a user's machine, so here a file is
cut back to its snapshot's length when it is still the same file (same
inode: not replaced by a rename) and at least as long, and copied only
otherwise (missing, replaced, shorter). The inodes seen after each restore
are kept in SNAPSHOT.inodes. Standard library only.
"""
import json
import os
import shutil
import sys


def same_ends(a, b, size):
    """Whether the first and last 64 KB of the first `size` bytes agree."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for at in {0, max(0, size - 65536)}:
            fa.seek(at)
            fb.seek(at)
            n = min(65536, size - at)
            if fa.read(n) != fb.read(n):
                return False
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    snap, cache = sys.argv[1], sys.argv[2]
    record = snap.rstrip("/") + ".inodes"
    try:
        with open(record) as f:
            known = json.load(f)
    except (OSError, ValueError):
        known = {}
    known = known.get(os.path.abspath(cache), {})
    os.makedirs(cache, exist_ok=True)
    wanted = set(os.listdir(snap))
    for name in os.listdir(cache):
        if name not in wanted:
            path = os.path.join(cache, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    inodes = {}
    for name in sorted(wanted):
        src, dst = os.path.join(snap, name), os.path.join(cache, name)
        size = os.stat(src).st_size
        try:
            st = os.stat(dst)
        except OSError:
            st = None
        if (
            st is not None
            and known.get(name) == st.st_ino
            and st.st_size >= size
            and same_ends(src, dst, size)
        ):
            if st.st_size > size:
                os.truncate(dst, size)
        else:
            if st is not None:
                os.remove(dst)
            shutil.copy2(src, dst)
        inodes[name] = os.stat(dst).st_ino
    with open(record, "w") as f:
        json.dump({os.path.abspath(cache): inodes}, f)


if __name__ == "__main__":
    main()
