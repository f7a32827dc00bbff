//! Rule `prose_mismatch`: a money figure in the prose that names a table item agrees with
//! the table, to the precision the prose printed (316.29 万元 against 3,162,923.00 元 agrees;
//! 18.43 万元 against 184,249.00 元 is off by one in the last digit: `info`). Figures that are
//! exactly 10,000 times off are left to `prose_unit_mixup`.
//!
//! Only figures whose label heads their clause are compared: "，住房保障支出 18.43 万元"
//! names 住房保障支出, but in "政府性基金拨款支出预算0万元" the label 支出预算 is the tail of a
//! longer name and says nothing about the 支出总计.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{Finding, Rule, Severity, normalise_label};
use crate::model::{Fact, NarrativeFigure, ParsedDocument, Period, statement};

pub const RULE: Rule = Rule {
    id: "prose_mismatch",
    description: "a figure in the prose differs from the table figure of the same item",
    check,
};

/// Prose labels that name a differently worded table row.
const ALIASES: &[(&str, &str)] = &[
    ("收入预算总额", "收入总计"),
    ("收入总额", "收入总计"),
    ("支出预算总额", "支出总计"),
    ("支出预算", "支出总计"),
    ("支出总额", "支出总计"),
];

/// Tables whose rows are named by the items the prose talks about.
const TABLES: &[&str] = &[
    statement::SUMMARY,
    statement::GRANT_SUMMARY,
    statement::THREE_PUBLIC,
];

fn candidates<'a>(doc: &'a ParsedDocument, label: &str) -> Vec<&'a Fact> {
    let label = ALIASES
        .iter()
        .find(|(prose, _)| *prose == label)
        .map_or(label, |(_, table)| table);
    doc.facts
        .iter()
        .filter(|f| {
            if !TABLES.contains(&f.statement.as_str())
                || f.period != Period::Current
                || f.fund.is_some()
            {
                return false;
            }
            let item = normalise_label(&f.item);
            // "社会保障和就业" names the row "社会保障和就业支出".
            item == label || (item.starts_with(label) && item.len() - label.len() <= "支出".len())
        })
        .collect()
}

/// Whether `label` starts its clause in `context` and is followed by the figure, with at
/// most a few linking characters (为, 共计, 预算, 安排 …) between them.
fn heads_figure(context: &str, label: &str, as_printed: &str) -> bool {
    let compact: String = context.chars().filter(|c| !c.is_whitespace()).collect();
    let number: String = as_printed
        .chars()
        .filter(|c| !c.is_whitespace())
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    if number.is_empty() {
        return false;
    }
    compact.match_indices(label).any(|(at, _)| {
        let before = compact[..at].chars().next_back();
        let starts_clause = before.is_none_or(|c| "，,。；;：:、（(“\"》其中".contains(c));
        let after = &compact[at + label.len()..];
        let link: String = after
            .chars()
            .take_while(|c| "为是共计合总额约达预算安排".contains(*c))
            .collect();
        starts_clause && link.chars().count() <= 6 && after[link.len()..].starts_with(&number)
    })
}

/// Decimals printed in a figure such as "316.29 万元".
fn printed_decimals(as_printed: &str) -> u32 {
    let number: String = as_printed
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || c.is_whitespace())
        .collect();
    number.trim().split_once('.').map_or(0, |(_, frac)| {
        frac.chars().filter(char::is_ascii_digit).count() as u32
    })
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let wan = Decimal::from(10_000);
    let mut findings = Vec::new();
    for figure in &doc.narrative {
        let label = normalise_label(&figure.label);
        if label.is_empty() || !heads_figure(&figure.context, &figure.label, &figure.as_printed) {
            continue;
        }
        let candidates = candidates(doc, &label);
        if candidates.is_empty() {
            continue;
        }
        let factor = figure.unit.to_yuan(Decimal::ONE);
        let printed = figure.amount / factor;
        let decimals = printed_decimals(&figure.as_printed);
        let step = Decimal::new(1, decimals);
        let as_printed_table = |f: &Fact| {
            (f.amount / factor)
                .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
        };
        if candidates.iter().any(|f| as_printed_table(f) == printed) {
            continue;
        }
        // 10,000 times off: a unit mix-up, reported by its own rule.
        if candidates
            .iter()
            .any(|f| figure.amount == f.amount * wan || figure.amount * wan == f.amount)
        {
            continue;
        }
        let table = candidates[0];
        let rounded = as_printed_table(table);
        let severity = if (rounded - printed).abs() <= step {
            Severity::Info
        } else {
            Severity::Warning
        };
        findings.push(finding(figure, table, rounded, severity));
    }
    findings
}

fn finding(
    figure: &NarrativeFigure,
    table: &Fact,
    rounded: Decimal,
    severity: Severity,
) -> Finding {
    let unit = figure.unit.as_str();
    Finding {
        rule: RULE.id,
        severity,
        message: format!(
            "正文“{}”为 {}，表中“{}”为 {} 元（即 {rounded} {unit}）",
            figure.label, figure.as_printed, table.item, table.amount
        ),
        message_en: format!(
            "prose gives {} as '{}' but the table row '{}' is {} yuan ({rounded} {unit})",
            figure.label, figure.as_printed, table.item, table.amount
        ),
        expected: Some(table.amount),
        actual: Some(figure.amount),
        lines: vec![figure.src_line, table.src_line],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;
    use crate::model::Unit;

    fn with_prose(label: &str, printed: &str, amount_wan: &str) -> ParsedDocument {
        let mut d = doc(vec![
            fact(statement::SUMMARY, "total", "184249.00", 157)
                .item("二十、住房保障支出")
                .func("221"),
            fact(statement::SUMMARY, "total", "3162923.00", 171)
                .item("收入总计")
                .income()
                .total(),
        ]);
        d.narrative.push(NarrativeFigure {
            label: label.into(),
            amount: dec(amount_wan) * Decimal::from(10_000),
            as_printed: printed.into(),
            unit: Unit::Wan,
            context: format!("收入 316.29 万元，{label}{printed}。"),
            src_line: 67,
        });
        d
    }

    #[test]
    fn a_figure_that_rounds_to_the_table_passes() {
        assert!(check(&with_prose("收入预算总额", "316.29 万元", "316.29")).is_empty());
        assert!(check(&with_prose("住房保障支出", "18.42 万元", "18.42")).is_empty());
    }

    #[test]
    fn off_by_one_in_the_last_digit_is_info() {
        // 184,249 元 is 18.4249 万元, which rounds to 18.42, not 18.43.
        let findings = check(&with_prose("住房保障支出", "18.43 万元", "18.43"));
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Info)]);
        assert_eq!(findings[0].lines, vec![67, 157]);
    }

    #[test]
    fn a_label_inside_a_longer_name_is_not_compared() {
        let mut d = with_prose("住房保障支出", "20.00 万元", "20.00");
        d.narrative[0].context = "其中：公租房住房保障支出20.00 万元。".into();
        assert!(check(&d).is_empty());
        d.narrative[0].label = String::new();
        d.narrative[0].context = "20.00 万元".into();
        assert!(check(&d).is_empty());
    }

    #[test]
    fn a_different_figure_is_a_warning() {
        assert_eq!(
            fired(&check(&with_prose("住房保障", "20.00 万元", "20.00"))),
            vec![(RULE.id, Severity::Warning)]
        );
    }
}
