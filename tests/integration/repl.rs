//! The REPL driven through a real pseudo-terminal (openpty; no tmux or expect needed):
//! a query with Chinese labels renders an aligned table, Tab completes a table name, SQL
//! that does not parse is refused with a caret, Ctrl-C cancels a long query (its work
//! stops) and clears a half-typed line, history keeps multi-line statements, `\q` leaves.

#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use unicode_width::UnicodeWidthStr;

use super::batch::seeded_lake;

/// A child process on a pseudo-terminal, its output collected by a thread.
struct Pty {
    child: Child,
    master: File,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of the (ANSI-stripped) output `expect` has consumed.
    seen: usize,
}

impl Pty {
    fn spawn(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 50,
            ws_col: 140,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills two descriptors we then own.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both descriptors are fresh and owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yusuan"));
        cmd.args(args)
            .current_dir(cwd)
            .env_remove("YUSUAN_LAKE")
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (k, v) in env {
            cmd.env(k, v);
        }
        // SAFETY: setsid and TIOCSCTTY are async-signal-safe; they make the pty the
        // child's controlling terminal so that Ctrl-C becomes SIGINT.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn yusuan on a pty");
        let master = File::from(master);
        let mut reader = master.try_clone().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // EIO when the child closes the terminal ends the loop.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            child,
            master,
            output,
            seen: 0,
        }
    }

    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits for `needle` in the output after what was already seen; returns the text
    /// from there up to and including it.
    fn expect(&mut self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let text = strip_ansi(&self.raw());
            if let Some(i) = text.get(self.seen..).and_then(|t| t.find(needle)) {
                let end = self.seen + i + needle.len();
                let got = text[self.seen..end].to_string();
                self.seen = end;
                return got;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {needle:?}; output so far:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // Fields after the command name (which ends with ')'): utime is the 14th field.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes ANSI escape sequences and carriage returns.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    for d in chars.by_ref() {
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[test]
fn the_repl_on_a_terminal() {
    let dir = seeded_lake();
    let history = dir.path().join("history");
    let mut pty = Pty::spawn(
        dir.path(),
        &["--lake", "lake"],
        &[("YUSUAN_HISTORY", history.to_str().unwrap())],
    );
    pty.expect("yusuan> ");

    // Tab completes a table name.
    pty.send("SELECT count(*) AS n FROM expend\t");
    pty.expect("FROM expenditure");
    pty.send(";\r");
    let table = pty.expect("1 row");
    assert!(table.contains("|     6 |"), "{table}");
    pty.expect("yusuan> ");

    // Keywords are highlighted on a terminal.
    assert!(
        pty.raw().contains("\x1b[1;34mSELECT\x1b[0m"),
        "no highlighting"
    );

    // A query with Chinese labels, over two lines, renders an aligned table.
    pty.send(
        "SELECT func_code, func_name(func_code, fiscal_year) AS 名称, total AS 合计\r\
         FROM expenditure ORDER BY func_code;\r",
    );
    let text = pty.expect("6 rows");
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with('+'))
        .take_while(|l| l.starts_with('+') || l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 11, "{text}");
    let width = table[0].width();
    for line in &table {
        assert_eq!(
            line.width(),
            width,
            "misaligned line {line:?} in\n{}",
            table.join("\n")
        );
    }
    assert!(table[1].contains("| 名称"), "{text}");
    assert!(table[1].ends_with("合计 |"), "{text}");
    let rows = table[4..10].join("\n");
    assert!(rows.contains("| 2080109   | 社会保险经办机构"), "{rows}");
    assert!(rows.contains("| 2,592,139.00 |"), "{rows}");
    assert!(rows.contains("| 住房公积金"), "{rows}");
    assert!(rows.contains("|   184,249.00 |"), "{rows}");
    pty.expect("yusuan> ");

    // Decimal literals are exact in the REPL too: the 公务接待费 of line 113, "9700 万元",
    // found by an exact filter, and 0.1 + 0.2 = 0.3 (a binary float says false); a
    // parameter set with \set binds a decimal.
    pty.send(
        "SELECT count(*) AS n, 0.1 + 0.2 = 0.3 AS ok FROM narrative WHERE amount = 97000000.00;\r",
    );
    let exact = pty.expect("1 row");
    assert!(exact.contains("|     1 | true |"), "{exact}");
    pty.expect("yusuan> ");
    pty.send("\\set x 9700.00\r");
    pty.expect("yusuan> ");
    pty.send("SELECT item FROM three_public WHERE budget = $x;\r");
    let bound = pty.expect("1 row");
    assert!(bound.contains("公务接待费"), "{bound}");
    pty.expect("yusuan> ");

    // SQL that does not parse is refused before it runs, with a caret.
    pty.send("SELECT total FROM expenditure WHERE = 1;\r");
    let refused = pty.expect("^");
    assert!(!refused.contains("row"), "{refused}");
    pty.expect("Expected");
    // Ctrl-C clears the refused line and gives a fresh prompt.
    pty.send("\x03");
    pty.expect("yusuan> ");
    std::thread::sleep(Duration::from_millis(500));

    // Ctrl-C cancels a long query, its work stops, and the prompt comes back.
    pty.send("SELECT max(value * 2) AS m FROM range(100000000000);\r");
    std::thread::sleep(Duration::from_millis(1500));
    let busy = pty.cpu_ticks();
    std::thread::sleep(Duration::from_millis(500));
    assert!(pty.cpu_ticks() > busy, "the long query is not running");
    pty.send("\x03");
    pty.expect("Cancelled.");
    pty.expect("yusuan> ");
    std::thread::sleep(Duration::from_millis(500));
    let before = pty.cpu_ticks();
    std::thread::sleep(Duration::from_millis(1500));
    let after = pty.cpu_ticks();
    assert!(
        after - before < 30,
        "the cancelled query still burns CPU: {} ticks",
        after - before
    );
    pty.send("SELECT 41 + 1 AS answer;\r");
    let answer = pty.expect("1 row");
    assert!(answer.contains("|     42 |"), "{answer}");

    // Ctrl-C at the prompt clears a half-typed line.
    pty.send("SELECT 'never run");
    std::thread::sleep(Duration::from_millis(500));
    pty.send("\x03");
    // Keys typed before the new prompt is up may be dropped with the old line.
    std::thread::sleep(Duration::from_millis(500));
    pty.send("\\unit wan\r");
    pty.expect("万元");
    pty.send("SELECT sum(total) AS total FROM expenditure;\r");
    let wan = pty.expect("1 row");
    assert!(wan.contains("316.292300"), "{wan}");

    // \d lists the views with their descriptions.
    pty.send("\\d\r");
    let listing = pty.expect("lake.targets");
    assert!(listing.contains("部门支出总表"), "{listing}");

    pty.send("\\q\r");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = pty.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "\\q did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());

    // History: appended as statements ran, the two-line statement as one entry.
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(
        saved.contains("AS 合计\\nFROM expenditure ORDER BY func_code;"),
        "{saved}"
    );
    assert!(saved.contains("SELECT 41 + 1 AS answer;"), "{saved}");
    assert!(!saved.contains("never run"), "{saved}");
}
