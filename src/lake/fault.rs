//! Crash points: where the commit protocol can be killed on purpose, to test that every
//! crash leaves a lake that recovers to a whole state.
//!
//! With `YUSUAN_CRASH_AT=N` in the environment the process aborts (no unwinding, no
//! destructors, as under SIGKILL) at the N-th crash point it passes; without it a crash
//! point costs one atomic load. `tests/integration/crash.rs` runs an ingest once per crash
//! point and checks the lake after each.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that arms a crash point.
pub const CRASH_AT_VAR: &str = "YUSUAN_CRASH_AT";

static CRASH_AT: OnceLock<Option<u64>> = OnceLock::new();
static PASSED: AtomicU64 = AtomicU64::new(0);

/// Passes a crash point named `what`; aborts the process if it is the armed one.
pub fn point(what: &str) {
    let armed = CRASH_AT.get_or_init(|| {
        std::env::var(CRASH_AT_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok())
    });
    if let Some(n) = *armed {
        let passed = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
        if passed == n {
            eprintln!("{CRASH_AT_VAR}={n}: aborting at crash point {what}");
            std::process::abort();
        }
    }
}
