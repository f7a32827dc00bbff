//! The lake under crashes and hostile input. Crash tests of the commit protocol: an ingest
//! is killed at every crash point of the protocol in turn (`YUSUAN_CRASH_AT=N` aborts the
//! process at the N-th, as SIGKILL would), and the lake is checked after each: every live
//! document whole, one live version per organisation-year, no facts without their live
//! `documents` row, nothing left in `_staging`, and the totals of the version that is
//! live. Then hostile files: a manifest pointing outside the lake, FIFOs and link loops in
//! a folder, an amount too large to store, a damaged lake file.
//!
//! Three versions of the seed document (data/docs/wanyuan-shebaoju-2021-yusuan.txt) differ
//! in one leaf of the 部门支出总表, line 188 (住房公积金): 184,249.00 as printed, 184,250.00
//! and 184,251.00, so the expenditure total is 3,162,923.00, 3,162,924.00 or 3,162,925.00
//! and tells which version a query sees.

use std::path::Path;
use std::process::Output;

use yusuan::lake::Lake;

use super::{seed, stderr, stdout};

/// Writes the three versions into `dir`; their paths.
fn versions(dir: &Path) -> [String; 3] {
    let text = std::fs::read_to_string(seed()).unwrap();
    let line = "221\t02\t01\t203101\t住房公积金\t184,249.00\t184,249.00\t\t";
    assert!(text.contains(line), "the seed's line 188 changed");
    ["184,249.00", "184,250.00", "184,251.00"].map(|amount| {
        let v = text.replace(line, &line.replace("184,249.00", amount));
        let path = dir.join(format!("v{}.txt", &amount[6..7]));
        std::fs::write(&path, v).unwrap();
        path.to_str().unwrap().to_string()
    })
}

/// The expenditure total of each version, in the order of [`versions`].
const TOTALS: [&str; 3] = ["3162923.00", "3162924.00", "3162925.00"];

fn run(dir: &Path, crash_at: Option<usize>, args: &[&str]) -> Output {
    let mut all = vec!["--lake", "lake"];
    all.extend_from_slice(args);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_yusuan"));
    cmd.args(&all)
        .current_dir(dir)
        .env_remove("YUSUAN_LAKE")
        .env_remove(yusuan::lake::fault::CRASH_AT_VAR);
    if let Some(n) = crash_at {
        cmd.env(yusuan::lake::fault::CRASH_AT_VAR, n.to_string());
    }
    cmd.output().unwrap()
}

/// `yusuan sql --format csv -c SQL` on the lake in `dir`.
fn sql_csv(dir: &Path, sql: &str) -> Output {
    run(dir, None, &["sql", "--format", "csv", "-c", sql])
}

fn ingest(dir: &Path, path: &str, crash_at: Option<usize>) -> Output {
    run(dir, crash_at, &["ingest", path])
}

/// Checks the invariants; the index of the live version (`None`: no document).
fn check(dir: &Path, versions: &[String; 3], context: &str) -> Option<usize> {
    // The seed's organisation; other documents in the lake are left out.
    let org = "org_name = '万源市社会保险事业管理局'";
    let out = sql_csv(
        dir,
        &format!(
            "SELECT (SELECT count(*) FROM documents WHERE live AND {org}) AS live, \
                        (SELECT max(path) FROM documents WHERE live AND {org}) AS path, \
                        (SELECT count(*) FROM lake.facts \
                         WHERE doc_id NOT IN (SELECT doc_id FROM documents WHERE live)) AS orphans, \
                        (SELECT sum(total) FROM expenditure WHERE {org}) AS total"
        ),
    );
    assert!(out.status.success(), "{context}: {}", stderr(&out));
    let text = stdout(&out);
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let staging: Vec<_> = std::fs::read_dir(dir.join("lake/_staging"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        staging.is_empty(),
        "{context}: left in _staging: {staging:?}"
    );
    assert_eq!(
        row[2], "0",
        "{context}: facts without a live document: {text}"
    );
    match row[0] {
        "0" => {
            assert_eq!(row[3], "", "{context}: amounts with no document: {text}");
            None
        }
        "1" => {
            let v = versions
                .iter()
                .position(|p| p.ends_with(row[1].rsplit('/').next().unwrap()))
                .unwrap_or_else(|| panic!("{context}: unknown live path: {text}"));
            assert_eq!(
                row[3], TOTALS[v],
                "{context}: version {v} not whole: {text}"
            );
            Some(v)
        }
        n => panic!("{context}: {n} live versions of one organisation-year: {text}"),
    }
}

/// Whether the run was stopped at its crash point (rather than finishing).
fn crashed(out: &Output) -> bool {
    !out.status.success() && stderr(out).contains("aborting at crash point")
}

#[test]
fn an_ingest_killed_at_any_crash_point_leaves_a_whole_lake() {
    let mut points = 0;
    let mut supersede_points = 0;
    for n in 1.. {
        // A first version, killed at point n: afterwards nothing or all of it.
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let v = versions(d);
        let out = ingest(d, &v[0], Some(n));
        if !crashed(&out) {
            assert!(out.status.success(), "{}", stderr(&out));
            break;
        }
        points += 1;
        let seen = check(d, &v, &format!("first ingest killed at {n}"));
        assert!(matches!(seen, None | Some(0)));
        // The rerun stores it.
        assert!(ingest(d, &v[0], None).status.success());
        assert_eq!(check(d, &v, &format!("rerun after {n}")), Some(0));
    }
    for n in 1.. {
        // A new version superseding the live one, killed at point n.
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let v = versions(d);
        assert!(ingest(d, &v[0], None).status.success());
        let out = ingest(d, &v[1], Some(n));
        if !crashed(&out) {
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(check(d, &v, "no crash"), Some(1));
            break;
        }
        supersede_points += 1;
        let seen = check(d, &v, &format!("supersede killed at {n}"));
        assert!(matches!(seen, Some(0) | Some(1)), "{seen:?}");

        // The same crash while another process has the lake open (a long ingest), which
        // then commits a third version: the interrupted commit is finished first and
        // superseded, never replayed after the third version lands.
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let v = versions(d);
        assert!(ingest(d, &v[0], None).status.success());
        let open = Lake::open(d.join("lake")).unwrap();
        assert!(crashed(&ingest(d, &v[1], Some(n))));
        yusuan::ingest::ingest(&open, Path::new(&v[2])).unwrap();
        assert_eq!(check(d, &v, &format!("third version after {n}")), Some(2));
    }
    eprintln!("crash points: {points} in a first ingest, {supersede_points} in a supersede");
    // Five tables staged, the manifest aside and renamed, five files moved: the first
    // ingest passes 12 points; superseding also stages the old row, deletes four files
    // and moves one more `documents` row: 18.
    assert!(points >= 12, "{points} crash points in a first ingest");
    assert!(supersede_points >= 18, "{supersede_points} in a supersede");
}

/// A manifest left in `_staging` that points outside the lake's tables is refused whole:
/// nothing outside is deleted or written, and the directory is kept aside, reported.
#[test]
fn a_hostile_manifest_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = versions(d);
    assert!(ingest(d, &v[0], None).status.success());
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let cases = [
        format!("-\t{}\n", victim.display()),
        "-\t../victim.txt\n".to_string(),
        "facts.parquet\t../victim.txt\n".to_string(),
        "-\tfacts/fiscal_year=2021/../../../victim.txt\n".to_string(),
        "../../victim.txt\tfacts/fiscal_year=2021/x.parquet\n".to_string(),
        "-\t.commit.lock\n".to_string(),
    ];
    for (i, manifest) in cases.iter().enumerate() {
        let stage = d.join("lake/_staging").join(format!("evil{i}"));
        std::fs::create_dir_all(&stage).unwrap();
        std::fs::write(stage.join("facts.parquet"), b"PAR1 not a lake file").unwrap();
        std::fs::write(stage.join("COMMIT"), manifest).unwrap();
        let out = run(d, None, &["sql", "-c", "SELECT 1"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("refused an interrupted commit's manifest"),
            "{manifest}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(!stage.exists());
        assert!(
            d.join("lake/_staging")
                .join(format!("evil{i}.rejected"))
                .is_dir()
        );
        assert!(d.join("lake/.commit.lock").exists());
    }
    // The lake still answers, with the document whole.
    let out = sql_csv(d, "SELECT sum(total) AS t FROM expenditure");
    assert_eq!(stdout(&out), format!("t\n{}\n", TOTALS[0]));
}

/// A folder with a FIFO, a link back to itself and a second link to the same document is
/// ingested in bounded time: the document once, the FIFO and the loop passed over, named.
#[cfg(unix)]
#[test]
fn fifos_and_link_loops_in_a_folder_are_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let docs = d.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(seed(), docs.join("seed.txt")).unwrap();
    std::os::unix::fs::symlink(docs.join("seed.txt"), docs.join("again.txt")).unwrap();
    std::os::unix::fs::symlink(&docs, docs.join("loop")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(docs.join("pipe.txt"))
        .status()
        .unwrap();
    assert!(status.success());

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["--lake", "lake", "ingest", "docs"])
        .current_dir(d)
        .env_remove("YUSUAN_LAKE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("ingest of a folder with a FIFO and a link loop did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 stored"), "{text}");
    assert!(
        text.contains("pipe.txt (a FIFO, not a file: not read)"),
        "{text}"
    );
    assert!(
        text.contains("already visited through another path"),
        "{text}"
    );
    let out = sql_csv(d, "SELECT count(*) AS n FROM documents");
    assert_eq!(stdout(&out), "n\n1\n");
}

/// An amount with more digits than the lake stores, or in scientific notation, is reported
/// on its line and leaves the document partial, never dropped in silence (line 188's total
/// as 30 digits, then as 1e308); the valid amount beside it is stored.
#[test]
fn an_amount_too_large_to_store_is_an_error_not_a_silent_drop() {
    for printed in ["123456789012345678901234567890.00", "1e308"] {
        unstorable_amount_is_reported(printed);
    }
}

fn unstorable_amount_is_reported(printed: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(seed()).unwrap();
    let line = "221\t02\t01\t203101\t住房公积金\t184,249.00\t184,249.00\t\t";
    let huge = text.replace(
        line,
        &format!("221\t02\t01\t203101\t住房公积金\t{printed}\t184,249.00\t\t"),
    );
    std::fs::write(d.join("huge.txt"), huge).unwrap();
    let out = run(d, None, &["check", "--format", "json", "huge.txt"]);
    let text = stdout(&out);
    assert!(text.contains("amount_out_of_range"), "{text}");
    let out = run(d, None, &["ingest", "huge.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("partial") && said.contains("(lines 188)"),
        "{said}"
    );
    let out = sql_csv(
        d,
        "SELECT rule, src_line FROM findings WHERE rule = 'amount_out_of_range'",
    );
    assert_eq!(
        stdout(&out),
        "rule,src_line\namount_out_of_range,188\n",
        "{printed}"
    );
    let out = sql_csv(d, "SELECT measure, amount FROM facts WHERE src_line = 188");
    assert_eq!(
        stdout(&out),
        "measure,amount\nbasic,184249.00\n",
        "{printed}"
    );
}

/// A lake file with a damaged footer is named and moved aside when the lake is opened: the
/// rest of the lake answers (before, every query failed, even `SELECT 1`), the damaged
/// document is out of the answers whole, and ingesting it again restores it.
#[test]
fn a_damaged_lake_file_is_named_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = versions(d);
    let other = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/corpus/sz-tongjiju-2026-yusuan.txt");
    assert!(ingest(d, &v[0], None).status.success());
    assert!(ingest(d, other.to_str().unwrap(), None).status.success());
    let count = |d: &Path| {
        let out = sql_csv(
            d,
            "SELECT count(DISTINCT doc_id) AS docs, count(*) AS facts FROM facts",
        );
        (out.status.success(), stdout(&out), stderr(&out))
    };
    let (ok, before, _) = count(d);
    assert!(ok);
    // The seed stores 215 facts (README, quick start).
    let seed_facts: usize = 215;

    // The seed's facts file: its footer overwritten.
    let facts_dir = d.join("lake/facts/fiscal_year=2021");
    let file = std::fs::read_dir(&facts_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes[n - 40..n - 8].fill(0);
    std::fs::write(&file, bytes).unwrap();

    let (ok, after, warned) = count(d);
    assert!(ok, "{warned}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        warned.contains(&format!(
            "lake/facts/fiscal_year=2021/{name} cannot be read"
        )),
        "{warned}"
    );
    assert!(
        warned.contains("moved to lake/_damaged/facts/fiscal_year=2021/"),
        "{warned}"
    );
    let facts = |t: &str| -> usize {
        t.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        after.lines().nth(1).unwrap().split(',').next(),
        Some("1"),
        "{after}"
    );
    assert_eq!(facts(&before) - facts(&after), seed_facts);
    // No documents row is left for the document set aside.
    let out = sql_csv(d, "SELECT count(*) AS n FROM documents");
    assert_eq!(stdout(&out), "n\n1\n");

    // Ingested again, it is back.
    let out = ingest(d, &v[0], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, again, _) = count(d);
    assert_eq!(again, before);
}

/// A copy of a document cut short (its first 190 lines: three of its standard tables) does
/// not replace the live version, which reads them all; `--force` replaces it.
#[test]
fn a_truncated_copy_does_not_replace_the_whole_document() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = versions(d);
    let text = std::fs::read_to_string(seed()).unwrap();
    let cut: String = text.lines().take(190).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.join("cut.txt"), cut).unwrap();
    assert!(ingest(d, &v[0], None).status.success());
    let live = |d: &Path| {
        let out = sql_csv(d, "SELECT path, table_count FROM documents WHERE live");
        stdout(&out)
    };
    let before = live(d);
    assert!(before.ends_with(",14\n"), "{before}");

    let out = ingest(d, "cut.txt", None);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("a truncated copy?"), "{said}");
    assert!(said.contains("--force"), "{said}");
    assert_eq!(live(d), before);

    let out = run(d, None, &["ingest", "--force", "cut.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = live(d);
    // The 三公 统计表 (line 121), 部门收支总表 (133) and 部门支出总表 (175).
    assert_eq!(after, "path,table_count\ncut.txt,3\n");
}

/// Queries run by a long-lived session (as the REPL's) while new versions of a document
/// supersede each other: every query succeeds, and sees one version whole, or (in the
/// instant between the old data going and the new arriving) none — never two versions'
/// facts added together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_during_supersedes_see_one_version_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let text = std::fs::read_to_string(seed()).unwrap();
    let line = "221\t02\t01\t203101\t住房公积金\t184,249.00\t184,249.00\t\t";
    // Six versions: 住房公积金 184,249.00 + i, so the total is 3,162,923.00 + i.
    let paths: Vec<String> = (0..6)
        .map(|i| {
            let amount = format!("184,{}.00", 249 + i);
            let path = d.join(format!("v{i}.txt"));
            std::fs::write(
                &path,
                text.replace(line, &line.replace("184,249.00", &amount)),
            )
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    assert!(ingest(&d, &paths[0], None).status.success());
    let lake = Lake::open(d.join("lake")).unwrap();
    let ctx = yusuan::session::new_context(&lake).await.unwrap();

    let writer = {
        let (d, paths) = (d.clone(), paths.clone());
        std::thread::spawn(move || {
            for p in &paths[1..] {
                let out = ingest(&d, p, None);
                assert!(out.status.success(), "{}", stderr(&out));
            }
        })
    };
    let params = yusuan::shell::params::Params::new();
    let mut queries = 0;
    let mut seen = std::collections::BTreeSet::new();
    while !writer.is_finished() || queries == 0 {
        let result = yusuan::shell::exec::execute(
            &ctx,
            "SELECT CAST(sum(total) AS VARCHAR) AS t FROM expenditure",
            &params,
        )
        .await
        .unwrap_or_else(|e| panic!("query {queries} failed during the ingests: {e}"));
        let batch = &result.batches[0];
        let t = yusuan::datafusion::arrow::util::display::array_value_to_string(batch.column(0), 0)
            .unwrap();
        let whole = t.is_empty() || (0..6).any(|i| t == format!("{}.00", 3_162_923 + i));
        assert!(whole, "query {queries} saw {t}: not one version whole");
        seen.insert(t);
        queries += 1;
    }
    writer.join().unwrap();
    eprintln!("{queries} queries during five supersedes saw {seen:?}");
    assert!(queries >= 5, "only {queries} queries ran");
}

/// The lake of the seed (version 0) and a second document, 深圳市统计局 2026.
fn two_documents(d: &Path, v: &[String; 3]) {
    let other = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/corpus/sz-tongjiju-2026-yusuan.txt");
    assert!(ingest(d, &v[0], None).status.success());
    assert!(ingest(d, other.to_str().unwrap(), None).status.success());
}

/// [`two_documents`] and a third, 上海市普陀区万里街道 2023: three partitions.
fn three_documents(d: &Path, v: &[String; 3]) {
    two_documents(d, v);
    let third = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/corpus/sh-putuo-wanli-jiedao-2023-yusuan.txt");
    assert!(ingest(d, third.to_str().unwrap(), None).status.success());
}

/// Per organisation: live documents, facts and their sum; and what is left in `_staging`.
fn per_org(d: &Path) -> String {
    let out = sql_csv(
        d,
        "SELECT f.org_name, count(*) AS facts, CAST(sum(amount) AS VARCHAR) AS amounts, \
                    (SELECT count(*) FROM documents o WHERE o.live AND o.org_name = f.org_name) AS live \
             FROM facts f GROUP BY f.org_name ORDER BY f.org_name",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let staging: Vec<_> = std::fs::read_dir(d.join("lake/_staging"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    format!("{}staging: {staging:?}\n", stdout(&out))
}

/// Kills `yusuan compact` at every `stride`-th crash point, then a commit that supersedes a
/// compacted document (its rows are first moved out of the compacted parts) at every
/// `stride`-th point; after each, the lake equals the clean lake. The number of kill points.
fn compaction_kill_points(stride: usize, lake: fn(&Path, &[String; 3])) -> usize {
    let clean = {
        let dir = tempfile::tempdir().unwrap();
        let v = versions(dir.path());
        lake(dir.path(), &v);
        per_org(dir.path())
    };
    assert!(clean.ends_with("staging: []\n"), "{clean}");
    let mut killed = 0;
    for n in (1..).step_by(stride) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let v = versions(d);
        lake(d, &v);
        let out = run(d, Some(n), &["compact"]);
        if !crashed(&out) {
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(per_org(d), clean);
            break;
        }
        killed += 1;
        assert_eq!(per_org(d), clean, "compaction killed at {n}");
        assert!(run(d, None, &["compact"]).status.success());
        assert_eq!(per_org(d), clean, "compaction rerun after {n}");
    }
    for n in (1..).step_by(stride) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let v = versions(d);
        lake(d, &v);
        assert!(run(d, None, &["compact"]).status.success());
        let out = ingest(d, &v[1], Some(n));
        if !crashed(&out) {
            assert!(out.status.success(), "{}", stderr(&out));
            break;
        }
        killed += 1;
        // The other document is untouched, and the seed's organisation has one version
        // live, whole.
        let after = per_org(d);
        for other in clean
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("staging") && !l.starts_with("万源市社会保险事业管理局"))
        {
            assert!(
                after.contains(other),
                "superseding a compacted document killed at {n}: {after}"
            );
        }
        let live = check(d, &v, &format!("compacted supersede killed at {n}"));
        assert!(matches!(live, Some(0) | Some(1)), "killed at {n}: {live:?}");
    }
    killed
}

/// Kills the ingest of a folder of three documents at every `stride`-th crash point: each
/// document is afterwards in the lake whole (as in a clean lake) or not at all, and a rerun
/// stores them all. The number of kill points.
fn folder_kill_points(stride: usize) -> usize {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus");
    let setup = |d: &Path| {
        let docs = d.join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(seed(), docs.join("a.txt")).unwrap();
        std::fs::copy(
            corpus.join("sz-tongjiju-2026-yusuan.txt"),
            docs.join("b.txt"),
        )
        .unwrap();
        std::fs::copy(
            corpus.join("sh-putuo-wanli-jiedao-2023-yusuan.txt"),
            docs.join("c.txt"),
        )
        .unwrap();
    };
    let clean = {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        assert!(ingest(dir.path(), "docs", None).status.success());
        per_org(dir.path())
    };
    assert_eq!(clean.lines().count(), 5, "{clean}");
    let mut killed = 0;
    for n in (1..).step_by(stride) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        setup(d);
        let out = ingest(d, "docs", Some(n));
        if !crashed(&out) {
            assert!(out.status.success(), "{}", stderr(&out));
            break;
        }
        killed += 1;
        let after = per_org(d);
        assert!(
            after.ends_with("staging: []\n"),
            "folder ingest killed at {n}: {after}"
        );
        for line in after.lines().skip(1).filter(|l| !l.starts_with("staging")) {
            assert!(
                clean.contains(line),
                "folder ingest killed at {n}: {line} not whole"
            );
        }
        assert!(ingest(d, "docs", None).status.success());
        assert_eq!(per_org(d), clean, "rerun after {n}");
    }
    killed
}

#[test]
fn compaction_and_part_merging_killed_at_every_fourth_point_leave_the_lake_whole() {
    let killed = compaction_kill_points(4, two_documents);
    eprintln!("{killed} kill points in compaction and part merging (every fourth)");
    assert!(killed >= 8, "{killed}");
}

/// The full run: every crash point of compaction, part merging and a folder ingest, on
/// top of the ingest and supersede points every `cargo test` runs (`cargo test --test
/// integration -- --ignored all_kill_points --nocapture`).
#[test]
#[ignore]
fn all_kill_points() {
    let two = compaction_kill_points(1, two_documents);
    let three = compaction_kill_points(1, three_documents);
    let folder = folder_kill_points(1);
    eprintln!(
        "kill points: {two} in compaction and part merging of two documents, {three} of \
         three, {folder} in a folder ingest; {} with the 51 of the ingest test",
        two + three + folder + 51
    );
}

#[test]
fn a_folder_ingest_killed_at_every_fifth_point_leaves_each_document_whole_or_absent() {
    let killed = folder_kill_points(5);
    eprintln!("{killed} kill points in a folder ingest (every fifth)");
    assert!(killed >= 5, "{killed}");
}

/// A compacted lake that lost its partition indexes (`_compacted.tsv`) still replaces a
/// compacted document: the index is read back from the parts, and the new version does not
/// sit next to the old one's rows (which double-counted it).
#[test]
fn a_lost_compaction_index_does_not_double_count_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = versions(d);
    two_documents(d, &v);
    assert!(run(d, None, &["compact"]).status.success());
    let mut removed = 0;
    for table in ["facts", "narrative", "targets", "findings", "documents"] {
        for partition in std::fs::read_dir(d.join("lake").join(table)).unwrap() {
            let index = partition.unwrap().path().join("_compacted.tsv");
            if index.exists() {
                std::fs::remove_file(index).unwrap();
                removed += 1;
            }
        }
    }
    assert!(removed >= 5, "{removed} indexes");
    let out = ingest(d, &v[1], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(check(d, &v, "after the lost index"), Some(1));
}

/// Queries of a long-lived session while compaction rewrites every partition again and
/// again: each succeeds with the clean lake's answer (a partition is swapped whole; a query
/// whose listed file went with the old partition is run again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_during_compaction_see_the_whole_lake() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let v = versions(&d);
    three_documents(&d, &v);
    let lake = Lake::open(d.join("lake")).unwrap();
    let ctx = yusuan::session::new_context(&lake).await.unwrap();
    let params = yusuan::shell::params::Params::new();
    let sql = "SELECT count(*) AS n, CAST(sum(amount) AS VARCHAR) AS s FROM facts";
    let answer = |r: &yusuan::shell::exec::StatementResult| {
        yusuan::datafusion::arrow::util::pretty::pretty_format_batches(&r.batches)
            .unwrap()
            .to_string()
    };
    let clean = answer(
        &yusuan::shell::exec::execute(&ctx, sql, &params)
            .await
            .unwrap(),
    );

    let writer = {
        let d = d.clone();
        std::thread::spawn(move || {
            for _ in 0..4 {
                let out = run(&d, None, &["compact", "--force"]);
                assert!(out.status.success(), "{}", stderr(&out));
            }
        })
    };
    let mut queries = 0;
    while !writer.is_finished() || queries == 0 {
        let result = yusuan::shell::exec::execute(&ctx, sql, &params)
            .await
            .unwrap_or_else(|e| panic!("query {queries} failed during compaction: {e}"));
        assert_eq!(answer(&result), clean, "query {queries}");
        queries += 1;
    }
    writer.join().unwrap();
    eprintln!("{queries} queries during four compactions");
    assert!(queries >= 5, "only {queries} queries ran");
}
