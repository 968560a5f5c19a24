//! A one-line progress bar on stderr for long scans.
//!
//! Drawn only when stderr is a terminal (and `TERM` is not `dumb`), only
//! once a scan has run for [`DELAY`], at most every [`INTERVAL`], and erased
//! before the report is written, so pipes, CI logs and short scans see
//! nothing at all. Hand-written rather than `indicatif`: a counter redrawn
//! with `\r` is all that is needed, and it saves a dependency tree
//! (`console`, `unicode-width`, …) for forty lines.

use kubefort_load::{Progress, Stage};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Scans shorter than this show no bar.
const DELAY: Duration = Duration::from_millis(300);
/// Time between redraws.
const INTERVAL: Duration = Duration::from_millis(80);
const BAR_WIDTH: usize = 24;
/// Erases the current terminal line.
const CLEAR: &str = "\r\x1b[2K";

pub struct ProgressLine {
    enabled: bool,
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    last_draw: Option<Instant>,
    drawn: bool,
}

impl ProgressLine {
    /// A bar on stderr, or a no-op when stderr is not an interactive terminal.
    pub fn stderr() -> ProgressLine {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        ProgressLine {
            enabled: std::io::stderr().is_terminal() && !dumb,
            started: Instant::now(),
            state: Mutex::default(),
        }
    }

    /// Records progress; may redraw. Called from many threads: never blocks
    /// (a call that finds another one drawing just returns).
    pub fn update(&self, p: Progress) {
        self.draw(|| line(p), p.done == p.total);
    }

    /// Shows a stage without counts (e.g. while rules run).
    pub fn message(&self, text: &str) {
        self.draw(|| text.to_owned(), true);
    }

    fn draw(&self, text: impl FnOnce() -> String, force: bool) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.started) < DELAY {
            return;
        }
        let Ok(mut state) = self.state.try_lock() else { return };
        if !force && state.last_draw.is_some_and(|t| now.duration_since(t) < INTERVAL) {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{CLEAR}{}", text());
        let _ = err.flush();
        state.last_draw = Some(now);
        state.drawn = true;
    }

    /// Erases the bar (if it was ever drawn).
    pub fn finish(&self) {
        let Ok(mut state) = self.state.lock() else { return };
        if state.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{CLEAR}");
            let _ = err.flush();
            state.drawn = false;
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `reading   [########----------------]  120/383 files`.
fn line(p: Progress) -> String {
    let (verb, unit) = match p.stage {
        Stage::Reading => ("reading", "files"),
        Stage::Parsing => ("parsing", "documents"),
    };
    let filled = (p.done.min(p.total) * BAR_WIDTH).checked_div(p.total).unwrap_or(BAR_WIDTH);
    format!("{verb:<9} [{}{}] {:>6}/{} {unit}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), p.done, p.total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_stage_bar_and_counts() {
        let p = |stage, done, total| line(Progress { stage, done, total });
        assert_eq!(p(Stage::Reading, 0, 4), format!("reading   [{}]      0/4 files", "-".repeat(24)));
        assert_eq!(
            p(Stage::Parsing, 2, 4),
            format!("parsing   [{}{}]      2/4 documents", "#".repeat(12), "-".repeat(12))
        );
        assert_eq!(p(Stage::Parsing, 4, 4), format!("parsing   [{}]      4/4 documents", "#".repeat(24)));
        assert!(
            p(Stage::Reading, 0, 0).contains(&"#".repeat(24)),
            "an empty stage is complete, not a division by zero"
        );
        assert!(p(Stage::Reading, 9, 4).contains(&"#".repeat(24)), "never overflows the bar");
    }

    #[test]
    fn disabled_bar_draws_nothing_and_finishes_cleanly() {
        let bar = ProgressLine { enabled: false, started: Instant::now() - DELAY * 2, state: Mutex::default() };
        bar.update(Progress { stage: Stage::Reading, done: 1, total: 2 });
        bar.message("checking");
        assert!(!bar.state.lock().unwrap().drawn);
        bar.finish();
    }
}
