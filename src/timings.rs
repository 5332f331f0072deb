//! Phase timings on stderr when `NORTHSTAR_TIMINGS` is set, in the spirit
//! of `rustc -Z time-passes`: performance work starts from where the time
//! goes, and a profiler's view of a 2-core run is too coarse to tell the
//! phases of one build apart.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        let on = std::env::var_os("NORTHSTAR_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        if on {
            epoch();
        }
        on
    })
}

/// When timing started (the first phase): each phase also says when it
/// ended, so phases that overlap on threads can be laid out in time.
fn epoch() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// A running phase; prints its name and duration when dropped.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Starts timing a phase (a no-op unless `NORTHSTAR_TIMINGS` is set to
/// something other than `0`).
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(Instant::now),
    }
}

/// The process's anonymous resident memory in MB (mapped files left out),
/// where `/proc` says it: on the virtual machines builds run on, touching
/// fresh memory is one of the larger costs, so each phase reports it.
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb >> 10)
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(s) = self.start {
            let rss = resident_mb().map(|m| format!("  ({m} MB anonymous memory)"));
            eprintln!(
                "time: {:>9.3} ms  {}{}  (ended at {:.1} ms)",
                s.elapsed().as_secs_f64() * 1e3,
                self.name,
                rss.unwrap_or_default(),
                epoch().elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
