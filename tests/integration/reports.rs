//! The report scripts of `sql/reports/`, each run on the seed document with its parameters
//! and its output checked against numbers worked out by hand from the document
//! (data/docs/wanyuan-shebaoju-2021-yusuan.txt):
//!
//! - 部门支出总表 (lines 181-188): total 3,162,923.00 = basic 3,112,923.00 + project 50,000.00;
//!   by 类: 208 = 2,592,139 + 257,070 + 25,920 = 2,875,129.00 (basic 2,825,129.00, project
//!   50,000.00), 210 = 99,802 + 3,743 = 103,545.00, 221 = 184,249.00.
//! - 一般公共预算基本支出表 (lines 323-349): personnel 2,835,286.00, public use 277,637.00;
//!   by 类: 301 2,152,731.00, 302 267,637.00, 303 682,555.00, 310 10,000.00.
//! - 三公 (lines 363-370, 458-466): 公务接待费 9,700.00 this year, 10,000.00 the year before.
//!
//! And the plans of every report and view: no amount goes through a float.

use std::path::Path;

use yusuan::datafusion::arrow::array::{Array, StringArray};
use yusuan::datafusion::arrow::datatypes::DataType;
use yusuan::datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use yusuan::datafusion::logical_expr::{Expr, LogicalPlan};
use yusuan::datafusion::prelude::SessionContext;
use yusuan::lake::Lake;
use yusuan::shell::params::Params;

use super::batch::{seeded_lake, sql};
use super::stderr;

const ORG: &str = "万源市社会保险事业管理局";

/// Runs a report as CSV; its rows as cells (no value of these reports holds a comma).
fn report(dir: &Path, name: &str, params: &[&str]) -> Vec<Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sql/reports")
        .join(name);
    let script = script.to_str().unwrap().to_string();
    let mut args = vec!["sql", "--format", "csv", "-f", &script];
    for p in params {
        args.push("--param");
        args.push(p);
    }
    let out = sql(dir, &args);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn every_report_says_what_it_answers_and_its_parameters() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql/reports");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("-- "),
            "{}: no header comment",
            path.display()
        );
        assert!(
            text.contains("-- Answers:"),
            "{}: no 'Answers:'",
            path.display()
        );
        assert!(
            text.contains("-- Parameters"),
            "{}: no 'Parameters'",
            path.display()
        );
        // Every $parameter used is documented in the header.
        let header: String = text.lines().take_while(|l| l.starts_with("--")).collect();
        for (name, _) in yusuan::shell::lex::placeholders(&text) {
            assert!(
                header.contains(&format!("${name}")),
                "{}: ${name} undocumented",
                path.display()
            );
        }
        n += 1;
    }
    assert_eq!(n, 6);
}

#[test]
fn expenditure_by_function_at_each_level() {
    let dir = seeded_lake();
    let rows = report(
        dir.path(),
        "expenditure_by_function.sql",
        &["year=2021", "level=1"],
    );
    assert_eq!(
        rows,
        vec![
            row(&[
                "fiscal_year",
                "phase",
                "region",
                "org_name",
                "func_code",
                "func_name",
                "total",
                "basic",
                "project"
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "208",
                "社会保障和就业支出",
                "2875129.00",
                "2825129.00",
                "50000.00"
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "210",
                "卫生健康支出",
                "103545.00",
                "103545.00",
                ""
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "221",
                "住房保障支出",
                "184249.00",
                "184249.00",
                ""
            ]),
        ]
    );
    let rows = report(
        dir.path(),
        "expenditure_by_function.sql",
        &["year=2021", "level=2"],
    );
    let picked: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| vec![r[4].clone(), r[6].clone(), r[7].clone(), r[8].clone()])
        .collect();
    assert_eq!(
        picked,
        vec![
            row(&["20801", "2592139.00", "2542139.00", "50000.00"]),
            row(&["20805", "257070.00", "257070.00", ""]),
            row(&["20808", "25920.00", "25920.00", ""]),
            row(&["21011", "103545.00", "103545.00", ""]),
            row(&["22102", "184249.00", "184249.00", ""]),
        ]
    );
    // Another year has no rows.
    let rows = report(
        dir.path(),
        "expenditure_by_function.sql",
        &["year=2020", "level=1"],
    );
    assert_eq!(rows.len(), 1);
}

#[test]
fn basic_vs_project_and_personnel_vs_public_use() {
    let dir = seeded_lake();
    let rows = report(dir.path(), "basic_vs_project.sql", &["year=2021"]);
    assert_eq!(
        rows,
        vec![
            row(&[
                "fiscal_year",
                "phase",
                "region",
                "org_name",
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
            // 3,112,923 / 3,162,923 = 98.419 %; 50,000 / 3,162,923 = 1.581 %;
            // 2,835,286 / 3,112,923 = 91.081 %; 277,637 / 3,112,923 = 8.919 %.
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "3162923.00",
                "3112923.00",
                "50000.00",
                "98.42",
                "1.58",
                "2835286.00",
                "277637.00",
                "91.08",
                "8.92",
            ]),
        ]
    );
}

#[test]
fn economic_classification_breakdown() {
    let dir = seeded_lake();
    let rows = report(dir.path(), "econ_breakdown.sql", &["year=2021", "level=1"]);
    assert_eq!(
        rows[0],
        row(&[
            "fiscal_year",
            "phase",
            "region",
            "org_name",
            "econ_code",
            "econ_name",
            "total",
            "personnel",
            "public_use",
            "share_pct",
        ])
    );
    let picked: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| {
            vec![
                r[4].clone(),
                r[6].clone(),
                r[7].clone(),
                r[8].clone(),
                r[9].clone(),
            ]
        })
        .collect();
    // Shares of 3,112,923.00: 69.154 %, 8.598 %, 21.926 %, 0.321 %.
    assert_eq!(
        picked,
        vec![
            row(&["301", "2152731.00", "2152731.00", "", "69.15"]),
            row(&["302", "267637.00", "", "267637.00", "8.60"]),
            row(&["303", "682555.00", "682555.00", "", "21.93"]),
            row(&["310", "10000.00", "", "10000.00", "0.32"]),
        ]
    );
    assert_eq!(rows[1][5], "工资福利支出");
    assert_eq!(rows[2][5], "商品和服务支出");

    let rows = report(dir.path(), "econ_breakdown.sql", &["year=2021", "level=2"]);
    assert_eq!(rows.len(), 1 + 22, "22 款 lines in 基本支出表");
    let reception = rows
        .iter()
        .find(|r| r[4] == "30217")
        .expect("30217 公务接待费");
    // 9,700 / 3,112,923 = 0.312 %.
    assert_eq!(&reception[6..], &["9700.00", "", "9700.00", "0.31"]);
}

#[test]
fn three_public_by_year() {
    let dir = seeded_lake();
    let rows = report(dir.path(), "three_public_by_year.sql", &[]);
    assert_eq!(
        rows[0],
        row(&[
            "fiscal_year",
            "phase",
            "region",
            "org_name",
            "trips_abroad",
            "reception",
            "car_purchase",
            "car_running",
            "total",
            "prior_total",
            "change",
            "change_pct",
        ])
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    let r = &rows[1];
    assert_eq!(&r[..4], &["2021", "budget", "万源市", ORG]);
    assert_eq!(r[5], "9700.00");
    // 9,700 - 10,000 = -300, -3 %: the document's own "较 2020 年预算下降 3%".
    assert_eq!(&r[8..], &["9700.00", "10000.00", "-300.00", "-3.00"]);
}

#[test]
fn year_over_year_by_department_and_function() {
    let dir = seeded_lake();
    // The sample has one year: 2021 against an empty 2020.
    let rows = report(
        dir.path(),
        "yoy_by_department_function.sql",
        &["year=2021", "level=1"],
    );
    assert_eq!(
        rows,
        vec![
            row(&[
                "fiscal_year",
                "phase",
                "region",
                "org_name",
                "func_code",
                "func_name",
                "total",
                "prior_total",
                "change",
                "change_pct",
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "208",
                "社会保障和就业支出",
                "2875129.00",
                "",
                "",
                ""
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "210",
                "卫生健康支出",
                "103545.00",
                "",
                "",
                ""
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "221",
                "住房保障支出",
                "184249.00",
                "",
                "",
                ""
            ]),
        ]
    );
    // Seen from 2022, the 2021 amounts are the prior year's.
    let rows = report(
        dir.path(),
        "yoy_by_department_function.sql",
        &["year=2022", "level=1"],
    );
    let picked: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| vec![r[0].clone(), r[4].clone(), r[6].clone(), r[7].clone()])
        .collect();
    assert_eq!(
        picked,
        vec![
            row(&["2022", "208", "", "2875129.00"]),
            row(&["2022", "210", "", "103545.00"]),
            row(&["2022", "221", "", "184249.00"]),
        ]
    );
}

#[test]
fn each_department_share_of_its_region() {
    let dir = seeded_lake();
    let rows = report(dir.path(), "regional_share.sql", &["year=2021"]);
    assert_eq!(
        rows,
        vec![
            row(&[
                "fiscal_year",
                "phase",
                "region",
                "org_name",
                "total",
                "region_total",
                "share_pct",
                "departments"
            ]),
            row(&[
                "2021",
                "budget",
                "万源市",
                ORG,
                "3162923.00",
                "3162923.00",
                "100.00",
                "1"
            ]),
        ]
    );
}

/// The floating-point places of an optimized plan: columns of a float type, casts to a
/// float and float literals, each named with the plan node it is in.
fn floats_in(plan: &LogicalPlan) -> Vec<String> {
    let mut found = Vec::new();
    plan.apply_with_subqueries(|node| {
        for field in node.schema().fields() {
            if field.data_type().is_floating() {
                found.push(format!("column {} of {}", field.name(), node.display()));
            }
        }
        node.apply_expressions(|e| {
            e.apply(|x| {
                let float = match x {
                    Expr::Cast(c) => c.field.data_type().is_floating(),
                    Expr::TryCast(c) => c.field.data_type().is_floating(),
                    Expr::Literal(v, _) => v.data_type().is_floating(),
                    _ => false,
                };
                if float {
                    found.push(format!("{x} in {}", node.display()));
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })?;
        Ok(TreeNodeRecursion::Continue)
    })
    .unwrap();
    found
}

/// The optimized plan of `sql` with `params` bound.
async fn plan_of(ctx: &SessionContext, sql: &str, params: &Params) -> LogicalPlan {
    let plan = ctx.state().create_logical_plan(sql).await.unwrap();
    let plan = yusuan::shell::params::bind(plan, params).unwrap();
    ctx.state().optimize(&plan).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_view_or_report_computes_an_amount_in_floating_point() {
    let dir = seeded_lake();
    let lake = Lake::open(dir.path().join("lake")).unwrap();
    let ctx = yusuan::session::new_context(&lake).await.unwrap();
    let mut params = Params::new();
    params.set("year", "2021");
    params.set("level", "2");

    // The check can fail: a float asked for is found.
    let asked = plan_of(
        &ctx,
        "SELECT CAST(total AS DOUBLE) / 3 AS third FROM expenditure",
        &params,
    )
    .await;
    assert!(!floats_in(&asked).is_empty());

    let views = ctx
        .sql(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'VIEW'",
        )
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut checked = 0;
    for batch in &views {
        let names =
            yusuan::datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8).unwrap();
        let names = names.as_any().downcast_ref::<StringArray>().unwrap();
        for name in names.iter().flatten() {
            let plan = plan_of(&ctx, &format!("SELECT * FROM {name}"), &params).await;
            assert_eq!(floats_in(&plan), Vec::<String>::new(), "view {name}");
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} views");

    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("sql/reports");
    let mut scripts = 0;
    for entry in std::fs::read_dir(reports).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for statement in yusuan::session::split_statements(&text) {
            let plan = plan_of(&ctx, &statement, &params).await;
            assert_eq!(floats_in(&plan), Vec::<String>::new(), "{}", path.display());
        }
        scripts += 1;
    }
    assert!(scripts >= 6, "only {scripts} report scripts");
}
