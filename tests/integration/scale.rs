//! Scale and speed: the generator (text documents and the direct lake agree), compaction
//! (same answers, fewer files, re-ingest still replaces), and `--memory-limit` (spills, or
//! fails with a message, never an abort). Sizes are small: these are behaviour tests; the
//! figures come from `benches/`.

use std::path::Path;

use crate::{stderr, stdout, yusuan};

/// The view aggregates both paths must agree on.
const TOTALS: &str = "SELECT (SELECT sum(total) FROM expenditure) AS e, \
     (SELECT sum(total) FROM basic_by_econ) AS b, (SELECT sum(amount) FROM projects) AS p, \
     (SELECT sum(budget) FROM three_public) AS t, (SELECT count(*) FROM expenditure) AS ne, \
     (SELECT count(*) FROM basic_by_econ) AS nb";

const BY_YEAR: &str = "SELECT fiscal_year, func_rollup(func_code, 1) AS lei, sum(total) AS t, \
     count(*) AS n FROM expenditure GROUP BY 1, 2 ORDER BY 1, 2";

fn sql(dir: &Path, lake: &str, query: &str) -> String {
    let out = yusuan(
        dir,
        &["--lake", lake, "sql", "--format", "csv", "-c", query],
    );
    assert!(out.status.success(), "{query}: {}", stderr(&out));
    stdout(&out)
}

fn generate(dir: &Path, format: &str, out: &str) {
    let o = yusuan(
        dir,
        &[
            "gen",
            "--format",
            format,
            "--departments",
            "20",
            "--years",
            "2018-2019",
            "--out",
            out,
        ],
    );
    assert!(o.status.success(), "gen {format}: {}", stderr(&o));
}

fn parquet_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn generated_text_and_direct_lake_agree_and_compaction_keeps_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(dir, "text", "docs");
    generate(dir, "lake", "direct");
    // Reproducible: the same options give the same bytes.
    generate(dir, "text", "docs2");
    let a = crate::snapshot(&dir.join("docs"));
    let b = crate::snapshot(&dir.join("docs2"));
    assert_eq!(a.len(), 40);
    assert!(a.iter().zip(&b).all(|(x, y)| x.1 == y.1));

    let o = yusuan(dir, &["--lake", "parsed", "ingest", "docs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sql(dir, "parsed", TOTALS), sql(dir, "direct", TOTALS));
    assert_eq!(sql(dir, "parsed", BY_YEAR), sql(dir, "direct", BY_YEAR));

    // Compaction: same answers, one part per table and year.
    let before = sql(dir, "parsed", BY_YEAR);
    let facts_before = sql(dir, "parsed", "SELECT count(*), sum(amount) FROM facts");
    assert!(parquet_files(&dir.join("parsed/facts")) >= 40);
    let o = yusuan(dir, &["--lake", "parsed", "compact"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(parquet_files(&dir.join("parsed/facts")), 2);
    assert!(
        dir.join("parsed/facts/fiscal_year=2019/_compacted.tsv")
            .exists()
    );
    assert_eq!(sql(dir, "parsed", BY_YEAR), before);
    assert_eq!(
        sql(dir, "parsed", "SELECT count(*), sum(amount) FROM facts"),
        facts_before
    );
    // Compacting again leaves compacted partitions alone.
    let o = yusuan(dir, &["--lake", "parsed", "compact"]);
    assert!(stderr(&o).contains("already compacted"), "{}", stderr(&o));
}

#[test]
fn reingest_after_compaction_replaces_the_document() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(dir, "text", "docs");
    let o = yusuan(dir, &["--lake", "lake", "ingest", "docs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let count = "SELECT count(*) AS n, sum(amount) AS a FROM facts";
    let before = sql(dir, "lake", count);
    assert!(yusuan(dir, &["--lake", "lake", "compact"]).status.success());

    // Take one document and its id.
    let mut docs: Vec<_> = crate::snapshot(&dir.join("docs"));
    let (path, bytes) = docs.remove(0);
    let id = yusuan::ingest::doc_id(&bytes);
    let lake = yusuan::lake::Lake::open(dir.join("lake")).unwrap();
    // Moving its rows out of the part changes no answer...
    let moved = yusuan::lake::compact::extract_document(&lake, &id).unwrap();
    assert!(moved >= 1, "the document was in compacted parts");
    assert!(
        dir.join(format!("lake/facts/fiscal_year=2018/{id}.parquet"))
            .exists()
            || dir
                .join(format!("lake/facts/fiscal_year=2019/{id}.parquet"))
                .exists()
    );
    assert_eq!(sql(dir, "lake", count), before);
    // ...and a second call finds nothing to do.
    assert_eq!(
        yusuan::lake::compact::extract_document(&lake, &id).unwrap(),
        0
    );
    // Re-ingest replaces: no row is doubled.
    let o = yusuan(dir, &["--lake", "lake", "ingest", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sql(dir, "lake", count), before);
    let n = sql(
        dir,
        "lake",
        &format!("SELECT count(DISTINCT doc_id) FROM facts WHERE doc_id = '{id}'"),
    );
    assert!(n.ends_with("1\n"), "{n}");
}

#[test]
fn memory_limit_spills_or_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = yusuan(
        dir,
        &[
            "gen",
            "--format",
            "lake",
            "--departments",
            "200",
            "--out",
            "lake",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A sort of every fact by a wide key: spills under 2 MiB.
    let q = "SELECT item, amount, org_name FROM facts ORDER BY item, amount, org_name, src_line";
    let full = yusuan(dir, &["--lake", "lake", "sql", "--format", "csv", "-c", q]);
    assert!(full.status.success(), "{}", stderr(&full));
    let capped = yusuan(
        dir,
        &[
            "--lake",
            "lake",
            "--memory-limit",
            "2M",
            "sql",
            "--format",
            "csv",
            "-c",
            q,
        ],
    );
    assert!(capped.status.code().is_some(), "no abort");
    if capped.status.success() {
        assert_eq!(stdout(&capped), stdout(&full));
    } else {
        assert!(
            stderr(&capped).contains("esources exhausted"),
            "{}",
            stderr(&capped)
        );
    }
    // A bad size is a usage error, not a panic.
    let bad = yusuan(
        dir,
        &[
            "--lake",
            "lake",
            "--memory-limit",
            "lots",
            "sql",
            "-c",
            "SELECT 1",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("memory size"), "{}", stderr(&bad));
}

/// Through `yusuan ingest` alone: after compacting every table, a forced re-ingest replaces
/// a compacted document and a new version supersedes it, and no row is doubled.
#[test]
fn ingest_after_compaction_replaces_and_supersedes_without_doubling() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(dir, "text", "docs");
    let o = yusuan(dir, &["--lake", "lake", "ingest", "docs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let state = "SELECT (SELECT count(*) FROM facts) AS facts, (SELECT sum(amount) FROM facts) AS total, \
                 (SELECT count(*) FROM documents WHERE live) AS live";
    let before = sql(dir, "lake", state);
    assert!(yusuan(dir, &["--lake", "lake", "compact"]).status.success());
    assert_eq!(sql(dir, "lake", state), before);

    let mut docs: Vec<_> = crate::snapshot(&dir.join("docs"));
    let (path, bytes) = docs.remove(0);
    let o = yusuan(dir, &["--lake", "lake", "ingest", path.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("skipped"),
        "a compacted document is known: {}",
        stderr(&o)
    );
    let o = yusuan(
        dir,
        &[
            "--lake",
            "lake",
            "ingest",
            "--force",
            path.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sql(dir, "lake", state), before);

    // The same organisation's document again, with one more line of prose: a new version.
    let text = String::from_utf8(bytes).unwrap();
    let cut = text.find('\n').unwrap();
    let revised = format!("{}\n\n本文件为修订版。\n{}", &text[..cut], &text[cut..]);
    std::fs::write(dir.join("revised.txt"), revised).unwrap();
    let o = yusuan(dir, &["--lake", "lake", "ingest", "revised.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("supersedes"), "{}", stderr(&o));
    assert_eq!(sql(dir, "lake", state), before);
}
