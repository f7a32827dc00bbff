//! Rule `balance_mismatch`: a summary table balances — 收入总计 = 支出总计 (or 收入合计 =
//! 支出合计, the same rows named otherwise); where the table prints neither, 本年收入合计 = 本年支出合计. (With 总计 rows printed, the 本年 rows
//! differ by the carry-over: 本年收入合计 + 上年结转 = 收入总计 = 本年支出合计 + 结转下年.)

use super::{Finding, Rule, Severity, grade, normalise_label};
use crate::model::{Direction, ParsedDocument, Period, statement};

pub const RULE: Rule = Rule {
    id: "balance_mismatch",
    description: "income and expenditure totals of a summary table differ",
    check,
};

/// Pairs of (income row, expenditure row) that must be equal.
/// The first pair printed is the grand one: 泉州 names its 总计 rows "收入合计 / 支出合计"
/// under 本年收入合计 and 上年结转结余.
const PAIRS: &[(&str, &str)] = &[
    ("收入总计", "支出总计"),
    ("收入合计", "支出合计"),
    ("本年收入合计", "本年支出合计"),
];

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut findings = Vec::new();
    for table in [statement::SUMMARY, statement::GRANT_SUMMARY] {
        let mut grand_checked = false;
        for (income_label, spending_label) in PAIRS {
            if grand_checked {
                break;
            }
            let find = |label: &str, direction: Direction| {
                doc.facts.iter().find(|f| {
                    f.statement == table
                        && f.period == Period::Current
                        && f.measure == "total"
                        && f.fund.is_none()
                        && f.direction == direction
                        && normalise_label(&f.item) == *label
                })
            };
            let (Some(income), Some(spending)) = (
                find(income_label, Direction::Income),
                find(spending_label, Direction::Expenditure),
            ) else {
                continue;
            };
            grand_checked = true;
            let Some(severity) = grade(
                spending.amount - income.amount,
                income.unit,
                1,
                Severity::Error,
            ) else {
                continue;
            };
            findings.push(Finding {
                rule: RULE.id,
                severity,
                message: format!(
                    "{table}：{income_label} {} ≠ {spending_label} {}",
                    income.amount, spending.amount
                ),
                message_en: format!(
                    "{table}: income total {} but expenditure total {}",
                    income.amount, spending.amount
                ),
                expected: Some(income.amount),
                actual: Some(spending.amount),
                lines: vec![spending.src_line, income.src_line],
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    /// A total row of `table`: (label, amount, line), income when the label says 收入.
    fn totals(table: &'static str, rows: &[(&str, &str, u32)]) -> Vec<crate::model::Fact> {
        rows.iter()
            .map(|&(label, amount, line)| {
                let f = fact(table, "total", amount, line).item(label).total();
                if label.contains("收入") {
                    f.income()
                } else {
                    f
                }
            })
            .collect()
    }

    fn summary(spending: &str) -> Vec<crate::model::Fact> {
        totals(
            statement::SUMMARY,
            &[("收入总计", "100.00", 30), ("支出总计", spending, 30)],
        )
    }

    #[test]
    fn the_years_totals_differ_by_the_carry_over_when_grand_totals_are_printed() {
        // 深圳市民政局 2026 财政拨款收支总表 (万元): 本年收入合计 28,097.48 + 上年结余、结转
        // 185.98 = 收入总计 28,283.46 = 本年支出合计 28,283.46 = 支出总计.
        let facts = totals(
            statement::GRANT_SUMMARY,
            &[
                ("本年收入合计", "280974800.00", 930),
                ("本年支出合计", "282834600.00", 930),
                ("收入总计", "282834600.00", 935),
                ("支出总计", "282834600.00", 935),
            ],
        );
        assert!(check(&doc(facts)).is_empty());
    }

    #[test]
    fn grand_rows_named_he_ji_are_the_grand_pair() {
        // 泉州市公安局 2026 收支总表 (万元): 本年收入合计 73,606.56 + 上年结转结余 7,600.00 =
        // 收入合计 81,206.56 = 本年支出合计 81,206.56 + 结转下年支出 0.00 = 支出合计.
        let facts = totals(
            statement::SUMMARY,
            &[
                ("本年收入合计", "736065600.00", 179),
                ("本年支出合计", "812065600.00", 179),
                ("收入合计", "812065600.00", 181),
                ("支出合计", "812065600.00", 181),
            ],
        );
        assert!(check(&doc(facts)).is_empty());
    }

    #[test]
    fn balanced_summary_passes_and_unbalanced_fails() {
        assert!(check(&doc(summary("100.00"))).is_empty());
        assert_eq!(
            fired(&check(&doc(summary("90.00")))),
            vec![(RULE.id, Severity::Error)]
        );
    }
}
