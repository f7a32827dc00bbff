//! The command line: ingest, sql, formats, errors and exit codes.

use std::fs;

use super::{seed, seeded_lake, snapshot, stderr, stdout, yusuan};

#[test]
fn ingest_then_query_as_csv() {
    let dir = seeded_lake();
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT func_code, total FROM expenditure WHERE func_code LIKE '210%' ORDER BY func_code",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // 部门支出总表 lines 186-187: 行政单位医疗 99,802.00 and 事业单位医疗 3,743.00.
    assert_eq!(
        stdout(&out),
        "func_code,total\n2101101,99802.00\n2101102,3743.00\n"
    );
}

#[test]
fn table_format_right_aligns_amounts_with_separators() {
    let dir = seeded_lake();
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "-c",
            "SELECT sum(total) AS total FROM expenditure",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("| 3,162,923.00 |"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 row"));
}

#[test]
fn json_format_is_an_array_of_objects() {
    let dir = seeded_lake();
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "json",
            "-c",
            "SELECT org_name, fiscal_year FROM documents",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        r#"[{"org_name":"万源市社会保险事业管理局","fiscal_year":2021}]"#
    );
}

#[test]
fn ingesting_the_same_document_twice_skips_it_and_force_replaces_it() {
    let dir = seeded_lake();
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "ingest", seed().to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped"), "{}", stderr(&out));
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "ingest",
            "--force",
            seed().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("replaced"), "{}", stderr(&out));
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT (SELECT count(*) FROM documents) AS docs, \
           (SELECT sum(amount) FROM facts WHERE statement = 'expenditure_by_func' \
            AND measure = 'total' AND NOT is_total) AS total",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "docs,total\n1,3162923.00\n");
    let files = fs::read_dir(dir.path().join("lake/facts/fiscal_year=2021"))
        .unwrap()
        .count();
    assert_eq!(files, 1);
}

#[test]
fn a_new_version_of_a_document_supersedes_the_old_one() {
    let dir = seeded_lake();
    // The same organisation's 2021 budget, republished with one prose sentence changed.
    let text = fs::read_to_string(seed()).unwrap();
    let revised = text.replace("按照预算管理有关规定", "按照预算管理有关规定（修订版）");
    assert_ne!(revised, text);
    fs::write(dir.path().join("revised.txt"), revised).unwrap();
    let out = yusuan(dir.path(), &["--lake", "lake", "ingest", "revised.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("supersedes"), "{}", stderr(&out));
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT path LIKE '%revised.txt' AS revised, live, superseded_by IS NOT NULL AS replaced \
           FROM documents ORDER BY live",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "revised,live,replaced\nfalse,false,true\ntrue,true,false\n"
    );
    // Only the live version's facts remain: the leaves still add up to 3,162,923.00 once.
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT count(DISTINCT doc_id) AS docs, sum(amount) AS total FROM facts \
           WHERE statement = 'expenditure_by_func' AND measure = 'total' AND NOT is_total",
        ],
    );
    assert_eq!(stdout(&out), "docs,total\n1,3162923.00\n");
}

#[test]
fn a_folder_with_a_bad_document_stores_the_good_ones_and_names_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs/2021");
    fs::create_dir_all(&docs).unwrap();
    fs::copy(seed(), docs.join("good.txt")).unwrap();
    fs::write(docs.join("broken.txt"), "# 某单位\n\n2021年部门预算\n").unwrap();
    let out = yusuan(
        dir.path(),
        &["--lake", "lake", "ingest", "--jobs", "2", "docs"],
    );
    assert!(!out.status.success(), "a failed document must fail the run");
    let err = stderr(&out);
    assert!(err.contains("1 stored"), "{err}");
    assert!(err.contains("1 failed"), "{err}");
    assert!(err.contains("broken.txt"), "{err}");
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT count(*) AS n FROM documents",
        ],
    );
    assert_eq!(stdout(&out), "n\n1\n");
}

#[test]
fn bad_documents_are_named_and_leave_the_lake_as_it_was() {
    let dir = seeded_lake();
    let before = snapshot(&dir.path().join("lake"));

    let text = fs::read_to_string(seed()).unwrap();
    let truncated: String = text.lines().take(200).map(|l| format!("{l}\n")).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.txt", truncated.into_bytes()),
        ("binary.txt", (0u8..=255).cycle().take(4096).collect()),
        ("empty.txt", Vec::new()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let out = yusuan(
            dir.path(),
            &["--lake", "lake", "ingest", path.to_str().unwrap()],
        );
        assert!(!out.status.success(), "{name} was accepted");
        assert!(
            stderr(&out).contains(name),
            "{name}: the error does not name the file: {}",
            stderr(&out)
        );
        assert_eq!(
            snapshot(&dir.path().join("lake")),
            before,
            "{name} changed the lake"
        );
    }
    // The truncated copy ends inside 财政拨款收支预算总表, which starts at line 190.
    let out = yusuan(dir.path(), &["--lake", "lake", "ingest", "truncated.txt"]);
    assert!(stderr(&out).contains("truncated.txt:"), "{}", stderr(&out));
}

#[test]
fn a_bad_statement_in_a_script_names_file_and_line_and_fails() {
    let dir = seeded_lake();
    let script = dir.path().join("report.sql");
    fs::write(
        &script,
        "-- a report\nSELECT 1;\n\nSELECT no_such_column\nFROM facts;\nSELECT 2;\n",
    )
    .unwrap();
    let out = yusuan(
        dir.path(),
        &[
            "--lake",
            "lake",
            "sql",
            "-f",
            "report.sql",
            "-o",
            "out.csv",
            "--format",
            "csv",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("report.sql:4:"), "{}", stderr(&out));
    assert!(
        !dir.path().join("out.csv").exists(),
        "a failed run left a partial output file"
    );
}

#[test]
fn a_fresh_checkout_builds_the_sample_lake_on_first_query() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("data/docs")).unwrap();
    fs::copy(seed(), dir.path().join("data/docs/seed.txt")).unwrap();
    let out = yusuan(
        dir.path(),
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT count(*) AS n FROM documents",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("building it from the sample documents"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "n\n1\n");
    // The second run finds the lake built and says nothing.
    let out = yusuan(dir.path(), &["sql", "-c", "SELECT 1"]);
    assert!(out.status.success());
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// `yusuan check` on the seed: the three defects the document really has, located.
#[test]
fn check_reports_the_seeds_known_defects_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = yusuan(dir.path(), &["check", seed().to_str().unwrap()]);
    // Warnings and info only: the default --fail-on error passes.
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The prose's 9700 万元 (line 113) against 0.97 万元 = 9,700 元 in the 三公 table (line 128).
    assert!(text.contains("[prose_unit_mixup] line 113,128"), "{text}");
    // 机关党组织活动经费: 37637元 as a target (line 435), 27,637.00 in the table (line 428).
    assert!(
        text.contains("[target_amount_conflict] line 435,428"),
        "{text}"
    );
    // 办事群众满意度 ≥100% (line 413).
    assert!(text.contains("[target_impossible] line 413"), "{text}");
    // 184,249.00 元 is 18.42 万元; the prose says 18.43 (line 69): rounding, info.
    assert!(text.contains("[prose_mismatch] line 69,157"), "{text}");
    assert!(text.contains("0 errors"), "{text}");
    // The quoted source line is shown under the finding.
    assert!(
        text.contains("113 | 2021 年万源市社会保险事业管理局安排公务接待费预算 9700 万元"),
        "{text}"
    );

    let out = yusuan(
        dir.path(),
        &["check", "--fail-on", "warning", seed().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));

    let out = yusuan(
        dir.path(),
        &["check", "--format", "json", seed().to_str().unwrap()],
    );
    assert!(out.status.success());
    let json = stdout(&out);
    assert!(json.starts_with("[{\"path\":"), "{json}");
    assert!(
        json.contains(r#""rule":"prose_unit_mixup","severity":"warning""#),
        "{json}"
    );
    assert!(
        json.contains(r#""expected":"9700.00","actual":"97000000.00","lines":[113,128]"#),
        "{json}"
    );
}

#[test]
fn check_of_an_unreadable_document_exits_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.txt"), "").unwrap();
    let out = yusuan(dir.path(), &["check", "empty.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty.txt"), "{}", stderr(&out));
}

/// The development corpus (two Shanghai documents as PDF and as layout text, a Shenzhen
/// document as layout text, and a blank template) ingested twice leaves the same lake: the second run skips what is there, and
/// `--force` replaces it with identical rows.
#[test]
fn ingesting_the_corpus_folder_twice_leaves_the_same_lake() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus");
    let corpus = corpus.to_str().unwrap();
    let summary = "SELECT d.org_name, d.phase, count(*) AS facts, sum(f.amount) AS total \
                   FROM facts f JOIN documents d ON f.doc_id = d.doc_id \
                   GROUP BY 1, 2 ORDER BY 1, 2";
    let state = |dir: &std::path::Path| {
        let out = yusuan(
            dir,
            &["--lake", "lake", "sql", "--format", "csv", "-c", summary],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    // The blank template has no amounts: it is refused, the others go in.
    let first = yusuan(dir.path(), &["--lake", "lake", "ingest", corpus]);
    assert!(
        stderr(&first).contains("TEMPLATE-sh-bumen-juesuan-2024"),
        "{}",
        stderr(&first)
    );
    let after_first = state(dir.path());
    // One 2023 budget and one 2024 final account, each read from its PDF and its text: the
    // PDF and the text are different bytes of the same organisation's document, so one
    // version of each is live. And the Shenzhen 2026 budget, as text only.
    assert_eq!(after_first.lines().count(), 4, "{after_first}");

    let second = yusuan(dir.path(), &["--lake", "lake", "ingest", corpus]);
    assert!(stderr(&second).contains("skipped"), "{}", stderr(&second));
    assert_eq!(state(dir.path()), after_first);

    yusuan(dir.path(), &["--lake", "lake", "ingest", "--force", corpus]);
    assert_eq!(state(dir.path()), after_first);
}
