//! Rule `prose_unit_mixup`: a money figure in the prose that is exactly 10,000 times (or a
//! 10,000th of) the table figure of the same item: 元 written as 万元, or the reverse.

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity};
use crate::model::{ParsedDocument, Period};

pub const RULE: Rule = Rule {
    id: "prose_unit_mixup",
    description: "a figure in the prose is the table's figure with 元 and 万元 confused",
    check,
};

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let wan = Decimal::from(10_000);
    let mut findings = Vec::new();
    for figure in &doc.narrative {
        if figure.amount.is_zero() || figure.label.is_empty() {
            continue;
        }
        // The first current-period table figure of the same item.
        let Some(fact) = doc
            .facts
            .iter()
            .find(|f| f.period == Period::Current && !f.amount.is_zero() && f.item == figure.label)
        else {
            continue;
        };
        let (factor, en) = if figure.amount == fact.amount * wan {
            ("万", "10,000 times")
        } else if figure.amount * wan == fact.amount {
            ("万分之一", "a 10,000th of")
        } else {
            continue;
        };
        findings.push(Finding {
            rule: RULE.id,
            severity: Severity::Warning,
            message: format!(
                "正文“{}”写作 {}（{} 元），为表中 {} 元的{}倍：单位元误写为万元？",
                figure.label, figure.as_printed, figure.amount, fact.amount, factor
            ),
            message_en: format!(
                "prose gives {} as '{}' ({} yuan), {en} the table's {} yuan: unit mix-up (元 written as 万元)?",
                figure.label, figure.as_printed, figure.amount, fact.amount
            ),
            expected: Some(fact.amount),
            actual: Some(figure.amount),
            lines: vec![figure.src_line, fact.src_line],
        });
    }
    findings
}
