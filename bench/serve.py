#!/usr/bin/env python3
"""Edit-to-reload latency of `northstar serve`.

    python3 bench/serve.py DIR [--edits 20] [--file plans/features/f-000010.md]
                               [--northstar target/release/northstar]

Starts `northstar serve --port 0` on DIR (a copy: the edited file is
changed, then restored), waits for the first build, listens to the
live-reload event stream, then, EDITS times: rewrites one feature's title
(or, with --what body, its last paragraph) with a new marker (one write of
the whole file, as an editor saves), and measures

  * write -> reload event: from just before the write to the `build` event
    arriving on the event stream;
  * write -> page served: to the feature's page, fetched right after the
    event, fully received and holding the marker;
  * write -> roadmap served: to /roadmap.html fetched after that (a
    plan-wide page: the server renders those after the reload event, and a
    request for one waits for them).

Prints each edit, then the medians (and min/max), and the server's own
"rebuilt in" lines. Standard library only.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time


def get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


class Events:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.s.sendall(b"GET /__northstar/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buf = b""
        self.current = self.next_build()

    def next_build(self):
        """The data of the next `build` event."""
        while True:
            m = re.search(rb"event: build\ndata: ([^\n]*)\n\n", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1).decode()
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise SystemExit("event stream closed")
            self.buf += chunk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--file", default="plans/features/f-000010.md")
    ap.add_argument("--northstar", default="target/release/northstar")
    ap.add_argument("--pause", type=float, default=2.0,
                    help="seconds between edits (longer than a rebuild with its plan-wide pages)")
    ap.add_argument("--what", choices=["title", "body"], default="title",
                    help="edit the title (its neighbours' pages change too) or a body line")
    a = ap.parse_args()

    path = os.path.join(a.dir, a.file)
    original = open(path, encoding="utf-8").read()
    doc_id = os.path.splitext(os.path.basename(a.file))[0]
    page = f"/feature/{doc_id}.html"

    log = open(os.path.join("/tmp", f"ns-serve-bench-{os.getpid()}.log"), "w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [a.northstar, "-C", a.dir, "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise SystemExit(f"no URL printed: {line!r}")
        port = int(m.group(1))
        print(f"first build and listening: {time.perf_counter() - t0:.2f} s")
        events = Events(port)
        to_event, to_page, to_wide = [], [], []
        for i in range(a.edits):
            marker = f"Bench marker {os.getpid()}-{i}"
            if a.what == "title":
                text = re.sub(r"(?m)^title: .*$", f"title: {marker}", original, count=1)
            else:
                text = original.rstrip("\n") + f"\n\n{marker}\n"
            time.sleep(a.pause)
            start = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            events.next_build()
            t_event = time.perf_counter() - start
            code, body = get(port, page)
            t_page = time.perf_counter() - start
            if code != 200 or marker.encode() not in body:
                raise SystemExit(f"edit {i}: page {page} ({code}) does not show {marker!r}")
            code, body = get(port, "/roadmap.html")
            t_wide = time.perf_counter() - start
            if code != 200 or (a.what == "title" and marker.encode() not in body):
                raise SystemExit(f"edit {i}: the roadmap ({code}) does not show {marker!r}")
            to_event.append(t_event * 1000)
            to_page.append(t_page * 1000)
            to_wide.append(t_wide * 1000)
            print(f"edit {i + 1:2}: event {t_event * 1000:7.1f} ms, page {t_page * 1000:7.1f} ms, "
                  f"roadmap {t_wide * 1000:7.1f} ms")
        for name, xs in (("write -> reload event", to_event), ("write -> page served", to_page),
                         ("write -> roadmap served", to_wide)):
            print(f"{name}: median {statistics.median(xs):.1f} ms "
                  f"(min {min(xs):.1f}, max {max(xs):.1f}, n={len(xs)})")
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        try:
            with open(f"/proc/{proc.pid}/status") as st:
                peak = [l.split(":")[1].strip() for l in st if l.startswith("VmHWM")]
            if peak:
                print(f"server peak RSS: {peak[0]}")
        except OSError:
            pass
        proc.terminate()
        proc.wait(timeout=10)
        log.seek(0)
        lines = [l.rstrip() for l in log if l.startswith("rebuilt")]
        if lines:
            print("server:", lines[0])
            print("server:", *lines[-3:], sep="\n  ")
        log.close()
        os.unlink(log.name)


if __name__ == "__main__":
    sys.exit(main())
