//! Reconciliation rules over a parsed document, and the findings they produce.
//!
//! Each rule is a small unit in its own file with an id, a severity policy and a one-line
//! description. Rules only report; they never change a figure. A difference within one
//! unit of the last printed digit per summand is rounding and reported as `info`.
//!
//! | rule | what it compares |
//! |---|---|
//! | `subtotal_mismatch` | 类/款 rows and 合计 against the leaves under them |
//! | `row_sum_mismatch` | 合计 = 基本 + 项目, 人员 + 公用, the 财政拨款 columns |
//! | `balance_mismatch` | 收入总计 = 支出总计 |
//! | `cross_table_mismatch` | the same total in two tables |
//! | `three_public_mismatch` | a 三公 item across tables and against its 经济分类 line |
//! | `prose_unit_mixup`, `prose_mismatch` | figures in the prose against the tables |
//! | `code_name_mismatch`, `code_repaired` | codes against the catalog; parser repairs |
//! | `target_impossible`, `target_amount_conflict`, `target_missing_value` | 绩效目标 |

mod amount_range;
mod balance;
mod code_names;
mod cross_table;
mod prose;
mod repairs;
pub mod report;
mod rollup;
mod row_sum;
mod targets;
mod three_public;
mod unit_mixup;

#[cfg(test)]
pub(crate) mod testing;

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::model::{ParsedDocument, Unit};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity '{other}': expected info, warning or error"
            )),
        }
    }
}

/// One inconsistency, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// In Chinese.
    pub message: String,
    pub message_en: String,
    pub expected: Option<Decimal>,
    pub actual: Option<Decimal>,
    /// Source lines involved, the main one first.
    pub lines: Vec<u32>,
}

/// A rule: an id, what it checks, and the check itself.
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    pub check: fn(&ParsedDocument) -> Vec<Finding>,
}

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[
    amount_range::RULE,
    rollup::RULE,
    row_sum::RULE,
    balance::RULE,
    cross_table::RULE,
    three_public::RULE,
    unit_mixup::RULE,
    prose::RULE,
    code_names::RULE,
    repairs::RULE,
    targets::IMPOSSIBLE,
    targets::AMOUNT_CONFLICT,
    targets::MISSING_VALUE,
];

/// Runs every rule over a document; findings sorted by their first line.
pub fn run(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings: Vec<Finding> = RULES.iter().flat_map(|rule| (rule.check)(doc)).collect();
    findings.sort_by_key(|f| (f.lines.first().copied().unwrap_or(0), f.rule));
    findings
}

/// One unit of the last printed digit: 0.01 of the printed unit, in 元.
pub(crate) fn printed_step(unit: Unit) -> Decimal {
    unit.to_yuan(Decimal::new(1, 2))
}

/// Severity of a difference between a printed figure and what it should be: nothing when
/// equal, `info` within `summands` units of the last printed digit, else `otherwise`.
pub(crate) fn grade(
    diff: Decimal,
    unit: Unit,
    summands: usize,
    otherwise: Severity,
) -> Option<Severity> {
    let diff = diff.abs();
    if diff.is_zero() {
        None
    } else if diff <= printed_step(unit) * Decimal::from(summands.max(1) as u64) {
        Some(Severity::Info)
    } else {
        Some(otherwise)
    }
}

/// Normalises a label for comparison: no spaces, full-width brackets as ASCII, no ordinal
/// prefix ("八、", "1.", "（2）", "其中：").
pub(crate) fn normalise_label(label: &str) -> String {
    let s: String = label
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            _ => c,
        })
        .collect();
    let mut rest = s.as_str();
    loop {
        let before = rest;
        rest = rest.strip_prefix("其中:").unwrap_or(rest);
        rest = strip_ordinal(rest);
        if rest == before {
            return rest.to_string();
        }
    }
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "一二三四五六七八九十".contains(c)
}

/// "八、…", "2.…", "1．…", "(2)…" without their ordinal.
fn strip_ordinal(s: &str) -> &str {
    let n: usize = s
        .chars()
        .take_while(|&c| is_numeral(c))
        .map(char::len_utf8)
        .sum();
    if n > 0
        && let Some(sep) = s[n..].chars().next()
        && matches!(sep, '、' | '.' | '．')
    {
        return &s[n + sep.len_utf8()..];
    }
    if let Some(inner) = s.strip_prefix('(') {
        let m: usize = inner
            .chars()
            .take_while(|&c| is_numeral(c))
            .map(char::len_utf8)
            .sum();
        if m > 0 && inner[m..].starts_with(')') {
            return &inner[m + 1..];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_ordinals_spaces_and_bracket_widths() {
        assert_eq!(
            normalise_label("八、社会保障和就业支出"),
            "社会保障和就业支出"
        );
        assert_eq!(normalise_label("2. 公务接待费"), "公务接待费");
        assert_eq!(
            normalise_label("其中：（1）公务用车运行 维护费"),
            "公务用车运行维护费"
        );
        assert_eq!(normalise_label("维修（护）费"), "维修(护)费");
        assert_eq!(normalise_label("因公出国（境）费用"), "因公出国(境)费用");
    }

    #[test]
    fn grading_by_printed_precision() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(grade(d("0"), Unit::Yuan, 3, Severity::Error), None);
        assert_eq!(
            grade(d("0.02"), Unit::Yuan, 3, Severity::Error),
            Some(Severity::Info)
        );
        assert_eq!(
            grade(d("0.04"), Unit::Yuan, 3, Severity::Error),
            Some(Severity::Error)
        );
        assert_eq!(
            grade(d("51"), Unit::Wan, 1, Severity::Warning),
            Some(Severity::Info)
        );
        assert_eq!(
            grade(d("101"), Unit::Wan, 1, Severity::Warning),
            Some(Severity::Warning)
        );
    }
}
