//! Excel output: `-o FILE.xlsx`, `\o FILE.xlsx` and `\excel` in the REPL, `--bom` for CSV,
//! and unknown output extensions refused. Workbooks are read back with openpyxl
//! (`tests/readers/read_xlsx.py`); where it is not installed the test says so loudly
//! (`READER SKIPPED`) and checks what it can without it.
//!
//! Expected figures are worked out by hand from the seed document
//! (data/docs/wanyuan-shebaoju-2021-yusuan.txt):
//! - 部门支出总表, line 183: 208 01 09 社会保险经办机构 合计 2,592,139.00, 基本支出
//!   2,542,139.00, 项目支出 50,000.00; lines 184-188: the other five 项, each with a blank
//!   项目支出 (NULL) and 基本支出 equal to 合计 (257,070 / 25,920 / 99,802 / 3,743 /
//!   184,249). Line 181: 合计 3,162,923.00 = 基本 3,112,923.00 + 项目 50,000.00.
//! - By 类 (lines 183-188): 208 = 2,592,139 + 257,070 + 25,920 = 2,875,129.00;
//!   210 = 99,802 + 3,743 = 103,545.00; 221 = 184,249.00.
//! - 一般公共预算基本支出表 (lines 323-349): 人员经费 2,835,286.00, 公用经费 277,637.00; by 类:
//!   301 2,152,731.00 (人员 only: 公用 blank, NULL), 302 267,637.00 (公用 only), 303
//!   682,555.00, 310 10,000.00. Shares of 3,112,923: 301 69.154…% → 69.15, 302 8.597…% →
//!   8.60, 303 21.926…% → 21.93, 310 0.321…% → 0.32; basic 3,112,923 / 3,162,923 = 98.419…%
//!   → 98.42, project 1.58; personnel 2,835,286 / 3,112,923 = 91.081…% → 91.08, public use
//!   8.92.
//! - 三公 (line 341 and the 统计表, lines 463-466): 公务接待费 9,700.00 this year, 10,000.00
//!   the year before: change −300.00, −3.00 %.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::batch::{seeded_lake, sql};
use super::{stderr, stdout};

const ORG: &str = "万源市社会保险事业管理局";

/// One cell as openpyxl read it.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    /// str, num, bool, date or empty.
    kind: String,
    format: String,
    bold: bool,
    /// The value as JSON (numbers as Python floats).
    value: String,
}

#[derive(Debug, Default)]
struct Sheet {
    name: String,
    max_row: usize,
    max_col: usize,
    freeze: String,
    filter: String,
    widths: BTreeMap<String, f64>,
    cells: BTreeMap<String, Cell>,
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
fn letter(mut col: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (col % 26) as u8) as char);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s
}

impl Sheet {
    fn cell(&self, coord: &str) -> Cell {
        self.cells.get(coord).cloned().unwrap_or(Cell {
            kind: "empty".into(),
            format: "General".into(),
            bold: false,
            value: "null".into(),
        })
    }

    fn header(&self) -> Vec<String> {
        (0..self.max_col)
            .map(|c| {
                let cell = self.cell(&format!("{}1", letter(c)));
                cell.value.trim_matches('"').to_string()
            })
            .collect()
    }

    fn col(&self, name: &str) -> String {
        let i = self
            .header()
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{}: no column {name} in {:?}", self.name, self.header()));
        letter(i)
    }

    /// The cell of column `name` in data row `row` (1-based, below the header).
    fn at(&self, name: &str, row: usize) -> Cell {
        self.cell(&format!("{}{}", self.col(name), row + 1))
    }

    fn data_rows(&self) -> usize {
        self.max_row - 1
    }

    /// The data row (1-based) whose column `name` holds the text `value`.
    fn row_of(&self, name: &str, value: &str) -> usize {
        (1..=self.data_rows())
            .find(|r| self.at(name, *r).value == json(value))
            .unwrap_or_else(|| panic!("{}: no row with {name} = {value}", self.name))
    }
}

fn json(s: &str) -> String {
    format!("\"{s}\"")
}

fn loud(message: &str) {
    eprintln!("\n********************************************************************");
    eprintln!("READER SKIPPED: {message}");
    eprintln!("********************************************************************\n");
}

fn reader_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/read_xlsx.py")
}

/// The workbook as openpyxl reads it; `None` (said loudly) when python3 or openpyxl is
/// missing.
fn read_workbook(path: &Path) -> Option<Vec<Sheet>> {
    let out = match Command::new("python3")
        .arg(reader_script())
        .arg(path)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            loud(&format!(
                "python3 cannot run ({e}): workbooks were not read back; \
                 install python3 and `pip install openpyxl`"
            ));
            return None;
        }
    };
    assert!(
        out.status.success(),
        "read_xlsx.py {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sheets: Vec<Sheet> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "skipped" => {
                loud(&format!(
                    "{}: {} (pip install openpyxl); workbooks were not read back",
                    f[1],
                    f[2..].join(" ")
                ));
                return None;
            }
            "sheet" => sheets.push(Sheet {
                name: f[1].into(),
                max_row: f[2].parse().unwrap(),
                max_col: f[3].parse().unwrap(),
                freeze: f[4].into(),
                filter: f[5].into(),
                ..Sheet::default()
            }),
            "width" => {
                let s = sheets.iter_mut().find(|s| s.name == f[1]).unwrap();
                s.widths.insert(f[2].into(), f[3].parse().unwrap());
            }
            "cell" => {
                let s = sheets.iter_mut().find(|s| s.name == f[1]).unwrap();
                s.cells.insert(
                    f[2].into(),
                    Cell {
                        kind: f[3].into(),
                        format: f[4].into(),
                        bold: f[5] == "True",
                        value: f[6..].join("\t"),
                    },
                );
            }
            _ => {}
        }
    }
    Some(sheets)
}

/// Asserts an amount cell: a number, `#,##0.00`, the value.
fn amount(sheet: &Sheet, name: &str, row: usize, value: f64) {
    let c = sheet.at(name, row);
    assert_eq!(c.kind, "num", "{}: {name} row {row}: {c:?}", sheet.name);
    assert_eq!(c.format, "#,##0.00", "{}: {name} row {row}", sheet.name);
    assert_eq!(
        c.value.parse::<f64>().unwrap(),
        value,
        "{}: {name} row {row}",
        sheet.name
    );
}

/// Asserts a text cell.
fn text(sheet: &Sheet, name: &str, row: usize, value: &str) {
    let c = sheet.at(name, row);
    assert_eq!(c.kind, "str", "{}: {name} row {row}: {c:?}", sheet.name);
    assert_eq!(c.value, json(value), "{}: {name} row {row}", sheet.name);
}

fn empty(sheet: &Sheet, name: &str, row: usize) {
    let c = sheet.at(name, row);
    assert_eq!(c.kind, "empty", "{}: {name} row {row}: {c:?}", sheet.name);
}

/// Header bold, frozen below it, autofilter over header and data.
fn check_layout(sheet: &Sheet, header: &[&str], rows: usize) {
    assert_eq!(sheet.header(), header, "{}", sheet.name);
    assert_eq!(sheet.data_rows(), rows, "{}", sheet.name);
    assert_eq!(sheet.freeze, "A2", "{}", sheet.name);
    assert_eq!(
        sheet.filter,
        format!("A1:{}{}", letter(header.len() - 1), rows + 1),
        "{}",
        sheet.name
    );
    for (c, name) in header.iter().enumerate() {
        let cell = sheet.cell(&format!("{}1", letter(c)));
        assert!(cell.bold, "{}: header {name} not bold", sheet.name);
        assert_eq!(cell.kind, "str");
        assert!(
            sheet.widths.contains_key(&letter(c)),
            "{}: column {name} has no width",
            sheet.name
        );
    }
}

/// Runs a report script to `out` (an .xlsx in `dir`).
fn report_to(dir: &Path, script: &str, params: &[&str], out: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sql/reports")
        .join(script);
    let path = path.to_str().unwrap().to_string();
    let mut args = vec!["sql", "-f", &path, "-o", out];
    for p in params {
        args.push("--param");
        args.push(p);
    }
    let o = sql(dir, &args);
    assert!(o.status.success(), "{script}: {}", stderr(&o));
    assert!(
        stdout(&o).is_empty(),
        "{script}: results went to stdout too"
    );
}

const PREFIX: [&str; 4] = ["fiscal_year", "phase", "region", "org_name"];

fn with_prefix(rest: &[&'static str]) -> Vec<&'static str> {
    PREFIX.iter().chain(rest).copied().collect()
}

/// Checks the four leading columns of data row `row`: 2021 a number, the rest text.
fn check_prefix(sheet: &Sheet, row: usize) {
    let y = sheet.at("fiscal_year", row);
    assert_eq!((y.kind.as_str(), y.value.as_str()), ("num", "2021.0"));
    assert_eq!(y.format, "0");
    text(sheet, "phase", row, "budget");
    text(sheet, "region", row, "万源市");
    text(sheet, "org_name", row, ORG);
}

#[test]
fn every_report_script_writes_a_workbook_with_the_documents_figures() {
    let dir = seeded_lake();
    let d = dir.path();
    report_to(
        d,
        "expenditure_by_function.sql",
        &["year=2021", "level=3"],
        "by_function.xlsx",
    );
    report_to(d, "basic_vs_project.sql", &["year=2021"], "basic.xlsx");
    report_to(
        d,
        "econ_breakdown.sql",
        &["year=2021", "level=1"],
        "econ.xlsx",
    );
    report_to(d, "three_public_by_year.sql", &[], "three_public.xlsx");
    report_to(
        d,
        "yoy_by_department_function.sql",
        &["year=2021", "level=1"],
        "yoy.xlsx",
    );
    report_to(d, "regional_share.sql", &["year=2021"], "share.xlsx");
    for name in [
        "by_function",
        "basic",
        "econ",
        "three_public",
        "yoy",
        "share",
    ] {
        let bytes = fs::read(d.join(format!("{name}.xlsx"))).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "{name}: not a zip");
    }
    let read = |name: &str| -> Option<Sheet> {
        let sheets = read_workbook(&d.join(name))?;
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["result1"], "{name}: one result, one sheet");
        sheets.into_iter().next()
    };

    // 支出功能分类 at 项 level: the six lines 183-188.
    let Some(s) = read("by_function.xlsx") else {
        return;
    };
    check_layout(
        &s,
        &with_prefix(&["func_code", "func_name", "total", "basic", "project"]),
        6,
    );
    let codes: Vec<String> = (1..=6).map(|r| s.at("func_code", r).value).collect();
    assert_eq!(
        codes,
        [
            "2080109", "2080505", "2080801", "2101101", "2101102", "2210201"
        ]
        .map(json)
    );
    for r in 1..=6 {
        check_prefix(&s, r);
        // A code is text, never a number: every digit kept.
        text(&s, "func_code", r, codes[r - 1].trim_matches('"'));
    }
    let r = s.row_of("func_code", "2080109");
    text(&s, "func_name", r, "社会保险经办机构");
    amount(&s, "total", r, 2_592_139.00);
    amount(&s, "basic", r, 2_542_139.00);
    amount(&s, "project", r, 50_000.00);
    let r = s.row_of("func_code", "2080505");
    amount(&s, "total", r, 257_070.00);
    amount(&s, "basic", r, 257_070.00);
    // A blank published cell is NULL: an empty cell, not a zero.
    empty(&s, "project", r);
    let r = s.row_of("func_code", "2210201");
    amount(&s, "total", r, 184_249.00);
    // Columns fit their widest cell: 机关事业单位基本养老保险缴费支出 is 16 characters,
    // 32 display columns (CJK counts two); the org name 12 characters, 24 columns.
    let w = s.widths[&s.col("func_name")];
    assert!((34.0..36.0).contains(&w), "func_name width {w}");
    let w = s.widths[&s.col("org_name")];
    assert!((26.0..28.0).contains(&w), "org_name width {w}");
    // "2,592,139.00" is 12 wide.
    let w = s.widths[&s.col("total")];
    assert!((14.0..16.0).contains(&w), "total width {w}");

    // Basic vs project, personnel vs public use.
    let s = read("basic.xlsx").unwrap();
    check_layout(
        &s,
        &with_prefix(&[
            "total",
            "basic",
            "project",
            "basic_pct",
            "project_pct",
            "personnel",
            "public_use",
            "personnel_pct",
            "public_use_pct",
        ]),
        1,
    );
    check_prefix(&s, 1);
    amount(&s, "total", 1, 3_162_923.00);
    amount(&s, "basic", 1, 3_112_923.00);
    amount(&s, "project", 1, 50_000.00);
    amount(&s, "personnel", 1, 2_835_286.00);
    amount(&s, "public_use", 1, 277_637.00);
    amount(&s, "basic_pct", 1, 98.42);
    amount(&s, "project_pct", 1, 1.58);
    amount(&s, "personnel_pct", 1, 91.08);
    amount(&s, "public_use_pct", 1, 8.92);

    // Economic classification at 类 level.
    let s = read("econ.xlsx").unwrap();
    check_layout(
        &s,
        &with_prefix(&[
            "econ_code",
            "econ_name",
            "total",
            "personnel",
            "public_use",
            "share_pct",
        ]),
        4,
    );
    for (code, name, total, share) in [
        ("301", "工资福利支出", 2_152_731.00, 69.15),
        ("302", "商品和服务支出", 267_637.00, 8.60),
        ("303", "对个人和家庭的补助", 682_555.00, 21.93),
        ("310", "其他资本性支出", 10_000.00, 0.32),
    ] {
        let r = s.row_of("econ_code", code);
        check_prefix(&s, r);
        text(&s, "econ_name", r, name);
        amount(&s, "total", r, total);
        amount(&s, "share_pct", r, share);
    }
    let r = s.row_of("econ_code", "301");
    amount(&s, "personnel", r, 2_152_731.00);
    empty(&s, "public_use", r);
    let r = s.row_of("econ_code", "302");
    empty(&s, "personnel", r);
    amount(&s, "public_use", r, 267_637.00);

    // 三公 by year.
    let s = read("three_public.xlsx").unwrap();
    check_layout(
        &s,
        &with_prefix(&[
            "trips_abroad",
            "reception",
            "car_purchase",
            "car_running",
            "total",
            "prior_total",
            "change",
            "change_pct",
        ]),
        1,
    );
    check_prefix(&s, 1);
    amount(&s, "reception", 1, 9_700.00);
    amount(&s, "total", 1, 9_700.00);
    amount(&s, "prior_total", 1, 10_000.00);
    amount(&s, "change", 1, -300.00);
    amount(&s, "change_pct", 1, -3.00);

    // Year over year at 类 level: no 2020 document, so the prior amounts are NULL.
    let s = read("yoy.xlsx").unwrap();
    check_layout(
        &s,
        &with_prefix(&[
            "func_code",
            "func_name",
            "total",
            "prior_total",
            "change",
            "change_pct",
        ]),
        3,
    );
    for (code, total) in [
        ("208", 2_875_129.00),
        ("210", 103_545.00),
        ("221", 184_249.00),
    ] {
        let r = s.row_of("func_code", code);
        check_prefix(&s, r);
        amount(&s, "total", r, total);
        empty(&s, "prior_total", r);
        empty(&s, "change", r);
        empty(&s, "change_pct", r);
    }

    // Regional share: one department, all of its region.
    let s = read("share.xlsx").unwrap();
    check_layout(
        &s,
        &with_prefix(&["total", "region_total", "share_pct", "departments"]),
        1,
    );
    check_prefix(&s, 1);
    amount(&s, "total", 1, 3_162_923.00);
    amount(&s, "region_total", 1, 3_162_923.00);
    amount(&s, "share_pct", 1, 100.00);
    let c = s.at("departments", 1);
    assert_eq!((c.kind.as_str(), c.format.as_str()), ("num", "0"));
    assert_eq!(c.value, "1.0");
}

#[test]
fn each_result_is_a_sheet_and_each_type_keeps_its_meaning() {
    let dir = seeded_lake();
    let d = dir.path();
    let script = "SELECT func_code, total FROM expenditure WHERE func_code LIKE '210%' \
                  ORDER BY func_code;\n\
                  SELECT '01' AS code, 2021 AS year, true AS ok, DATE '2021-01-01' AS day, \
                  TIMESTAMP '2021-03-04 05:06:07' AS at, CAST(NULL AS VARCHAR) AS none, \
                  CAST(1234567890123456.78 AS DECIMAL(20,2)) AS too_long, \
                  CAST(1000000000000000000 AS DECIMAL(21,2)) AS round_big, \
                  CAST(7 AS DECIMAL(10,0)) AS whole, '=1+1' AS formula_like;\n";
    fs::write(d.join("two.sql"), script).unwrap();
    let out = sql(d, &["sql", "-f", "two.sql", "-o", "two.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 万元: amounts keep the fen, six places.
    let out = sql(
        d,
        &[
            "sql",
            "--unit",
            "wan",
            "-c",
            "SELECT func_code, total FROM expenditure WHERE func_code = '2080109'",
            "-o",
            "wan.xlsx",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(sheets) = read_workbook(&d.join("two.xlsx")) else {
        return;
    };
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["result1", "result2"]);
    // 210 11 01 行政单位医疗 99,802.00 and 210 11 02 事业单位医疗 3,743.00 (lines 186-187).
    let s = &sheets[0];
    check_layout(s, &["func_code", "total"], 2);
    text(s, "func_code", 1, "2101101");
    amount(s, "total", 1, 99_802.00);
    text(s, "func_code", 2, "2101102");
    amount(s, "total", 2, 3_743.00);

    let s = &sheets[1];
    check_layout(
        s,
        &[
            "code",
            "year",
            "ok",
            "day",
            "at",
            "none",
            "too_long",
            "round_big",
            "whole",
            "formula_like",
        ],
        1,
    );
    text(s, "code", 1, "01");
    let c = s.at("year", 1);
    assert_eq!((c.kind.as_str(), c.value.as_str()), ("num", "2021.0"));
    let c = s.at("ok", 1);
    assert_eq!((c.kind.as_str(), c.value.as_str()), ("bool", "true"));
    let c = s.at("day", 1);
    assert_eq!(
        (c.kind.as_str(), c.format.as_str(), c.value.as_str()),
        ("date", "yyyy-mm-dd", "\"2021-01-01T00:00:00\"")
    );
    let c = s.at("at", 1);
    assert_eq!(
        (c.kind.as_str(), c.format.as_str(), c.value.as_str()),
        ("date", "yyyy-mm-dd hh:mm:ss", "\"2021-03-04T05:06:07\"")
    );
    empty(s, "none", 1);
    // 18 significant digits: a double would round them, so the exact digits go as text.
    text(s, "too_long", 1, "1234567890123456.78");
    // One significant digit however large: a number.
    let c = s.at("round_big", 1);
    assert_eq!((c.kind.as_str(), c.value.as_str()), ("num", "1e+18"));
    let c = s.at("whole", 1);
    assert_eq!(
        (c.kind.as_str(), c.format.as_str(), c.value.as_str()),
        ("num", "#,##0", "7.0")
    );
    // Text that looks like a formula stays text.
    text(s, "formula_like", 1, "=1+1");

    let wan = read_workbook(&d.join("wan.xlsx")).unwrap();
    let s = &wan[0];
    // 2,592,139.00 元 = 259.2139 万元, shown with six places (to the fen).
    let c = s.at("total", 1);
    assert_eq!(
        (c.kind.as_str(), c.format.as_str(), c.value.as_str()),
        ("num", "#,##0.000000", "259.2139")
    );
}

/// The names of the files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_unknown_extension_is_an_error_naming_the_known_ones() {
    let dir = seeded_lake();
    let d = dir.path();
    let before = files(d);
    for name in ["r.xls", "r.docx", "r.2021"] {
        let out = sql(d, &["sql", "-c", "SELECT 1 AS one", "-o", name]);
        assert!(!out.status.success(), "{name} was accepted");
        let err = stderr(&out);
        for known in [
            ".csv", ".json", ".ndjson", ".parquet", ".md", ".xlsx", ".txt",
        ] {
            assert!(err.contains(known), "{name}: {known} not named: {err}");
        }
        assert!(stdout(&out).is_empty(), "{name}: {}", stdout(&out));
    }
    let err = stderr(&sql(d, &["sql", "-c", "SELECT 1 AS one", "-o", "r.xls"]));
    assert!(
        err.contains("r.xls") && err.contains("write Excel workbooks as .xlsx"),
        "{err}"
    );
    // Nothing left behind, not even a temporary.
    assert_eq!(files(d), before);
    // .txt and no extension still write the --format (a table by default).
    for name in ["r.txt", "plain"] {
        let out = sql(d, &["sql", "-c", "SELECT 1 AS one", "-o", name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = fs::read_to_string(d.join(name)).unwrap();
        assert!(
            text.starts_with("+-------+\n|   one |\n| int64 |"),
            "{name}: {text}"
        );
    }
    let out = sql(
        d,
        &[
            "sql",
            "--format",
            "csv",
            "-c",
            "SELECT 1 AS one",
            "-o",
            "plain",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(d.join("plain")).unwrap(), "one\n1\n");
}

#[test]
fn bom_starts_csv_so_excel_reads_chinese() {
    let dir = seeded_lake();
    let d = dir.path();
    let query = "SELECT func_code, func_name(func_code, fiscal_year) AS 名称 FROM expenditure \
                 WHERE func_code = '2101101'";
    let expected = "func_code,名称\n2101101,行政单位医疗\n";
    let out = sql(d, &["sql", "--format", "csv", "--bom", "-c", query]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(&out.stdout[..3], b"\xEF\xBB\xBF");
    assert_eq!(std::str::from_utf8(&out.stdout[3..]).unwrap(), expected);
    let out = sql(d, &["sql", "--bom", "-c", query, "-o", "r.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = fs::read(d.join("r.csv")).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert_eq!(std::str::from_utf8(&bytes[3..]).unwrap(), expected);
    // Only once, however many results.
    let out = sql(
        d,
        &[
            "sql",
            "--bom",
            "-c",
            "SELECT 1 AS a; SELECT 2 AS b",
            "-o",
            "two.csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read(d.join("two.csv")).unwrap(),
        b"\xEF\xBB\xBFa\n1\n\nb\n2\n"
    );
    // Without --bom, no mark.
    let out = sql(d, &["sql", "--format", "csv", "-c", query]);
    assert_eq!(stdout(&out), expected);
    // Not CSV: an error, and no file.
    let before = files(d);
    for args in [
        vec!["sql", "--bom", "-c", query],
        vec!["sql", "--bom", "--format", "json", "-c", query],
        vec!["sql", "--bom", "-c", query, "-o", "r.xlsx"],
        vec![
            "sql", "--bom", "--format", "csv", "-c", query, "-o", "r.json",
        ],
    ] {
        let out = sql(d, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("--bom"), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(files(d), before);
}

#[test]
fn a_failed_script_leaves_no_workbook() {
    let dir = seeded_lake();
    let d = dir.path();
    fs::write(d.join("old.xlsx"), b"the previous workbook").unwrap();
    fs::write(
        d.join("report.sql"),
        "-- a report\nSELECT func_code, total FROM expenditure;\n\nSELECT total\n  FROM no_such_view;\n",
    )
    .unwrap();
    for target in ["new.xlsx", "old.xlsx"] {
        let out = sql(d, &["sql", "-f", "report.sql", "-o", target]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("report.sql:4:"), "{err}");
        assert!(err.contains("no_such_view"), "{err}");
    }
    assert!(!d.join("new.xlsx").exists());
    assert_eq!(
        fs::read(d.join("old.xlsx")).unwrap(),
        b"the previous workbook"
    );
    let stray: Vec<String> = files(d)
        .into_iter()
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// Runs the REPL with `input` on a pipe and `env`; its output.
fn repl(dir: &Path, input: &str, env: &[(&str, &str)]) -> std::process::Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yusuan"));
    cmd.args(["--lake", "lake"])
        .current_dir(dir)
        .env_remove("YUSUAN_LAKE")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("NO_COLOR", "1")
        .env("YUSUAN_HISTORY", dir.join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The path after "Wrote " in the REPL's output.
fn written(out: &str) -> PathBuf {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("Wrote "))
        .unwrap_or_else(|| panic!("no 'Wrote' in {out}"));
    PathBuf::from(line.trim())
}

#[cfg(unix)]
#[test]
fn the_repl_writes_workbooks_and_opens_the_last_result() {
    use std::os::unix::fs::PermissionsExt;
    let dir = seeded_lake();
    let d = dir.path();
    let tmp = d.join("tmp");
    fs::create_dir(&tmp).unwrap();

    // \o FILE.xlsx: a sheet per result, saved when \o closes it; a failed statement
    // leaves nothing of itself.
    let out = repl(
        d,
        "\\o r.xlsx\n\
         SELECT func_code, total FROM expenditure WHERE func_code = '2080109';\n\
         SELECT 1 AS one;\n\
         \\o\n",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("r.xlsx written, 2 worksheets"),
        "{}",
        stdout(&out)
    );
    if let Some(sheets) = read_workbook(&d.join("r.xlsx")) {
        let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["result1", "result2"]);
        text(&sheets[0], "func_code", 1, "2080109");
        amount(&sheets[0], "total", 1, 2_592_139.00);
    }
    // Leaving the shell closes it too; with no result there is no file.
    let out = repl(d, "\\o left.xlsx\nSELECT 2 AS two;\n", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(d.join("left.xlsx").exists());
    let out = repl(d, "\\o none.xlsx\n\\o\n", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!d.join("none.xlsx").exists());
    assert!(
        stdout(&out).contains("none.xlsx was not created"),
        "{}",
        stdout(&out)
    );

    // \excel with no display: written to the temporary directory, not opened.
    let query = "SELECT func_code, total FROM expenditure ORDER BY func_code;\n\\excel\n";
    let tmp_s = tmp.to_str().unwrap();
    let out = repl(d, query, &[("TMPDIR", tmp_s)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text_out = stdout(&out);
    let path = written(&text_out);
    assert!(path.starts_with(&tmp), "{}", path.display());
    assert_eq!(path.extension().unwrap(), "xlsx");
    assert!(path.exists());
    assert!(text_out.contains("Not opened: no display"), "{text_out}");
    if let Some(sheets) = read_workbook(&path) {
        assert_eq!(sheets[0].data_rows(), 6);
        text(&sheets[0], "func_code", 1, "2080109");
        amount(&sheets[0], "total", 1, 2_592_139.00);
    }

    // With a display and an opener on PATH, the opener gets the workbook.
    let bin = d.join("bin");
    fs::create_dir(&bin).unwrap();
    let opener = bin.join("xdg-open");
    let opened = d.join("opened");
    fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    fs::set_permissions(&opener, fs::Permissions::from_mode(0o755)).unwrap();
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = repl(
        d,
        query,
        &[("TMPDIR", tmp_s), ("DISPLAY", ":99"), ("PATH", &path_var)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text_out = stdout(&out);
    assert!(text_out.contains("Opening it with xdg-open"), "{text_out}");
    let second = written(&text_out);
    assert_ne!(second, path, "each \\excel writes a new workbook");
    let start = Instant::now();
    while !opened.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        fs::read_to_string(&opened).unwrap().trim(),
        second.to_str().unwrap()
    );

    // With no result yet, \excel says so and writes nothing.
    let out = repl(d, "\\excel\n", &[("TMPDIR", tmp_s)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no result"), "{}", stderr(&out));
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 2);
}

/// A million rows (a text, an integer and a decimal column) stream into a workbook in
/// bounded memory: rust_xlsxwriter's constant-memory worksheets keep one row in memory.
/// The peak resident memory is read from the kernel (`wait4`). Measured by hand on the
/// dev build (`/usr/bin/time -v`): this run peaks near 105 MB, the same rows streamed to
/// CSV near 108 MB, and the same workbook written with rust_xlsxwriter's in-memory
/// worksheets (every cell held until the save) near 1,120 MB. The bound sits between.
#[cfg(target_os = "linux")]
#[test]
fn a_million_rows_stream_into_a_workbook_in_bounded_memory() {
    let dir = seeded_lake();
    let d = dir.path();
    let query = "SELECT concat('0', CAST(v AS VARCHAR)) AS code, v AS n, \
                 CAST(v AS DECIMAL(18,2)) + CAST(0.25 AS DECIMAL(18,2)) AS amount \
                 FROM generate_series(1, 1000000) t(v)";
    // Reaped by `wait4` below, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["--lake", "lake", "sql", "-c", query, "-o", "big.xlsx"])
        .current_dir(d)
        .env_remove("YUSUAN_LAKE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waits for the child spawned above; the pointers outlive the call.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let peak_kb = usage.ru_maxrss;
    eprintln!(
        "a million rows to .xlsx: {:.1} s, {peak_kb} KB at the peak",
        start.elapsed().as_secs_f64()
    );
    assert!(
        peak_kb < MILLION_ROW_PEAK_KB,
        "{peak_kb} KB at the peak: the rows were held in memory"
    );
    // The rows are all there: counted in the worksheet's XML (openpyxl would take minutes).
    let out = match Command::new("python3")
        .arg(reader_script())
        .arg(d.join("big.xlsx"))
        .arg("--count-rows")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            loud(&format!("python3 cannot run ({e}): rows not counted"));
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out),
        "rows\txl/worksheets/sheet1.xml\t1000001\tA1:C1000001\n"
    );
}

/// The peak the million-row workbook must stay under (see the test above).
const MILLION_ROW_PEAK_KB: i64 = 250_000;
