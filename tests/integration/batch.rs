//! The batch runner (`yusuan sql`): parameters bound as real parameters, output files in
//! each format (Parquet read back), errors with file and line, no partial output file,
//! `--continue-on-error`, `COPY … STORED AS PARQUET`, `--unit wan` and Ctrl-C (exit 130).
//!
//! Expected numbers are worked out by hand from the seed document
//! (data/docs/wanyuan-shebaoju-2021-yusuan.txt, 部门支出总表 lines 181-188).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use yusuan::datafusion::arrow::array::{Array, Decimal128Array, StringArray};
use yusuan::datafusion::arrow::datatypes::DataType;
use yusuan::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

pub use super::seeded_lake;
use super::{stderr, stdout, yusuan};

/// Runs `yusuan --lake lake ARGS` in `dir`.
pub fn sql(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--lake", "lake"];
    all.extend_from_slice(args);
    yusuan(dir, &all)
}

const ORG: &str = "万源市社会保险事业管理局";

/// The two 210 (卫生健康支出) leaves: 行政单位医疗 99,802.00, 事业单位医疗 3,743.00.
const HEALTH: &str = "SELECT func_code, total, org_name FROM expenditure \
                      WHERE func_code LIKE '210%' ORDER BY func_code";

#[test]
fn parameters_are_bound_as_values_not_text() {
    let dir = seeded_lake();
    let query = "SELECT func_code, total FROM expenditure \
                 WHERE fiscal_year = $year AND org_name = $org ORDER BY func_code";
    let org = format!("org={ORG}");
    let out = sql(
        dir.path(),
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            query,
            "--param",
            "year=2021",
            "--param",
            &org,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "func_code,total\n2080109,2592139.00\n2080505,257070.00\n2080801,25920.00\n\
         2101101,99802.00\n2101102,3743.00\n2210201,184249.00\n"
    );
    // Pasted as text this value would match every row; bound, it matches none.
    let out = sql(
        dir.path(),
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            query,
            "--param",
            "year=2021",
            "--param",
            "org=x' OR '1'='1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "func_code,total\n");
    // A value that is not a year is refused with the parameter's name.
    let out = sql(
        dir.path(),
        &["sql", "-c", query, "--param", "year=soon", "--param", &org],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("$year"), "{}", stderr(&out));
}

#[test]
fn an_unbound_parameter_stops_the_run_before_anything_runs() {
    let dir = seeded_lake();
    fs::write(
        dir.path().join("report.sql"),
        "-- writes a file first, then needs $missing\n\
         COPY (SELECT 1 AS a) TO 'side.csv' STORED AS CSV;\n\
         SELECT total FROM expenditure\n WHERE org_name = $missing;\n",
    )
    .unwrap();
    let out = sql(dir.path(), &["sql", "-f", "report.sql", "-o", "out.csv"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("report.sql:4:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("$missing"), "{}", stderr(&out));
    assert!(
        !dir.path().join("side.csv").exists(),
        "a statement ran before the check"
    );
    assert!(!dir.path().join("out.csv").exists());
}

fn read_output(dir: &Path, name: &str) -> String {
    let out = sql(dir, &["sql", "-c", HEALTH, "-o", name]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "{name}: results went to stdout too"
    );
    fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn output_files_take_their_format_from_the_extension() {
    let dir = seeded_lake();
    let d = dir.path();
    assert_eq!(
        read_output(d, "r.csv"),
        format!("func_code,total,org_name\n2101101,99802.00,{ORG}\n2101102,3743.00,{ORG}\n")
    );
    assert_eq!(
        read_output(d, "r.json"),
        format!(
            "[{{\"func_code\":\"2101101\",\"total\":99802.00,\"org_name\":\"{ORG}\"}},\
             {{\"func_code\":\"2101102\",\"total\":3743.00,\"org_name\":\"{ORG}\"}}]\n"
        )
    );
    assert_eq!(
        read_output(d, "r.ndjson"),
        format!(
            "{{\"func_code\":\"2101101\",\"total\":99802.00,\"org_name\":\"{ORG}\"}}\n\
             {{\"func_code\":\"2101102\",\"total\":3743.00,\"org_name\":\"{ORG}\"}}\n"
        )
    );
    let md = read_output(d, "r.md");
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines.len(), 4, "{md}");
    assert!(
        lines[0].starts_with("| func_code |     total | org_name"),
        "{md}"
    );
    assert!(lines[1].starts_with("| --------- | --------: |"), "{md}");
    assert!(
        lines[2].starts_with("| 2101101   | 99,802.00 | 万源市"),
        "{md}"
    );
    assert!(
        lines[3].starts_with("| 2101102   |  3,743.00 | 万源市"),
        "{md}"
    );

    // Parquet, read back: plain Utf8 strings and the exact decimals.
    let out = sql(d, &["sql", "-c", HEALTH, "-o", "r.parquet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = fs::File::open(d.join("r.parquet")).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(2).data_type(), &DataType::Utf8);
    assert!(matches!(
        schema.field(1).data_type(),
        DataType::Decimal128(_, 2)
    ));
    let batches: Vec<_> = builder.build().unwrap().map(Result::unwrap).collect();
    let codes: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
            (0..a.len())
                .map(|i| a.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let totals: Vec<i128> = batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column(1)
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .unwrap();
            (0..a.len()).map(|i| a.value(i)).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(codes, vec!["2101101", "2101102"]);
    assert_eq!(totals, vec![9_980_200, 374_300]);
}

#[test]
fn a_failing_statement_stops_the_run_names_its_line_and_leaves_no_file() {
    let dir = seeded_lake();
    let d = dir.path();
    fs::write(d.join("old.parquet"), b"the previous report").unwrap();
    fs::write(
        d.join("report.sql"),
        "-- a report\nSELECT 1 AS one;\n\nSELECT total\n  FROM no_such_view;\nSELECT 2 AS two;\n",
    )
    .unwrap();
    for target in ["new.csv", "new.parquet", "old.parquet"] {
        let out = sql(d, &["sql", "-f", "report.sql", "-o", target]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("report.sql:4:"), "{err}");
        assert!(err.contains("no_such_view"), "{err}");
    }
    assert!(!d.join("new.csv").exists());
    assert!(!d.join("new.parquet").exists());
    // A failed run leaves the previous file as it was, and no temporary beside it.
    assert_eq!(
        fs::read(d.join("old.parquet")).unwrap(),
        b"the previous report"
    );
    let stray: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");

    // Without -o: the first result is printed, the third is not.
    let out = sql(d, &["sql", "--format", "csv", "-f", "report.sql"]);
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "one\n1\n");

    // --continue-on-error goes on but still fails the run.
    let out = sql(
        d,
        &[
            "sql",
            "--format",
            "csv",
            "--continue-on-error",
            "-f",
            "report.sql",
        ],
    );
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "one\n1\ntwo\n2\n");
    assert!(stderr(&out).contains("report.sql:4:"), "{}", stderr(&out));
}

#[test]
fn a_parse_error_names_the_line_inside_the_statement() {
    let dir = seeded_lake();
    fs::write(
        dir.path().join("bad.sql"),
        "SELECT 1;\nSELECT total\nFROM expenditure\nWHERE total = = 1;\n",
    )
    .unwrap();
    let out = sql(dir.path(), &["sql", "-f", "bad.sql"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.sql:4:"), "{}", stderr(&out));
}

#[test]
fn copy_to_parquet_works_and_reads_back() {
    let dir = seeded_lake();
    let out = sql(
        dir.path(),
        &[
            "sql",
            "-c",
            "COPY (SELECT func_code, total FROM expenditure) TO 'exp.parquet' STORED AS PARQUET",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("6 rows written"), "{}", stderr(&out));
    let out = sql(
        dir.path(),
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            "CREATE EXTERNAL TABLE e STORED AS PARQUET LOCATION 'exp.parquet'; \
             SELECT count(*) AS n, sum(total) AS total FROM e",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "n,total\n6,3162923.00\n");
}

#[test]
fn amounts_in_wan_are_exact() {
    let dir = seeded_lake();
    let out = sql(
        dir.path(),
        &[
            "sql",
            "--unit",
            "wan",
            "--format",
            "csv",
            "-c",
            "SELECT sum(total) AS total FROM expenditure",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // 3,162,923.00 元 = 316.2923 万元, with no rounding.
    assert_eq!(stdout(&out), "total\n316.292300\n");
}

#[test]
fn table_output_is_aligned_with_types_in_the_header() {
    let dir = seeded_lake();
    let out = sql(
        dir.path(),
        &[
            "sql",
            "-c",
            "SELECT func_code, total FROM expenditure ORDER BY total DESC LIMIT 2",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "+-----------+--------------+\n\
         | func_code |        total |\n\
         | text      |    dec(28,2) |\n\
         +-----------+--------------+\n\
         | 2080109   | 2,592,139.00 |\n\
         | 2080505   |   257,070.00 |\n\
         +-----------+--------------+\n\
         2 rows\n"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_batch_run_with_status_130_and_no_file() {
    let dir = seeded_lake();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args([
            "--lake",
            "lake",
            "sql",
            "-o",
            "long.csv",
            "-c",
            "SELECT 1 AS quick; SELECT max(value * 2) AS m FROM range(100000000000)",
        ])
        .current_dir(dir.path())
        .env_remove("YUSUAN_LAKE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let it get into the long query.
    std::thread::sleep(Duration::from_millis(2500));
    // SAFETY: sends SIGINT to the child we spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "Ctrl-C did not stop the run"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("long.csv")), "{names:?}");
}

/// The 公务接待费 of line 113, "9700 万元" (9,700 × 10,000 = 97,000,000.00 元), found by an
/// exact literal and written in every format: the amount with all its digits, 万元 exact,
/// NULL apart from the empty string.
const RECEPTION: &str = "SELECT label, amount, to_wan(amount) AS wan, \
                         CAST(NULL AS DECIMAL(18, 2)) AS none, '' AS empty, 0.1 + 0.2 = 0.3 AS sum_ok \
                         FROM narrative WHERE amount = 97000000.00";

#[test]
fn decimal_literals_are_exact_in_every_output_format() {
    let dir = seeded_lake();
    let d = dir.path();
    let run = |format: &str| {
        let out = sql(d, &["sql", "--format", format, "-c", RECEPTION]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        run("csv"),
        "label,amount,wan,none,empty,sum_ok\n公务接待费,97000000.00,9700.000000,,\"\",true\n"
    );
    assert_eq!(
        run("json"),
        "[{\"label\":\"公务接待费\",\"amount\":97000000.00,\"wan\":9700.000000,\
         \"none\":null,\"empty\":\"\",\"sum_ok\":true}]\n"
    );
    assert_eq!(
        run("ndjson"),
        "{\"label\":\"公务接待费\",\"amount\":97000000.00,\"wan\":9700.000000,\
         \"none\":null,\"empty\":\"\",\"sum_ok\":true}\n"
    );
    let table = run("table");
    let row = table.lines().find(|l| l.contains("公务接待费")).unwrap();
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(
        cells,
        [
            "",
            "公务接待费",
            "97,000,000.00",
            "9,700.000000",
            "NULL",
            "",
            "true",
            ""
        ],
        "{table}"
    );
    let md = run("markdown");
    assert!(
        md.contains("| 公务接待费 | 97,000,000.00 | 9,700.000000 |"),
        "{md}"
    );

    // A bound parameter is a decimal too, and one with more decimals than the amount
    // matches nothing rather than being rounded onto it.
    for (value, rows) in [
        ("97000000.00", "1"),
        ("97000000", "1"),
        ("97000000.001", "0"),
    ] {
        let param = format!("x={value}");
        let out = sql(
            d,
            &[
                "sql",
                "--format",
                "csv",
                "--param",
                &param,
                "-c",
                "SELECT count(*) AS n FROM narrative WHERE amount = $x",
            ],
        );
        assert!(out.status.success(), "{value}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("n\n{rows}\n"), "{value}");
    }
}

#[test]
fn csv_quotes_what_needs_it_and_keeps_null_apart_from_empty() {
    let dir = seeded_lake();
    let out = sql(
        dir.path(),
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT 'a,b' AS comma, 'say \"hi\"' AS quote, 'two\nlines' AS nl, ' pad' AS pad, \
             CAST(NULL AS VARCHAR) AS none, '' AS empty",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "comma,quote,nl,pad,none,empty\n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",,\"\"\n"
    );
}

/// Rows written to `-o` stream into the file as they are computed: 100,000 rows of
/// 1,000-byte strings (100 MB) go out without the result being held in memory. The peak
/// resident memory of each run is read from the kernel (`wait4`), not timed, and compared
/// with the same result collected first (`--continue-on-error` collects each statement, so
/// that a failing one leaves nothing of itself in the file).
#[cfg(target_os = "linux")]
#[test]
fn results_written_to_a_file_stream_in_bounded_memory() {
    let dir = seeded_lake();
    let d = dir.path();
    let peak_kb = |args: &[&str]| -> i64 {
        // Reaped by `wait4` below, which also reports its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
            .args(["--lake", "lake"])
            .args(args)
            .current_dir(d)
            .env_remove("YUSUAN_LAKE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = child.id() as libc::pid_t;
        // SAFETY: waits for the child spawned above; the pointers outlive the call.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(rc, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "{args:?}"
        );
        usage.ru_maxrss
    };
    let query = "SELECT v, repeat('x', 1000) AS pad FROM generate_series(1, 100000) t(v)";
    let streamed = peak_kb(&["sql", "-c", query, "-o", "streamed.csv"]);
    let collected = peak_kb(&[
        "sql",
        "--continue-on-error",
        "-c",
        query,
        "-o",
        "collected.csv",
    ]);
    eprintln!("streamed {streamed} KB at the peak, collected {collected} KB");
    assert!(
        streamed + 60_000 < collected,
        "streamed {streamed} KB at the peak, collected {collected} KB"
    );
    for name in ["streamed.csv", "collected.csv"] {
        let text = fs::read_to_string(d.join(name)).unwrap();
        assert_eq!(text.lines().count(), 100_001, "{name}");
    }
}
