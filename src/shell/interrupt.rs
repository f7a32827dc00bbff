//! Ctrl-C (SIGINT) as an awaitable event, independent of the Tokio I/O driver.
//!
//! Tokio's `signal::ctrl_c` is delivered by the runtime's I/O driver, which a worker polls
//! only between tasks: while query operators keep every worker busy, the signal can wait a
//! long time. Here a signal handler writes a byte to a pipe, and a plain thread reading the
//! pipe wakes the waiting futures directly, so the REPL and the batch runner react at once.
//! Once [`install`]ed, SIGINT no longer kills the process: whoever awaits [`ctrl_c`] decides.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use tokio::sync::Notify;

static NOTIFY: LazyLock<Notify> = LazyLock::new(Notify::new);
static COUNT: AtomicU64 = AtomicU64::new(0);
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    let fd = WRITE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is a live local.
        unsafe {
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
    }
}

/// Installs the SIGINT handler (once; later calls do nothing). Returns whether it is on.
pub fn install() -> bool {
    static INSTALLED: LazyLock<bool> = LazyLock::new(install_once);
    *INSTALLED
}

#[cfg(unix)]
fn install_once() -> bool {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) fills the two descriptors of a local array.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return false;
    }
    let (read_fd, write_fd) = (fds[0], fds[1]);
    WRITE_FD.store(write_fd, Ordering::Relaxed);
    let spawned = std::thread::Builder::new()
        .name("yusuan-sigint".into())
        .spawn(move || {
            let mut byte = 0u8;
            loop {
                // SAFETY: reads one byte into a live local from the pipe we own.
                let n = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
                if n == 1 {
                    COUNT.fetch_add(1, Ordering::SeqCst);
                    NOTIFY.notify_waiters();
                } else if n == 0 {
                    break;
                }
            }
        });
    if spawned.is_err() {
        return false;
    }
    // SAFETY: a plain C handler that only calls write(2).
    let handler = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
    unsafe { libc::signal(libc::SIGINT, handler) != libc::SIG_ERR }
}

#[cfg(not(unix))]
fn install_once() -> bool {
    false
}

/// How many times Ctrl-C was pressed so far.
pub fn count() -> u64 {
    COUNT.load(Ordering::SeqCst)
}

/// Completes at the next Ctrl-C after the call.
pub async fn ctrl_c() {
    if !install() {
        let _ = tokio::signal::ctrl_c().await;
        return;
    }
    let seen = count();
    loop {
        let notified = NOTIFY.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if count() != seen {
            return;
        }
        notified.await;
        if count() != seen {
            return;
        }
    }
}
