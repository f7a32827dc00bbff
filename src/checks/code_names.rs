//! Rule `code_name_mismatch`: a code printed with a name agrees with the catalog of the
//! document's year. A name that is the catalog name cut short (a line wrap, a narrow
//! column: 社会保障和就业支) is `info`; a different name is a `warning` where the catalog
//! name was seen printed with its code in real documents (`observed`) and `info` where the
//! catalog entry is less sure (`template`, `corroborated`, `unverified`). A trailing 支出
//! ("其他对个人和家庭的补助支出") is not a difference. Codes the catalog does not have are not
//! judged. One finding per code and printed name, listing every line that prints it.

use std::collections::BTreeMap;

use super::{Finding, Rule, Severity, normalise_label};
use crate::catalog::{Catalog, Classification};
use crate::model::{ParsedDocument, statement};

pub const RULE: Rule = Rule {
    id: "code_name_mismatch",
    description: "a code's printed name differs from the catalog name of that year",
    check,
};

/// Tables whose row labels are the names of the row's codes.
const NAMED_BY_CODE: &[&str] = &[
    statement::SUMMARY,
    statement::EXPENDITURE_BY_FUNC,
    statement::INCOME_BY_FUNC,
    statement::GRANT_SUMMARY,
    statement::GPB_BY_FUNC,
    statement::GPB_BASIC_BY_ECON,
    statement::GOV_FUND_BY_FUNC,
    statement::SOE_CAPITAL_BY_FUNC,
];

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let year = doc.meta.fiscal_year;
    // (code, printed name) -> finding, so a name repeated on several lines is one finding.
    let mut by_name: BTreeMap<(String, String), Finding> = BTreeMap::new();
    for fact in doc
        .facts
        .iter()
        .filter(|f| NAMED_BY_CODE.contains(&f.statement.as_str()) && !f.item.is_empty())
    {
        // In the matrix table the economic code names the column, not the row.
        let (class, code) = match (&fact.func_code, &fact.econ_code) {
            (Some(code), _) => (Classification::Function, code),
            (None, Some(code)) if fact.statement == statement::GPB_BASIC_BY_ECON => {
                (Classification::Economic, code)
            }
            _ => continue,
        };
        if let Some(found) = by_name.get_mut(&(code.clone(), fact.item.clone())) {
            if !found.lines.contains(&fact.src_line) {
                found.lines.push(fact.src_line);
            }
            continue;
        }
        let catalog = Catalog::shipped(class);
        let Some(name) = catalog.name(code, Some(year)) else {
            continue;
        };
        let printed = normalise_label(&fact.item);
        let expected = normalise_label(name);
        if printed.trim_end_matches("支出") == expected.trim_end_matches("支出") {
            continue;
        }
        let confirmed = catalog
            .entries(code)
            .iter()
            .any(|e| e.name == name && e.confidence == "observed");
        // A name cut by the column or wrapped onto a line the parser could not join keeps
        // its beginning or its end.
        let (severity, zh, en) = if expected.starts_with(&printed) || expected.ends_with(&printed) {
            (Severity::Info, "名称被截断", "name cut short")
        } else if confirmed {
            (
                Severity::Warning,
                "名称与科目表不符",
                "name differs from the catalog",
            )
        } else {
            (
                Severity::Info,
                "名称与参考科目表不符（该参考名称尚未经实际文件印证）",
                "name differs from a reference catalog name not yet seen in a real document",
            )
        };
        let key = (code.clone(), fact.item.clone());
        by_name.insert(
            key,
            Finding {
                rule: RULE.id,
                severity,
                message: format!("{code}“{}”{zh}：{year} 年科目名称为“{name}”", fact.item),
                message_en: format!(
                    "{code} '{}': {en}; the {year} catalog says '{name}'",
                    fact.item
                ),
                expected: None,
                actual: None,
                lines: vec![fact.src_line],
            },
        );
    }
    by_name.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;

    #[test]
    fn exact_cut_and_wrong_names() {
        let e = statement::EXPENDITURE_BY_FUNC;
        let d = doc(vec![
            fact(e, "total", "1.00", 1)
                .func("2080109")
                .item("社会保险经办机构"),
            fact(e, "basic", "1.00", 1)
                .func("2080109")
                .item("社会保险经办机构"),
            fact(e, "total", "1.00", 2)
                .func("208")
                .item("社会保障和就业支")
                .total(),
            fact(e, "total", "1.00", 3).func("2080505").item("死亡抚恤"),
        ]);
        let mut findings = check(&d);
        findings.sort_by_key(|f| f.lines[0]);
        assert_eq!(
            fired(&findings),
            vec![(RULE.id, Severity::Info), (RULE.id, Severity::Warning)]
        );
        assert_eq!(findings[0].lines, vec![2]);
        assert_eq!(findings[1].lines, vec![3]);
    }

    #[test]
    fn a_name_on_several_lines_is_one_finding_and_a_trailing_zhichu_is_no_difference() {
        let e = statement::GPB_BY_FUNC;
        let d = doc(vec![
            fact(e, "amount", "1.00", 236)
                .func("208")
                .item("社会保障和就业支")
                .total(),
            fact(e, "amount", "1.00", 254)
                .func("208")
                .item("社会保障和就业支")
                .total(),
            fact(statement::GPB_BASIC_BY_ECON, "total", "1.00", 347)
                .econ("30399")
                .item("其他对个人和家庭的补助支出"),
        ]);
        let findings = check(&d);
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Info)]);
        assert_eq!(findings[0].lines, vec![236, 254]);
    }

    #[test]
    fn names_are_judged_by_the_documents_year() {
        let e = statement::EXPENDITURE_BY_FUNC;
        let mut d = doc(vec![
            fact(e, "total", "1.00", 1)
                .func("210")
                .item("医疗卫生与计划生育支出"),
        ]);
        d.meta.fiscal_year = 2018;
        assert!(check(&d).is_empty());
        d.meta.fiscal_year = 2021;
        assert_eq!(fired(&check(&d)), vec![(RULE.id, Severity::Warning)]);
    }
}
