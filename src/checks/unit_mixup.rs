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
        let (factor, guess, en) = if figure.amount == fact.amount * wan {
            ("万", "单位元误写为万元？", "10,000 times")
        } else if figure.amount * wan == fact.amount {
            ("万分之一", "单位万元误写为元？", "a 10,000th of")
        } else {
            continue;
        };
        findings.push(Finding {
            rule: RULE.id,
            severity: Severity::Warning,
            message: format!(
                "正文“{}”写作 {}（{} 元），为表中 {} 元的{}倍：{guess}",
                figure.label, figure.as_printed, figure.amount, fact.amount, factor
            ),
            message_en: format!(
                "prose gives {} as '{}' ({} yuan), {en} the table's {} yuan: 元 and 万元 mixed up?",
                figure.label, figure.as_printed, figure.amount, fact.amount
            ),
            expected: Some(fact.amount),
            actual: Some(figure.amount),
            lines: vec![figure.src_line, fact.src_line],
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;
    use crate::model::{NarrativeFigure, Unit, statement};

    fn with_prose(printed_wan: &str) -> ParsedDocument {
        let mut d = doc(vec![
            fact(statement::THREE_PUBLIC, "amount", "9700.00", 128)
                .item("公务接待费")
                .wan(),
        ]);
        d.narrative.push(NarrativeFigure {
            label: "公务接待费".into(),
            amount: dec(printed_wan) * Decimal::from(10_000),
            as_printed: format!("{printed_wan} 万元"),
            unit: Unit::Wan,
            context: String::new(),
            src_line: 113,
        });
        d
    }

    #[test]
    fn yuan_written_as_wan_is_reported() {
        let findings = check(&with_prose("9700"));
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Warning)]);
        assert_eq!(findings[0].lines, vec![113, 128]);
    }

    #[test]
    fn the_right_unit_passes() {
        assert!(check(&with_prose("0.97")).is_empty());
    }
}
