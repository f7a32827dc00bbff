//! Rule `three_public_mismatch`: a “三公” item has one figure in every table that prints it
//! (after unit conversion), and it agrees with the 经济分类 line it is spent from
//! (公务接待费 = 30217, 公务用车运行维护费 = 30231, 因公出国（境）费 = 30212, 公务用车购置费 = 31013).
//!
//! A table's figure for an item is its 合计 row where printed, else its only row; a table
//! that lists several units without a 合计 is skipped rather than guessed at.

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity, grade};
use crate::model::{Fact, ParsedDocument, Period, Unit, statement};

pub const RULE: Rule = Rule {
    id: "three_public_mismatch",
    description: "a 三公 figure differs between tables or from its 经济分类 line",
    check,
};

/// The 三公 items and the economic code each is spent from.
pub const ITEMS: &[(&str, &str)] = &[
    ("因公出国（境）费", "30212"),
    ("公务接待费", "30217"),
    ("公务用车运行维护费", "30231"),
    ("公务用车购置费", "31013"),
];

/// The department-level figure of `item` in each 三公 table.
fn figures<'a>(doc: &'a ParsedDocument, item: &str) -> Vec<&'a Fact> {
    let mut out = Vec::new();
    for table in doc
        .tables
        .iter()
        .filter(|t| t.statement == statement::THREE_PUBLIC)
    {
        let in_table: Vec<&Fact> = doc
            .facts
            .iter()
            .filter(|f| {
                f.statement == statement::THREE_PUBLIC
                    && f.period == Period::Current
                    && f.item == item
                    && (table.start_line..=table.end_line).contains(&f.src_line)
            })
            .collect();
        let figure = match in_table.iter().find(|f| f.is_total) {
            Some(total) => Some(*total),
            None if in_table.len() == 1 => Some(in_table[0]),
            None => None,
        };
        out.extend(figure);
    }
    out
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (item, econ) in ITEMS {
        let figures = figures(doc, item);
        let Some(first) = figures.first() else {
            continue;
        };
        // Across tables: against the figure printed most precisely (in 元 if any).
        let reference = figures
            .iter()
            .find(|f| f.unit == Unit::Yuan)
            .unwrap_or(first);
        for other in &figures {
            let unit = if other.unit == Unit::Wan || reference.unit == Unit::Wan {
                Unit::Wan
            } else {
                Unit::Yuan
            };
            if let Some(severity) = grade(other.amount - reference.amount, unit, 1, Severity::Error)
            {
                findings.push(Finding {
                    rule: RULE.id,
                    severity,
                    message: format!(
                        "“三公”{item}：第 {} 行为 {} 元，第 {} 行为 {} 元",
                        reference.src_line, reference.amount, other.src_line, other.amount
                    ),
                    message_en: format!(
                        "三公 {item}: {} yuan at line {} but {} yuan at line {}",
                        reference.amount, reference.src_line, other.amount, other.src_line
                    ),
                    expected: Some(reference.amount),
                    actual: Some(other.amount),
                    lines: vec![other.src_line, reference.src_line],
                });
            }
        }
        // Against its 经济分类 line in the basic-expenditure table.
        let econ_lines: Vec<&Fact> = doc
            .facts
            .iter()
            .filter(|f| {
                f.statement == statement::GPB_BASIC_BY_ECON
                    && f.period == Period::Current
                    && f.measure == "total"
                    && !f.is_total
                    && f.econ_code.as_deref() == Some(*econ)
            })
            .collect();
        let has_basic_table = doc
            .facts
            .iter()
            .any(|f| f.statement == statement::GPB_BASIC_BY_ECON);
        if !has_basic_table {
            continue;
        }
        let econ_sum: Decimal = econ_lines.iter().map(|f| f.amount).sum();
        if let Some(severity) = grade(
            reference.amount - econ_sum,
            reference.unit,
            1,
            Severity::Warning,
        ) {
            let mut lines = vec![reference.src_line];
            lines.extend(econ_lines.iter().map(|f| f.src_line));
            findings.push(Finding {
                rule: RULE.id,
                severity,
                message: format!(
                    "“三公”{item} {} 元，基本支出表 {econ} 为 {} 元（项目支出也可能列支）",
                    reference.amount, econ_sum
                ),
                message_en: format!(
                    "三公 {item} is {} yuan but economic line {econ} of the basic-expenditure table is {} yuan (project spending may carry part of it)",
                    reference.amount, econ_sum
                ),
                expected: Some(econ_sum),
                actual: Some(reference.amount),
                lines,
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;
    use crate::model::TableInfo;

    fn table(start: u32, end: u32) -> TableInfo {
        TableInfo {
            statement: statement::THREE_PUBLIC.into(),
            title: "三公".into(),
            start_line: start,
            end_line: end,
            facts: 1,
            unit: Unit::Yuan,
            numbers: 1,
            stored: 1,
            skipped: 0,
            unread: 0,
        }
    }

    fn with(wan_table: &str, yuan_table: &str, econ_line: &str) -> ParsedDocument {
        let t = statement::THREE_PUBLIC;
        let mut d = doc(vec![
            fact(t, "amount", wan_table, 3).item("公务接待费").wan(),
            fact(t, "amount", yuan_table, 12).item("公务接待费").total(),
            fact(t, "amount", yuan_table, 13).item("公务接待费"),
            fact(statement::GPB_BASIC_BY_ECON, "total", econ_line, 20).econ("30217"),
        ]);
        d.tables = vec![table(1, 5), table(10, 14)];
        d
    }

    #[test]
    fn same_figure_everywhere_passes() {
        assert!(check(&with("9700.00", "9700.00", "9700.00")).is_empty());
    }

    #[test]
    fn a_rounded_wan_figure_is_info() {
        // 0.97 万元 printed for 9,712 元.
        assert_eq!(
            fired(&check(&with("9700.00", "9712.00", "9712.00"))),
            vec![(RULE.id, Severity::Info)]
        );
    }

    #[test]
    fn a_different_figure_is_an_error_and_the_econ_line_a_warning() {
        assert_eq!(
            fired(&check(&with("19700.00", "9700.00", "8700.00"))),
            vec![(RULE.id, Severity::Error), (RULE.id, Severity::Warning)]
        );
    }
}
