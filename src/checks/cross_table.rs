//! Rule `cross_table_mismatch`: the same total printed in two tables agrees.
//!
//! - the summary's 本年支出合计 (or 支出总计) = the expenditure table's leaves;
//! - the summary's 类 rows = the expenditure table's leaves by 类, and so do the 财政拨款
//!   table's for a department whose only funds are fiscal (otherwise they must not
//!   exceed them);
//! - the basic-expenditure table's leaves = the expenditure table's 基本支出 column;
//! - the project table's projects = the expenditure table's 项目支出 column.
//!
//! The last two compare a 一般公共预算 table with an all-funds table, which legitimately
//! differ when a department also spends other funds: they are warnings, not errors.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity, grade, normalise_label};
use crate::model::{Direction, Fact, ParsedDocument, Period, Unit, statement};

pub const RULE: Rule = Rule {
    id: "cross_table_mismatch",
    description: "a total differs between two tables that both print it",
    check,
};

fn leaves<'a>(doc: &'a ParsedDocument, table: &str, measure: &str) -> Vec<&'a Fact> {
    doc.facts
        .iter()
        .filter(|f| {
            f.statement == table
                && f.measure == measure
                && f.period == Period::Current
                && !f.is_total
                && f.direction == Direction::Expenditure
        })
        .collect()
}

struct Side {
    what: String,
    amount: Decimal,
    unit: Unit,
    lines: Vec<u32>,
    summands: usize,
}

fn side(what: impl Into<String>, facts: &[&Fact]) -> Option<Side> {
    let first = facts.first()?;
    Some(Side {
        what: what.into(),
        amount: facts.iter().map(|f| f.amount).sum(),
        unit: first.unit,
        lines: facts.iter().map(|f| f.src_line).collect(),
        summands: facts.len(),
    })
}

fn compare(a: Side, b: Side, severity: Severity, out: &mut Vec<Finding>) {
    // Rounding: whichever side was printed more coarsely decides the step.
    let unit = if a.unit == Unit::Wan || b.unit == Unit::Wan {
        Unit::Wan
    } else {
        Unit::Yuan
    };
    // A single figure printed with fewer decimals (480544221.6 beside 480544221.62) is
    // rounded to what it prints: half its last digit is rounding, not a mismatch.
    let coarsest = [&a, &b]
        .iter()
        .filter(|side| side.summands == 1)
        .map(|side| Decimal::new(1, side.amount.scale()))
        .max()
        .unwrap_or_default();
    let diff = b.amount - a.amount;
    let severity = if !diff.is_zero() && diff.abs() * Decimal::TWO <= coarsest {
        Some(Severity::Info)
    } else {
        grade(diff, unit, a.summands.max(b.summands), severity)
    };
    let Some(severity) = severity else {
        return;
    };
    let mut lines = a.lines.clone();
    lines.extend(&b.lines);
    lines.dedup();
    out.push(Finding {
        rule: RULE.id,
        severity,
        message: format!("{} {} ≠ {} {}", a.what, a.amount, b.what, b.amount),
        message_en: format!("{}: {} but {}: {}", a.what, a.amount, b.what, b.amount),
        expected: Some(a.amount),
        actual: Some(b.amount),
        lines,
    });
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut out = Vec::new();
    let spending = leaves(doc, statement::EXPENDITURE_BY_FUNC, "total");
    if spending.is_empty() {
        return out;
    }

    // The summary's expenditure total.
    let summary_total = ["本年支出合计", "支出总计"].iter().find_map(|label| {
        doc.facts.iter().find(|f| {
            f.statement == statement::SUMMARY
                && f.direction == Direction::Expenditure
                && f.period == Period::Current
                && f.measure == "total"
                && normalise_label(&f.item) == *label
        })
    });
    if let (Some(total), Some(b)) = (summary_total, side("部门支出总表合计", &spending)) {
        let a = side(
            format!("部门收支总表{}", normalise_label(&total.item)),
            &[total],
        );
        if let Some(a) = a {
            compare(a, b, Severity::Error, &mut out);
        }
    }

    // 类 rows of the summary and the grant summary against the expenditure table by 类.
    let mut by_lei: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
    for f in &spending {
        if let Some(code) = f.func_code.as_deref().filter(|c| c.len() >= 3) {
            by_lei.entry(&code[..3]).or_default().push(f);
        }
    }
    // The 财政拨款 table counts fiscal funds only: its 类 rows equal the all-funds
    // expenditure table's only for a department with no other income, and never exceed
    // them.
    let grand_total = |table: &str| {
        doc.facts.iter().find(|f| {
            f.statement == table
                && f.period == Period::Current
                && f.measure == "total"
                && f.fund.is_none()
                && normalise_label(&f.item) == "支出总计"
        })
    };
    let fiscal_only = matches!(
        (grand_total(statement::SUMMARY), grand_total(statement::GRANT_SUMMARY)),
        (Some(all), Some(fiscal)) if all.amount == fiscal.amount
    );
    // An expenditure table by unit or by nature (西安's 支出总表 by 单位编码) has no 类 of
    // the summary's: nothing to compare, rather than every 类 against zero.
    let lei_rows = |table: &'static str| {
        doc.facts.iter().filter(move |f| {
            f.statement == table
                && f.direction == Direction::Expenditure
                && f.period == Period::Current
                && f.measure == "total"
                && f.fund.is_none()
                && f.func_code.as_deref().is_some_and(|c| c.len() == 3)
        })
    };
    let by_function = lei_rows(statement::SUMMARY)
        .chain(lei_rows(statement::GRANT_SUMMARY))
        .any(|f| {
            f.func_code
                .as_deref()
                .is_some_and(|c| by_lei.contains_key(c))
        });
    for table in [statement::SUMMARY, statement::GRANT_SUMMARY] {
        if !by_function {
            break;
        }
        for row in lei_rows(table) {
            let code = row.func_code.as_deref().unwrap_or("");
            let detail = by_lei.get(code).map(Vec::as_slice).unwrap_or(&[]);
            let b = match side(format!("部门支出总表 {code}"), detail) {
                Some(b) => b,
                None => Side {
                    what: format!("部门支出总表 {code}"),
                    amount: Decimal::ZERO,
                    unit: row.unit,
                    lines: vec![],
                    summands: 1,
                },
            };
            if table == statement::GRANT_SUMMARY && !fiscal_only && row.amount <= b.amount {
                continue;
            }
            if let Some(a) = side(format!("{table} {}", normalise_label(&row.item)), &[row]) {
                compare(a, b, Severity::Error, &mut out);
            }
        }
    }

    // 一般公共预算 tables against the all-funds expenditure table's columns.
    let pairs = [
        (
            statement::GPB_BASIC_BY_ECON,
            "total",
            "basic",
            "一般公共预算基本支出表合计",
            "部门支出总表基本支出",
        ),
        (
            statement::GPB_PROJECTS,
            "amount",
            "project",
            "项目支出表合计",
            "部门支出总表项目支出",
        ),
    ];
    for (table, measure, column, what_a, what_b) in pairs {
        let detail = leaves(doc, table, measure);
        let column = leaves(doc, statement::EXPENDITURE_BY_FUNC, column);
        if let (Some(a), Some(b)) = (side(what_a, &detail), side(what_b, &column)) {
            compare(a, b, Severity::Warning, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    fn docs(summary_total: &str, basic_leaf: &str) -> ParsedDocument {
        let e = statement::EXPENDITURE_BY_FUNC;
        doc(vec![
            fact(statement::SUMMARY, "total", summary_total, 1)
                .item("本年支出合计")
                .total(),
            fact(statement::SUMMARY, "total", "150.00", 2)
                .item("八、社会保障和就业支出")
                .func("208"),
            fact(e, "total", "150.00", 10).func("2080109"),
            fact(e, "basic", "100.00", 10).func("2080109"),
            fact(e, "project", "50.00", 10).func("2080109"),
            fact(statement::GPB_BASIC_BY_ECON, "total", basic_leaf, 20).econ("30101"),
            fact(statement::GPB_PROJECTS, "amount", "50.00", 30).func("2080109"),
        ])
    }

    #[test]
    fn a_figure_printed_with_fewer_decimals_is_rounding() {
        // 西安市医疗保障局: 本年支出合计 480544221.62 in the summary, 480544221.6 in the
        // 支出总表 (one decimal printed).
        let e = statement::EXPENDITURE_BY_FUNC;
        let facts = |leaf: &str| {
            doc(vec![
                fact(statement::SUMMARY, "total", "480544221.62", 450)
                    .item("本年支出合计")
                    .total(),
                fact(e, "total", leaf, 508).item("西安市医疗保障局"),
            ])
        };
        assert_eq!(
            fired(&check(&facts("480544221.6"))),
            vec![(RULE.id, Severity::Info)]
        );
        assert_eq!(
            fired(&check(&facts("480544221.50"))),
            vec![(RULE.id, Severity::Error)]
        );
    }

    #[test]
    fn an_expenditure_table_by_unit_has_no_class_rows_to_compare() {
        // 西安: the 支出总表 lists units (263001 西安市商务局 …), not functions.
        let e = statement::EXPENDITURE_BY_FUNC;
        let facts = vec![
            fact(statement::SUMMARY, "total", "150.00", 2)
                .item("一、一般公共服务支出")
                .func("201"),
            fact(e, "total", "150.00", 10).item("西安市商务局"),
        ];
        assert!(check(&doc(facts.clone())).is_empty());
        // Where the table is by function, a 类 it lacks is an error.
        let mut by_function = facts;
        by_function.push(
            fact(statement::SUMMARY, "total", "10.00", 3)
                .item("八、社会保障和就业支出")
                .func("208"),
        );
        by_function.push(fact(e, "total", "10.00", 11).func("2080109"));
        assert_eq!(
            fired(&check(&doc(by_function))),
            vec![(RULE.id, Severity::Error)]
        );
    }

    #[test]
    fn fiscal_rows_may_be_less_than_all_funds_where_other_funds_are_spent() {
        // A department that also spends 10 of other funds: 支出总计 150 in the summary,
        // 140 in the 财政拨款 table.
        let g = statement::GRANT_SUMMARY;
        let mut facts = docs("150.00", "100.00").facts;
        facts.push(
            fact(statement::SUMMARY, "total", "150.00", 3)
                .item("支出总计")
                .total(),
        );
        facts.push(fact(g, "total", "140.00", 4).item("支出总计").total());
        facts.push(
            fact(g, "total", "140.00", 5)
                .item("社会保障和就业支出")
                .func("208"),
        );
        assert!(check(&doc(facts.clone())).is_empty());
        // More fiscal spending than spending of all funds is an error.
        facts.push(
            fact(g, "total", "160.00", 6)
                .item("社会保障和就业支出")
                .func("208"),
        );
        assert_eq!(fired(&check(&doc(facts))), vec![(RULE.id, Severity::Error)]);
    }

    #[test]
    fn agreeing_tables_pass() {
        assert!(check(&docs("150.00", "100.00")).is_empty());
    }

    #[test]
    fn summary_against_expenditure_is_an_error() {
        let findings = check(&docs("160.00", "100.00"));
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Error)]);
        assert_eq!(findings[0].lines, vec![1, 10]);
    }

    #[test]
    fn basic_table_against_basic_column_is_a_warning() {
        assert_eq!(
            fired(&check(&docs("150.00", "90.00"))),
            vec![(RULE.id, Severity::Warning)]
        );
    }
}
