//! Rule `code_repaired`: every code the parser rebuilt or repaired is reported, so that no
//! change to what was printed is silent.

use super::{Finding, Rule, Severity};
use crate::model::ParsedDocument;

pub const RULE: Rule = Rule {
    id: "code_repaired",
    description: "a classification code was rebuilt from its parents or repaired",
    check,
};

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    doc.repairs
        .iter()
        .map(|r| Finding {
            rule: RULE.id,
            severity: Severity::Info,
            message: format!("科目编码 “{}” 补全为 {}：{}", r.printed, r.repaired, r.reason),
            message_en: format!("code '{}' rebuilt as {}: {}", r.printed, r.repaired, r.reason),
            expected: None,
            actual: None,
            lines: vec![r.src_line],
        })
        .collect()
}
