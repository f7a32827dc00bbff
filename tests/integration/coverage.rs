//! Coverage on the command line: the status line of `yusuan ingest`, `yusuan check
//! --summary`, `yusuan inspect`, the metadata flags, and the coverage columns of
//! `documents`.

use std::fs;

use super::{seed, seeded_lake, stderr, stdout, yusuan};

fn query(dir: &std::path::Path, sql: &str) -> String {
    let out = yusuan(
        dir,
        &["--lake", "lake", "sql", "--format", "csv", "-c", sql],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn ingest_prints_each_documents_status_and_stores_its_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::copy(seed(), docs.join("seed.txt")).unwrap();
    // The same document without its 部门支出总表 (lines 175–188), as another
    // organisation so that it does not supersede the first.
    let text = fs::read_to_string(seed()).unwrap();
    let cut: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| !(174..188).contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    fs::write(docs.join("cut.txt"), cut).unwrap();
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "ingest",
            "--org",
            "万源市另一单位",
            "docs/cut.txt",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("partial   docs/cut.txt (万源市另一单位 2021 budget"),
        "{err}"
    );
    assert!(
        err.contains("- standard tables not found: expenditure_by_func (支出总表)"),
        "{err}"
    );
    let out = yusuan(dir.path(), &["--lake", "lake", "ingest", "docs/seed.txt"]);
    let err = stderr(&out);
    assert!(
        err.contains("complete  docs/seed.txt (万源市社会保险事业管理局 2021 budget"),
        "{err}"
    );
    assert!(err.contains("1 stored (1 complete, 0 partial;"), "{err}");

    // The seed's tables: 325 numbers, 215 stored as facts, none unread (the rest codes
    // and ratios); the organisation from its title, the region derived from it.
    assert_eq!(
        query(
            dir.path(),
            "SELECT org_name, status, content, tables_missing, numbers_unread, \
             numbers_stored = fact_count AS all_facts_counted, \
             numbers_in_tables = numbers_stored + numbers_skipped AS whole, \
             org_name_source, fiscal_year_source, region_source \
             FROM documents ORDER BY org_name"
        ),
        "org_name,status,content,tables_missing,numbers_unread,all_facts_counted,whole,\
         org_name_source,fiscal_year_source,region_source\n\
         万源市另一单位,partial,tables,\"income_by_func,expenditure_by_func\",0,true,true,flag,title,derived\n\
         万源市社会保险事业管理局,complete,tables,income_by_func,0,true,true,title,title,derived\n"
    );
}

#[test]
fn check_summary_prints_a_line_per_document_and_a_total() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(seed(), dir.path().join("seed.txt")).unwrap();
    fs::write(
        dir.path().join("no-year.txt"),
        "说明\n\n## 部门收支总表\n\n单位：元\n项目\t金额\n总计\t1.00\n",
    )
    .unwrap();
    let out = yusuan(
        dir.path(),
        &["check", "--summary", "seed.txt", "no-year.txt"],
    );
    assert_eq!(out.status.code(), Some(2), "a refused document exits 2");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "complete seed.txt\t万源市社会保险事业管理局\t2021\tbudget\ttables 7/8\tunread 0\terrors 0"
    );
    assert!(
        lines[1].starts_with("refused  no-year.txt: fiscal year not found"),
        "{text}"
    );
    assert!(lines[1].ends_with("pass --year"), "{text}");
    assert_eq!(
        lines[2],
        "total: 2 documents, 1 complete, 0 partial, 1 refused; 0 unread numbers, 0 error findings"
    );
    // --year lets it in.
    let out = yusuan(
        dir.path(),
        &["check", "--summary", "--year", "2021", "no-year.txt"],
    );
    assert!(
        stdout(&out).contains("no-year\t2021\tbudget"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn inspect_shows_metadata_sources_tables_and_each_numbers_fate() {
    let dir = seeded_lake();
    let s = seed();
    let out = yusuan(dir.path(), &["inspect", s.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("  org_name     万源市社会保险事业管理局") && text.contains("from title"),
        "{text}"
    );
    assert!(text.contains("status complete (tables)"), "{text}");
    assert!(
        text.contains(
            "   3. expenditure_by_func  L175-188  部门支出总表 [元]  19 facts; numbers 44: 19 stored, 25 skipped, 0 unread"
        ),
        "{text}"
    );
    let out = yusuan(
        dir.path(),
        &["inspect", s.to_str().unwrap(), "--table", "部门支出总表"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("table 3: 部门支出总表 — recognised as expenditure_by_func (支出总表), unit 元 (printed), lines 175-188"),
        "{text}"
    );
    // Line 184: 208 05 05 203101 机关事业单位基本养老保险缴费支出 257,070.00 257,070.00.
    assert!(text.contains("  L184 "), "{text}");
    assert!(text.contains("208 → skipped: code"), "{text}");
    assert!(
        text.contains(
            "257,070.00 → fact expenditure_by_func expenditure total (合计) func 2080505 “机关事业单位基本养老保险缴费支出”"
        ),
        "{text}"
    );
    let out = yusuan(
        dir.path(),
        &["inspect", s.to_str().unwrap(), "--table", "99"],
    );
    assert!(
        stdout(&out).contains("no table matches '99'"),
        "{}",
        stdout(&out)
    );
}

/// A disclosure published in parts — its 情况说明 (prose only) and its tables — is one
/// organisation-year: ingested in either order, neither part supersedes the other, and a
/// new version of one part replaces only that part.
#[test]
fn the_parts_of_a_disclosure_never_supersede_each_other() {
    for order in [
        ["shuoming.txt", "baobiao.txt"],
        ["baobiao.txt", "shuoming.txt"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = fs::read_to_string(seed()).unwrap();
        // The seed's prose before its first table (line 121) is its 情况说明.
        let prose: String = text.lines().take(120).map(|l| format!("{l}\n")).collect();
        fs::write(dir.path().join("shuoming.txt"), &prose).unwrap();
        fs::copy(seed(), dir.path().join("baobiao.txt")).unwrap();
        for part in order {
            let out = yusuan(dir.path(), &["--lake", "lake", "ingest", part]);
            assert!(out.status.success(), "{}", stderr(&out));
            assert!(!stderr(&out).contains("supersedes"), "{}", stderr(&out));
        }
        assert_eq!(
            query(
                dir.path(),
                "SELECT path, content, live FROM documents ORDER BY path"
            ),
            "path,content,live\nbaobiao.txt,tables,true\nshuoming.txt,narrative,true\n"
        );
        // The tables are there once: 部门支出总表's 合计 row, 3,162,923.00 元.
        assert_eq!(
            query(dir.path(), "SELECT sum(total) AS total FROM expenditure"),
            "total\n3162923.00\n"
        );
        // A new version of the 情况说明 replaces the old one and leaves the tables.
        fs::write(dir.path().join("shuoming2.txt"), format!("{prose}\n")).unwrap();
        let out = yusuan(dir.path(), &["--lake", "lake", "ingest", "shuoming2.txt"]);
        assert!(stderr(&out).contains("supersedes"), "{}", stderr(&out));
        assert_eq!(
            query(dir.path(), "SELECT path, live FROM documents ORDER BY path"),
            "path,live\nbaobiao.txt,true\nshuoming.txt,false\nshuoming2.txt,true\n"
        );
    }
}

#[test]
fn two_basic_tables_of_one_document_are_not_added_twice() {
    // 苏州市审计局 2026 prints 财政拨款基本支出表（经济科目） and 一般公共预算基本支出表, both
    // 合计 4,312.17 万元 = 人员经费 3,916.57 + 公用经费 395.60: the view counts it once.
    let dir = tempfile::tempdir().unwrap();
    let excerpt = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/excerpts/sz-shenjiju-2026-jiben.txt");
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "ingest", excerpt.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sums = query(
        dir.path(),
        "SELECT sum(total) AS t, sum(personnel) AS p, sum(public_use) AS u FROM basic_by_econ",
    );
    assert_eq!(
        sums.lines().nth(1),
        Some("43121700.00,39165700.00,3956000.00")
    );
}
