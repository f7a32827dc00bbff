//! Rule `subtotal_mismatch`: every printed subtotal equals the sum of the leaves under it.
//!
//! Works on both trees: a 类 or 款 row of a function-coded table against its 项 rows, a 类
//! row of an economic table against its 款 rows, and a 合计/总计 row against all leaves of
//! the same column. A difference within one unit of the last printed digit per summand is
//! rounding (`info`); anything more is an `error`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity};
use crate::model::{Fact, ParsedDocument, Unit};

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

fn is_grand_total(fact: &Fact) -> bool {
    fact.is_total
        && fact.func_code.is_none()
        && (fact.item.contains("合计") || fact.item.contains("总计"))
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings = Vec::new();
    for tree in [Tree::Function, Tree::Economic] {
        let mut columns: BTreeMap<ColumnKey, Vec<&Fact>> = BTreeMap::new();
        for fact in &doc.facts {
            columns.entry(column_key(fact, tree)).or_default().push(fact);
        }
        for facts in columns.values() {
            let leaves: Vec<&Fact> = facts
                .iter()
                .copied()
                .filter(|f| !f.is_total && tree.code(f).is_some_and(|c| c.len() == tree.leaf_len()))
                .collect();
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
    let diff = (sum - total.amount).abs();
    if diff.is_zero() {
        return None;
    }
    // One unit of the last printed digit (0.01 of the printed unit) per summand.
    let step = match total.unit {
        Unit::Yuan => Decimal::new(1, 2),
        Unit::Wan => Decimal::from(100),
    };
    let tolerance = step * Decimal::from(children.len() as u64);
    let severity = if diff <= tolerance {
        Severity::Info
    } else {
        Severity::Error
    };
    let what = total.func_code.as_deref().or(total.econ_code.as_deref()).unwrap_or(&total.item);
    let mut lines = vec![total.src_line];
    lines.extend(children.iter().map(|f| f.src_line));
    Some(Finding {
        rule: RULE.id,
        severity,
        message: format!(
            "{}（{}）“{}”列小计 {} 与明细之和 {} 不符，差 {}",
            what, total.statement, total.measure_label, total.amount, sum, sum - total.amount
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
