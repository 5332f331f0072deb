#!/usr/bin/env python3
"""Page weights and paint times of a built site in headless Chromium.

Usage: bench/paint.py SITE_DIR [RUNS] [PAGE ...]

Drives Chromium through chromedriver (WebDriver over plain HTTP, no
Python packages needed), opens each page from file:// in a fresh tab RUNS
times (default 5) and prints, per page, its size in bytes and the medians
of first contentful paint and of the load event (ms), as a Markdown table.
Pages default to index.html and roadmap.html. Needs `chromium` and
`chromedriver` (Debian: chromium, chromium-driver) on PATH.
"""
import json, os, socket, statistics, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def call(port, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"{}")

def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    site = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    pages = sys.argv[3:] or ["index.html", "roadmap.html"]
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp(prefix="ns-paint-")
    try:
        for _ in range(100):
            try:
                call(port, "GET", "/status"); break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1280,900"]}}}}
        sid = call(port, "POST", "/session", caps)["value"]["sessionId"]
        print("| page | bytes | first contentful paint (ms, median) | load event (ms, median) |")
        print("|---|---:|---:|---:|")
        for page in pages:
            fcp, load = [], []
            for _ in range(runs):
                call(port, "POST", f"/session/{sid}/url", {"url": "about:blank"})
                call(port, "POST", f"/session/{sid}/url", {"url": "file://" + os.path.join(site, page)})
                # The paint entry can come after the load event: wait for it.
                t = call(port, "POST", f"/session/{sid}/execute/async", {"script": """
                    var done = arguments[arguments.length - 1], t0 = Date.now();
                    (function poll() {
                      var n = performance.getEntriesByType('navigation')[0];
                      var p = performance.getEntriesByName('first-contentful-paint')[0];
                      if ((p && n && n.loadEventEnd > 0) || Date.now() - t0 > 5000)
                        done([p ? p.startTime : -1, n ? n.loadEventEnd : -1]);
                      else setTimeout(poll, 50);
                    })();""", "args": []})["value"]
                fcp.append(t[0]); load.append(t[1])
            size = os.path.getsize(os.path.join(site, page))
            print(f"| {page} | {size:,} | {statistics.median(fcp):.0f} | {statistics.median(load):.0f} |")
        call(port, "DELETE", f"/session/{sid}")
    finally:
        driver.kill()

main()
