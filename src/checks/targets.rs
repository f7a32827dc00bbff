//! Rules over 绩效目标 (performance targets):
//!
//! - `target_impossible`: a rate that cannot exceed 100% (满意度, 完成率, 覆盖率, …) given as
//!   "≥100%" or more — at best met exactly, and more is impossible;
//! - `target_amount_conflict`: an indicator whose target is an amount (37637元) while the
//!   same item carries a different amount in the performance table (27,637.00);
//! - `target_missing_value`: an indicator with no target value.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity, normalise_label};
use crate::model::{ParsedDocument, Target, Unit, statement};

pub const IMPOSSIBLE: Rule = Rule {
    id: "target_impossible",
    description: "a rate bounded by 100% is targeted at ≥100% or more",
    check: impossible,
};

pub const AMOUNT_CONFLICT: Rule = Rule {
    id: "target_amount_conflict",
    description: "an indicator's target amount differs from the item's amount in the table",
    check: amount_conflict,
};

pub const MISSING_VALUE: Rule = Rule {
    id: "target_missing_value",
    description: "a performance indicator has no target value",
    check: missing_value,
};

/// "≥100%", ">= 98.5 %", "≥ 120%": the bound and its percentage.
fn at_least_percent(text: &str) -> Option<Decimal> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = compact
        .split_once('≥')
        .map(|(_, r)| r)
        .or_else(|| compact.split_once(">=").map(|(_, r)| r))?;
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let after = &rest[number.len()..];
    (after.starts_with('%') || after.starts_with('％'))
        .then(|| Decimal::from_str(&number).ok())
        .flatten()
}

/// A rate that cannot exceed 100%: satisfaction, completion, coverage, … but not growth.
fn bounded_rate(target: &Target) -> bool {
    let name = format!(
        "{}{}",
        target.indicator,
        target.target.as_deref().unwrap_or("")
    );
    let growth = ["增长", "增幅", "提高率", "同比"]
        .iter()
        .any(|w| name.contains(w));
    !growth && (name.contains("满意") || name.contains('率'))
}

fn impossible(doc: &ParsedDocument) -> Vec<Finding> {
    let hundred = Decimal::from(100);
    doc.targets
        .iter()
        .filter_map(|t| {
            let value = at_least_percent(t.target.as_deref()?)?;
            (value >= hundred && bounded_rate(t)).then(|| Finding {
                rule: IMPOSSIBLE.id,
                severity: Severity::Warning,
                message: format!(
                    "绩效指标“{}”目标值“{}”：比率不可能超过 100%",
                    t.indicator,
                    t.target.as_deref().unwrap_or("")
                ),
                message_en: format!(
                    "indicator '{}' targets '{}': a rate cannot exceed 100%",
                    t.indicator,
                    t.target.as_deref().unwrap_or("")
                ),
                expected: None,
                actual: None,
                lines: vec![t.src_line],
            })
        })
        .collect()
}

/// A target that is nothing but an amount: "37637元", "2.5万元", "18,000 元".
fn amount_target(text: &str) -> Option<Decimal> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    let (number, unit) = if let Some(n) = compact.strip_suffix("万元") {
        (n, Unit::Wan)
    } else {
        (compact.strip_suffix('元')?, Unit::Yuan)
    };
    let value = Decimal::from_str(number).ok()?;
    Some(unit.to_yuan(value))
}

fn amount_conflict(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings = Vec::new();
    for target in &doc.targets {
        let Some(amount) = target.target.as_deref().and_then(amount_target) else {
            continue;
        };
        let name = normalise_label(&target.indicator);
        let Some(fact) = doc.facts.iter().find(|f| {
            f.statement == statement::PERFORMANCE
                && normalise_label(&f.item) == name
                && f.amount != amount
        }) else {
            continue;
        };
        // Agreeing with any figure of the item is enough.
        if doc.facts.iter().any(|f| {
            f.statement == statement::PERFORMANCE
                && normalise_label(&f.item) == name
                && f.amount == amount
        }) {
            continue;
        }
        findings.push(Finding {
            rule: AMOUNT_CONFLICT.id,
            severity: Severity::Warning,
            message: format!(
                "“{}”：绩效指标值为 {}，绩效表金额为 {} 元",
                target.indicator,
                target.target.as_deref().unwrap_or(""),
                fact.amount
            ),
            message_en: format!(
                "'{}': the indicator's target is {} but the performance table gives {} yuan",
                target.indicator,
                target.target.as_deref().unwrap_or(""),
                fact.amount
            ),
            expected: Some(fact.amount),
            actual: Some(amount),
            lines: vec![target.src_line, fact.src_line],
        });
    }
    findings
}

fn missing_value(doc: &ParsedDocument) -> Vec<Finding> {
    doc.targets
        .iter()
        .filter(|t| t.target.as_deref().is_none_or(|v| v.trim().is_empty()))
        .map(|t| Finding {
            rule: MISSING_VALUE.id,
            severity: Severity::Warning,
            message: format!("绩效指标“{}”没有指标值", t.indicator),
            message_en: format!("indicator '{}' has no target value", t.indicator),
            expected: None,
            actual: None,
            lines: vec![t.src_line],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    fn target(indicator: &str, value: Option<&str>, line: u32) -> Target {
        Target {
            project: "项目".into(),
            level1: None,
            level2: None,
            indicator: indicator.into(),
            target: value.map(Into::into),
            src_line: line,
        }
    }

    #[test]
    fn satisfaction_at_least_100_percent_is_impossible() {
        let mut d = doc(vec![]);
        d.targets = vec![
            target("办事群众满意度", Some("≥100%"), 413),
            target("办事群众满意度", Some("≥98%"), 406),
            target("收入增长率", Some("≥120%"), 7),
            target("任务完成率", Some("100%"), 8),
        ];
        let findings = impossible(&d);
        assert_eq!(fired(&findings), vec![(IMPOSSIBLE.id, Severity::Warning)]);
        assert_eq!(findings[0].lines, vec![413]);
    }

    #[test]
    fn an_amount_target_against_the_table() {
        let p = statement::PERFORMANCE;
        let mut d = doc(vec![
            fact(p, "total", "27637.00", 428).item("机关党组织活动经费"),
        ]);
        d.targets = vec![target("机关党组织活动经费", Some("37637元"), 435)];
        let findings = amount_conflict(&d);
        assert_eq!(
            fired(&findings),
            vec![(AMOUNT_CONFLICT.id, Severity::Warning)]
        );
        assert_eq!(findings[0].lines, vec![435, 428]);
        assert_eq!(findings[0].actual, Some(dec("37637")));
        d.targets = vec![target("机关党组织活动经费", Some("27637元"), 435)];
        assert!(amount_conflict(&d).is_empty());
    }

    #[test]
    fn an_indicator_without_a_value() {
        let mut d = doc(vec![]);
        d.targets = vec![
            target("业务运行", None, 3),
            target("待遇发放", Some("100%"), 4),
        ];
        assert_eq!(
            fired(&missing_value(&d)),
            vec![(MISSING_VALUE.id, Severity::Warning)]
        );
    }
}
