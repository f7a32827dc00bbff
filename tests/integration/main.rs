//! yusuan's integration tests, one binary (every test binary links all of DataFusion):
//! the command line end to end, the lake's commit guarantees, the batch runner, the report
//! scripts and the REPL on a pseudo-terminal.

mod batch;
mod cli;
mod coverage;
mod crash;
mod excel;
mod export;
mod lake;
mod repl;
mod reports;
mod scale;
mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The bundled seed document.
pub fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/docs/wanyuan-shebaoju-2021-yusuan.txt")
}

/// Runs the `yusuan` binary with `args` in `cwd`, with no lake from the environment.
pub fn yusuan(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("YUSUAN_LAKE")
        .env("NO_COLOR", "1")
        .output()
        .expect("the yusuan binary runs")
}

/// A temporary directory with the seed document ingested into `lake/`.
pub fn seeded_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "ingest", seed().to_str().unwrap()],
    );
    assert!(out.status.success(), "ingest failed: {}", stderr(&out));
    dir
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes, sorted: a snapshot to compare a lake against.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}
