//! A minimal HTTP/1.1 server on `std::net`: a thread per connection (at
//! most [`MAX_CONNECTIONS`] answering, and [`MAX_HEADS`] more still
//! sending their request), GET and HEAD only, one request per
//! connection. Files come from the in-memory site by exact path, so no
//! request can reach anything else on disk: linked plan files (`files/…`)
//! are served only when the site lists them.
//!
//! Only a loopback `Host` (or the address it listens on) is answered: a
//! web page whose own name resolves to 127.0.0.1 (DNS rebinding) would
//! otherwise read the plans from the reader's browser. A request head must
//! arrive whole within [`HEAD_TIMEOUT`], so slow clients cannot hold the
//! slots the browser needs.
//!
//! `/__northstar/events` is a server-sent event stream with one `build`
//! event per rebuild; every HTML page gets a small script that listens to
//! it and reloads, and the diagnostics overlay when the plans have errors.
//! Both are added here, at serve time: the site itself never holds them.

use super::{Live, Snapshot};
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Connections being answered at most (server-sent event streams
/// included).
pub const MAX_CONNECTIONS: usize = 64;
/// Connections still sending their request head at most. Counted apart
/// from [`MAX_CONNECTIONS`], so clients that never finish a request
/// cannot take the slots of those that did.
pub const MAX_HEADS: usize = 256;
/// The whole request head must arrive within this, however it trickles
/// in (a header line every two seconds does not keep a connection).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The live-reload endpoint.
pub const EVENTS: &str = "/__northstar/events";
/// How often an idle event stream sends a comment, to notice closed tabs.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Longest wait for a page still being rendered.
const PENDING_WAIT: Duration = Duration::from_secs(60);
/// Longest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// Accepts connections forever; `bind` is the address listened on, whose
/// name a request may use as its `Host`.
pub fn serve(listener: TcpListener, live: Arc<Live>, bind: IpAddr) {
    let heads = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Some(head_slot) = Slot::take(&heads, MAX_HEADS) else {
            busy(&mut stream);
            continue;
        };
        let open = open.clone();
        let live = live.clone();
        let _ = std::thread::Builder::new()
            .name("northstar-http".into())
            .spawn(move || {
                let head = read_head(&stream);
                drop(head_slot);
                let Some(_slot) = Slot::take(&open, MAX_CONNECTIONS) else {
                    busy(&mut stream);
                    return;
                };
                handle(stream, head, &live, bind);
            });
    }
}

/// Answers 503: every slot is taken.
fn busy(stream: &mut TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = respond(
        stream,
        false,
        503,
        "text/plain; charset=utf-8",
        &[("Retry-After", "1")],
        b"too many connections\n",
    );
}

/// One taken place in a counter, given back when dropped (the connection
/// ended, or its thread could not start and the closure was dropped).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// A place in `count` if fewer than `max` are taken.
    fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        if count.fetch_add(1, Ordering::SeqCst) >= max {
            count.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(count.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A parsed request line.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET` or `HEAD`.
    pub head_only: bool,
    /// The decoded path, without query or fragment, starting with `/`.
    pub path: String,
}

/// Why a request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not HTTP we understand.
    Bad,
    /// A method other than GET and HEAD.
    Method,
    /// A `Host` that is not this machine's loopback or listening address.
    Host,
    /// The head did not arrive within [`HEAD_TIMEOUT`].
    Slow,
}

/// A request head: its first line and its `Host`, if it had one.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    /// `METHOD TARGET VERSION`.
    pub line: String,
    /// The `Host` header's value.
    pub host: Option<String>,
}

/// Parses a whole request head (up to its blank line).
pub fn parse_head(raw: &[u8]) -> Result<Head, Refused> {
    let text = std::str::from_utf8(raw).map_err(|_| Refused::Bad)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or("").to_string();
    let mut host = None;
    for l in lines {
        if let Some((name, value)) = l.split_once(':')
            && name.trim().eq_ignore_ascii_case("host")
        {
            // Two hosts: which one a proxy believed is anyone's guess.
            if host.replace(value.trim().to_string()).is_some() {
                return Err(Refused::Bad);
            }
        }
    }
    Ok(Head { line, host })
}

/// Whether a request naming `host` is for this server: `localhost`, a
/// loopback address, or the address `bind` (any address when listening on
/// every interface, where others reach the machine by its address), each
/// with or without a port. A host *name* other than `localhost` is
/// refused: that is how a page on another site would reach this one.
pub fn host_allowed(host: &str, bind: IpAddr) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, "")) => ip,
            Some((ip, port)) if port.strip_prefix(':').is_some_and(is_port) => ip,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bind || bind.is_unspecified(),
        Err(_) => false,
    }
}

/// One to five digits.
fn is_port(p: &str) -> bool {
    (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `METHOD TARGET HTTP/1.x`.
pub fn parse_request_line(line: &str) -> Result<Request, Refused> {
    let mut parts = line.split_ascii_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refused::Bad);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Refused::Bad);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(Refused::Method),
    };
    // Absolute form (`http://host/path`) as well as origin form.
    let target = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    let target = target.split(['?', '#']).next().unwrap_or("/");
    if !target.starts_with('/') {
        return Err(Refused::Bad);
    }
    let path = percent_decode(target).ok_or(Refused::Bad)?;
    Ok(Request { head_only, path })
}

/// A request path's `%XX` escapes decoded; None (a bad request) for a
/// malformed escape or bytes that are not UTF-8, which no site path has.
fn percent_decode(s: &str) -> Option<String> {
    let escapes_whole = s.match_indices('%').all(|(i, _)| {
        s.as_bytes()
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_whole {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// The Content-Type of a site path, by extension: the site's own text
/// files (with their charset; `.xml` is the feed) named here, the rest
/// from `mime_guess`.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/atom+xml; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        "svg" => "image/svg+xml",
        // Images, video, fonts, documents a plan links to: the common
        // table of types by extension.
        _ => mime_guess::from_ext(&ext)
            .first_raw()
            .unwrap_or("application/octet-stream"),
    }
}

/// Extra headers for a plan file served under `files/`. Plan files are
/// the plan's authors' own bytes: an HTML or SVG file among them must not
/// run script with this origin, so it is sandboxed and downloaded, never
/// shown. Builds do not copy such files (`active-content`); this holds
/// should one be listed anyway. Other files need nothing more than the
/// `nosniff` every answer carries (a sandbox would stop the PDF viewer).
pub fn file_headers(asset: &str) -> &'static [(&'static str, &'static str)] {
    if crate::check::links::active_content(asset) {
        &[
            ("Content-Security-Policy", "sandbox"),
            ("Content-Disposition", "attachment"),
        ]
    } else {
        &[]
    }
}

/// Adds `snippet` before the page's last `</body>` (or at its end).
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn handle(mut stream: TcpStream, head: Result<Head, Refused>, live: &Live, bind: IpAddr) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let request = head.and_then(|head| {
        let req = parse_request_line(&head.line)?;
        match &head.host {
            Some(host) if !host_allowed(host, bind) => Err(Refused::Host),
            // HTTP/1.1 requires a Host; a browser always sends one.
            None if head.line.trim_end().ends_with("HTTP/1.1") => Err(Refused::Bad),
            _ => Ok(req),
        }
    });
    let req = match request {
        Ok(r) => r,
        Err(refused) => {
            let (code, headers, body): (u16, &[(&str, &str)], &[u8]) = match refused {
                Refused::Method => (405, &[("Allow", "GET, HEAD")], b"only GET and HEAD\n"),
                Refused::Host => (
                    403,
                    &[],
                    b"northstar serve answers only requests for localhost, a loopback address \
                      or the address it listens on\n",
                ),
                Refused::Slow => (408, &[], b"request head too slow\n"),
                Refused::Bad => (400, &[], b"bad request\n"),
            };
            let _ = respond(
                &mut stream,
                false,
                code,
                "text/plain; charset=utf-8",
                headers,
                body,
            );
            return;
        }
    };
    if req.path == EVENTS {
        events(stream, live, req.head_only);
        return;
    }
    let mut snap = live.snapshot();
    if let Some(pending) = snap.pending.clone()
        && pending.paths.contains(site_path(&req.path).as_str())
    {
        // A plan-wide page still being rendered after an edit.
        pending.wait(PENDING_WAIT);
        snap = live.snapshot();
    }
    let _ = answer(&mut stream, &req, &snap);
}

/// Reads the whole request head (so closing the socket does not reset
/// it under the browser's feet) within [`HEAD_TIMEOUT`] in all: each read
/// waits only for the time left, so a client trickling bytes is cut off
/// as surely as a silent one.
fn read_head(mut stream: &TcpStream) -> Result<Head, Refused> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut raw = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = head_end(&raw) {
            return parse_head(&raw[..end]);
        }
        if raw.len() >= MAX_HEAD {
            return Err(Refused::Bad);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Refused::Slow);
        }
        let room = chunk.len().min(MAX_HEAD - raw.len());
        match stream.read(&mut chunk[..room]) {
            // Closed before the blank line: a head without headers is
            // still a request (`printf 'GET / HTTP/1.0\n' | nc`).
            Ok(0) if raw.is_empty() => return Err(Refused::Bad),
            Ok(0) => return parse_head(&raw),
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Refused::Slow);
            }
            Err(_) => return Err(Refused::Bad),
        }
    }
}

/// Where the head's blank line ends, if it has arrived.
fn head_end(raw: &[u8]) -> Option<usize> {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The site path a request path names (`/` → `index.html`).
fn site_path(path: &str) -> String {
    let mut path = path.trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    path
}

fn answer(stream: &mut TcpStream, req: &Request, snap: &Snapshot) -> std::io::Result<()> {
    let path = site_path(&req.path);
    if let Some(bytes) = snap.files.get(&path) {
        let ct = content_type(&path);
        let body = if ct.starts_with("text/html") {
            inject(bytes, &snap.snippet)
        } else {
            bytes.to_vec()
        };
        return respond(stream, req.head_only, 200, ct, &[], &body);
    }
    if let Some(asset) = path.strip_prefix("files/")
        && snap.assets.contains(asset)
        // Read through the same rule as the scan: a link swapped while
        // `serve` runs cannot lead out of the repository.
        && let Ok(bytes) = crate::source::confine::read(&snap.root, Path::new(asset))
    {
        return respond(
            stream,
            req.head_only,
            200,
            content_type(asset),
            file_headers(asset),
            &bytes,
        );
    }
    if path == "favicon.ico" {
        // Browsers ask for it on every page; the site has none.
        return respond(stream, true, 204, "image/x-icon", &[], b"");
    }
    if snap.files.contains_key(&format!("{path}/index.html")) {
        let to = format!("/{path}/");
        return respond(
            stream,
            req.head_only,
            301,
            "text/plain; charset=utf-8",
            &[("Location", &to)],
            b"moved\n",
        );
    }
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title></head>\
         <body><h1>Not found</h1><p>No page at <code>{}</code> in this build. \
         <a href=\"/\">Home</a></p></body></html>",
        crate::render::svg::esc(&req.path)
    );
    let body = inject(page.as_bytes(), &snap.snippet);
    respond(
        stream,
        req.head_only,
        404,
        "text/html; charset=utf-8",
        &[],
        &body,
    )
}

fn respond(
    stream: &mut TcpStream,
    head_only: bool,
    code: u16,
    content_type: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

/// The event stream: the current build at once, then one event per build.
fn events(mut stream: TcpStream, live: &Live, head_only: bool) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() || head_only {
        return;
    }
    let mut seen: Option<String> = None;
    loop {
        let tag = live.wait_for_build(seen.as_deref(), KEEPALIVE);
        let msg = if seen.is_none() {
            // Reconnect quickly when the server comes back.
            format!("retry: 500\nevent: build\ndata: {tag}\n\n")
        } else if seen.as_deref() != Some(tag.as_str()) {
            format!("event: build\ndata: {tag}\n\n")
        } else {
            ": ping\n\n".to_string()
        };
        seen = Some(tag);
        if stream.write_all(msg.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            parse_request_line("GET /feature/a%20b.html?x=1#y HTTP/1.1\r\n"),
            Ok(Request {
                head_only: false,
                path: "/feature/a b.html".into()
            })
        );
        assert_eq!(
            parse_request_line("HEAD http://127.0.0.1:4000/x HTTP/1.0"),
            Ok(Request {
                head_only: true,
                path: "/x".into()
            })
        );
        assert_eq!(parse_request_line("POST / HTTP/1.1"), Err(Refused::Method));
        assert_eq!(parse_request_line("GET /"), Err(Refused::Bad));
        assert_eq!(parse_request_line("GET x HTTP/1.1"), Err(Refused::Bad));
        assert_eq!(parse_request_line("GET /%zz HTTP/1.1"), Err(Refused::Bad));
        assert_eq!(parse_request_line("GET /%ff HTTP/1.1"), Err(Refused::Bad));
    }

    #[test]
    fn only_loopback_hosts_and_the_bound_address_are_answered() {
        let lo: IpAddr = [127, 0, 0, 1].into();
        for ok in [
            "localhost",
            "LOCALHOST:4000",
            "localhost.",
            "127.0.0.1",
            "127.0.0.1:4000",
            "[::1]",
            "[::1]:4000",
        ] {
            assert!(host_allowed(ok, lo), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.5:4000",
            "[::1]x",
            "localhost:x",
            "",
        ] {
            assert!(!host_allowed(bad, lo), "{bad}");
        }
        let lan: IpAddr = [192, 168, 1, 9].into();
        assert!(host_allowed("192.168.1.9:4000", lan));
        assert!(!host_allowed("192.168.1.10:4000", lan));
        let any: IpAddr = [0, 0, 0, 0].into();
        assert!(host_allowed("192.168.1.10:4000", any));
        assert!(!host_allowed("evil.example", any));
    }

    #[test]
    fn heads_give_their_host_once() {
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nhOsT:  localhost:1 \r\nX: y\r\n\r\n"),
            Ok(Head {
                line: "GET / HTTP/1.1".into(),
                host: Some("localhost:1".into())
            })
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            Err(Refused::Bad)
        );
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn active_plan_files_are_sandboxed_and_downloaded() {
        for active in ["d.svg", "a/b.HTML", "x.xhtml", "feed.xml", "s.svgz"] {
            assert_eq!(
                file_headers(active),
                &[
                    ("Content-Security-Policy", "sandbox"),
                    ("Content-Disposition", "attachment")
                ],
                "{active}"
            );
        }
        for passive in ["d.png", "spec.pdf", "svg", "notes.txt"] {
            assert!(file_headers(passive).is_empty(), "{passive}");
        }
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("plan.json"), "application/json");
        assert_eq!(content_type("x.PNG"), "image/png");
        assert_eq!(
            content_type("feed.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn injection_goes_before_the_last_body_end() {
        assert_eq!(
            inject(b"<body>a</body></html>", "<s>"),
            b"<body>a<s></body></html>".to_vec()
        );
        assert_eq!(inject(b"<p>x</BODY>", "<s>"), b"<p>x<s></BODY>".to_vec());
        assert_eq!(inject(b"plain", "<s>"), b"plain<s>".to_vec());
    }
}
