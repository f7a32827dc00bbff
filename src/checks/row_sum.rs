//! Rule `row_sum_mismatch`: on each printed row, the 合计 column equals the sum of its
//! component columns — 基本支出 + 项目支出 (+ 上缴上级 + 对附属单位补助 + 单位预留机动经费) in the expenditure
//! table, 人员经费 + 公用经费 in the basic-expenditure table, and the columns by source of
//! funds (一般公共预算, 政府性基金, …) in the income and 财政拨款 tables.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Finding, Rule, Severity, grade};
use crate::model::{Fact, ParsedDocument, statement};

pub const RULE: Rule = Rule {
    id: "row_sum_mismatch",
    description: "a row's 合计 differs from the sum of its component columns",
    check,
};

/// Whether `fact` is a component of its row's `total` in this statement.
fn is_component(fact: &Fact) -> bool {
    match fact.statement.as_str() {
        statement::EXPENDITURE_BY_FUNC => matches!(
            fact.measure.as_str(),
            "basic" | "project" | "remit_upper" | "subsidiary" | "operating" | "reserve"
        ),
        statement::GPB_BASIC_BY_ECON => matches!(fact.measure.as_str(), "personnel" | "public_use"),
        statement::GRANT_SUMMARY | statement::INCOME_BY_FUNC => {
            !matches!(fact.measure.as_str(), "total" | "of_which") && fact.fund.is_some()
        }
        _ => false,
    }
}

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    type RowKey<'a> = (&'a str, u32, &'static str, &'static str, Option<&'a str>);
    let mut rows: BTreeMap<RowKey, (Option<&Fact>, Vec<&Fact>)> = BTreeMap::new();
    for fact in &doc.facts {
        let key = (
            fact.statement.as_str(),
            fact.src_line,
            fact.period.as_str(),
            fact.direction.as_str(),
            fact.econ_code.as_deref(),
        );
        if fact.measure == "total" && fact.fund.is_none() {
            rows.entry(key).or_default().0 = Some(fact);
        } else if is_component(fact) {
            rows.entry(key).or_default().1.push(fact);
        }
    }
    let mut findings = Vec::new();
    for (total, parts) in rows.values() {
        let (Some(total), false) = (total, parts.is_empty()) else {
            continue;
        };
        let sum: Decimal = parts.iter().map(|f| f.amount).sum();
        let Some(severity) = grade(sum - total.amount, total.unit, parts.len(), Severity::Error)
        else {
            continue;
        };
        let labels: Vec<&str> = parts.iter().map(|f| f.measure_label.as_str()).collect();
        let row = if total.item.is_empty() {
            total.func_code.as_deref().unwrap_or("")
        } else {
            &total.item
        };
        findings.push(Finding {
            rule: RULE.id,
            severity,
            message: format!(
                "“{row}”行（{}）：{} {} ≠ {} 之和 {}",
                total.statement,
                total.measure_label,
                total.amount,
                labels.join(" + "),
                sum
            ),
            message_en: format!(
                "row '{row}' ({}): {} {} but {} add up to {}",
                total.statement,
                total.measure_label,
                total.amount,
                labels.join(" + "),
                sum
            ),
            expected: Some(sum),
            actual: Some(total.amount),
            lines: vec![total.src_line],
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    #[test]
    fn total_is_basic_plus_project() {
        let s = statement::EXPENDITURE_BY_FUNC;
        let ok = vec![
            fact(s, "total", "150.00", 5).func("2080109"),
            fact(s, "basic", "100.00", 5).func("2080109"),
            fact(s, "project", "50.00", 5).func("2080109"),
        ];
        assert!(check(&doc(ok.clone())).is_empty());
        let mut bad = ok;
        bad[2].amount = dec("60.00");
        let findings = check(&doc(bad));
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Error)]);
        assert_eq!(findings[0].lines, vec![5]);
    }

    #[test]
    fn a_reserve_column_is_a_part_of_the_total() {
        // 江苏省政协办公厅 2023 支出预算总表 (line 107, 万元): 合计 9,146.79 = 基本支出
        // 5,916.27 + 项目支出 3,123.68 + 单位预留机动经费 106.84.
        let s = statement::EXPENDITURE_BY_FUNC;
        let row = vec![
            fact(s, "total", "91467900.00", 107),
            fact(s, "basic", "59162700.00", 107),
            fact(s, "project", "31236800.00", 107),
            fact(s, "reserve", "1068400.00", 107),
        ];
        assert!(check(&doc(row.clone())).is_empty());
        let without_reserve = row[..3].to_vec();
        assert_eq!(
            fired(&check(&doc(without_reserve))),
            vec![(RULE.id, Severity::Error)]
        );
    }

    #[test]
    fn personnel_plus_public_use() {
        let s = statement::GPB_BASIC_BY_ECON;
        let facts = vec![
            fact(s, "total", "10.00", 7).econ("30101"),
            fact(s, "personnel", "9.00", 7).econ("30101"),
            fact(s, "public_use", "0.00", 7).econ("30101"),
        ];
        assert_eq!(fired(&check(&doc(facts))), vec![(RULE.id, Severity::Error)]);
    }

    #[test]
    fn an_of_which_column_is_not_a_part() {
        // 西安市商务局 2022 收入总表 (line 629, 元): 合计 581,242,867.20 = 公共预算拨款 小计
        // 573,980,610.20 + 事业收入 7,262,257.00; 其中：专项资金列入部门预算的项目
        // 350,000,000.00 is inside the 小计.
        let s = statement::INCOME_BY_FUNC;
        let row = vec![
            fact(s, "total", "581242867.20", 629),
            fact(s, "amount", "573980610.20", 629).fund("general_budget"),
            fact(s, "of_which", "350000000.00", 629).fund("general_budget"),
            fact(s, "amount", "7262257.00", 629).fund("business"),
        ];
        assert!(check(&doc(row)).is_empty());
    }

    #[test]
    fn grant_columns_by_fund() {
        let s = statement::GRANT_SUMMARY;
        let facts = vec![
            fact(s, "total", "10.00", 9).item("社会保障和就业支出"),
            fact(s, "amount", "10.00", 9).fund("general_budget"),
        ];
        assert!(check(&doc(facts)).is_empty());
    }
}
