//! Rule `subtotal_mismatch`: every printed subtotal equals the sum of the leaves under it.
//!
//! Works on both trees: a 类 or 款 row of a function-coded table against its 项 rows, a 类
//! row of an economic table against its 款 rows, and a 合计/总计 row against all leaves of
//! the same column. A difference within one unit of the last printed digit per summand is
//! rounding (`info`); anything more is an `error`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity, grade};
use crate::model::{Fact, ParsedDocument, statement};

pub const RULE: Rule = Rule {
    id: "subtotal_mismatch",
    description: "a printed subtotal differs from the sum of the rows under it",
    check,
};

/// Which code of a fact a roll-up walks.
#[derive(Clone, Copy)]
enum Tree {
    Function,
    Economic,
}

impl Tree {
    fn code(self, fact: &Fact) -> Option<&str> {
        match self {
            Tree::Function => fact.func_code.as_deref(),
            Tree::Economic => fact.econ_code.as_deref(),
        }
    }

    /// The other code, which stays fixed while this one rolls up.
    fn other(self, fact: &Fact) -> Option<&str> {
        match self {
            Tree::Function => fact.econ_code.as_deref(),
            Tree::Economic => fact.func_code.as_deref(),
        }
    }

    fn leaf_len(self) -> usize {
        match self {
            Tree::Function => 7,
            Tree::Economic => 5,
        }
    }
}

type ColumnKey<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    &'static str,
    Option<&'a str>,
    &'static str,
);

fn column_key<'a>(fact: &'a Fact, tree: Tree) -> ColumnKey<'a> {
    (
        fact.statement.as_str(),
        fact.measure.as_str(),
        fact.fund.as_deref(),
        fact.period.as_str(),
        tree.other(fact),
        fact.direction.as_str(),
    )
}

/// Tables whose rows are the function classification's 类 / 款 / 项 (not the summary's
/// 类 lines).
fn is_coded_table(fact: &Fact) -> bool {
    !matches!(
        fact.statement.as_str(),
        statement::SUMMARY | statement::GRANT_SUMMARY
    )
}

fn is_grand_total(fact: &Fact) -> bool {
    fact.is_total
        && fact.func_code.is_none()
        && (fact.item.contains("合计") || fact.item.contains("总计"))
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings = Vec::new();
    for tree in [Tree::Function, Tree::Economic] {
        let mut columns: BTreeMap<ColumnKey, Vec<&Fact>> = BTreeMap::new();
        // The same columns whatever the other code: a total without one (合计 of a table by
        // function whose rows also carry their economic codes) covers the rows of all.
        let mut across: BTreeMap<ColumnKey, Vec<&Fact>> = BTreeMap::new();
        // A 款 printed without 项 rows under it (20408 强制隔离戒毒 with its amounts and no
        // 2040801…) is a leaf of its 类 too: it was not marked a total, having no rows
        // under it.
        let is_leaf = |f: &Fact| {
            !f.is_total
                && tree.code(f).is_some_and(|c| {
                    c.len() == tree.leaf_len()
                        || (matches!(tree, Tree::Function) && c.len() == 5 && is_coded_table(f))
                })
        };
        for fact in &doc.facts {
            columns
                .entry(column_key(fact, tree))
                .or_default()
                .push(fact);
            if is_leaf(fact) {
                let mut key = column_key(fact, tree);
                key.4 = None;
                across.entry(key).or_default().push(fact);
            }
        }
        for (key, facts) in &columns {
            let leaves: Vec<&Fact> = match key.4 {
                None => across.get(key).cloned().unwrap_or_default(),
                Some(_) => facts.iter().copied().filter(|f| is_leaf(f)).collect(),
            };
            if leaves.is_empty() {
                continue;
            }
            for total in facts.iter().filter(|f| f.is_total) {
                let prefix = match tree.code(total) {
                    Some(code) if code.len() < tree.leaf_len() => code,
                    Some(_) => continue,
                    // A grand total is checked once, on the function tree.
                    None if matches!(tree, Tree::Function) && is_grand_total(total) => "",
                    None => continue,
                };
                let children: Vec<&Fact> = leaves
                    .iter()
                    .copied()
                    .filter(|f| tree.code(f).is_some_and(|c| c.starts_with(prefix)))
                    .collect();
                if children.is_empty() {
                    continue;
                }
                if let Some(finding) = compare(total, &children) {
                    findings.push(finding);
                }
            }
        }
    }
    findings
}

fn compare(total: &Fact, children: &[&Fact]) -> Option<Finding> {
    let sum: Decimal = children.iter().map(|f| f.amount).sum();
    let severity = grade(
        sum - total.amount,
        total.unit,
        children.len(),
        Severity::Error,
    )?;
    let what = total
        .func_code
        .as_deref()
        .or(total.econ_code.as_deref())
        .unwrap_or(&total.item);
    let mut lines = vec![total.src_line];
    lines.extend(children.iter().map(|f| f.src_line));
    Some(Finding {
        rule: RULE.id,
        severity,
        message: format!(
            "{what}（{}）“{}”列：小计 {} 与其下 {} 行之和 {} 不符，差 {}",
            total.statement,
            total.measure_label,
            total.amount,
            children.len(),
            sum,
            sum - total.amount
        ),
        message_en: format!(
            "{what} ({}) column '{}': printed subtotal {} but its {} rows add up to {} (difference {})",
            total.statement,
            total.measure_label,
            total.amount,
            children.len(),
            sum,
            sum - total.amount
        ),
        expected: Some(sum),
        actual: Some(total.amount),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    fn table(subtotal: &str) -> Vec<Fact> {
        let s = "expenditure_by_func";
        vec![
            fact(s, "total", "300.00", 10).item("合计").total(),
            fact(s, "total", subtotal, 11).func("208").total(),
            fact(s, "total", "100.00", 12).func("2080109"),
            fact(s, "total", "200.00", 13).func("2080505"),
        ]
    }

    #[test]
    fn subtotals_that_add_up_pass() {
        assert!(check(&doc(table("300.00"))).is_empty());
    }

    #[test]
    fn a_wrong_subtotal_is_an_error_with_its_lines() {
        let findings = check(&doc(table("310.00")));
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Error)]);
        assert_eq!(findings[0].lines, vec![11, 12, 13]);
        assert_eq!(findings[0].expected, Some(dec("300.00")));
        assert_eq!(findings[0].actual, Some(dec("310.00")));
    }

    #[test]
    fn a_kuan_without_xiang_rows_is_a_leaf_of_its_lei() {
        // 西安市司法局 一般公共预算支出表, 专项业务经费支出 (元): 204 16,022,800.00 =
        // 20406 13,896,200.00 (with its 项 rows) + 20408 2,126,600.00 (printed alone).
        let s = "gpb_by_func";
        let facts = vec![
            fact(s, "project", "16022800.00", 769).func("204").total(),
            fact(s, "project", "13896200.00", 770).func("20406").total(),
            fact(s, "project", "13896200.00", 772).func("2040604"),
            fact(s, "project", "2126600.00", 781).func("20408"),
        ];
        assert!(check(&doc(facts)).is_empty());
    }

    #[test]
    fn a_difference_within_rounding_is_info() {
        let s = "expenditure_by_func";
        let facts = vec![
            fact(s, "total", "3.01", 11).func("208").total().wan(),
            fact(s, "total", "1.00", 12).func("2080109").wan(),
            fact(s, "total", "2.00", 13).func("2080505").wan(),
        ];
        let facts = facts
            .into_iter()
            .map(|mut f| {
                f.amount *= Decimal::from(10_000);
                f
            })
            .collect();
        assert_eq!(fired(&check(&doc(facts))), vec![(RULE.id, Severity::Info)]);
    }

    #[test]
    fn economic_class_rows_add_up_to_their_kuan() {
        let s = "gpb_basic_by_econ";
        let facts = vec![
            fact(s, "total", "50.00", 20).econ("301").total(),
            fact(s, "total", "20.00", 21).econ("30101"),
            fact(s, "total", "20.00", 22).econ("30102"),
        ];
        assert_eq!(fired(&check(&doc(facts))), vec![(RULE.id, Severity::Error)]);
    }
}
