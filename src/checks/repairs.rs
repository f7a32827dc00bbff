//! Rule `code_repaired`: every code the parser rebuilt or repaired is reported, so that no
//! change to what was printed is silent. The same repair on several lines (a table cut into
//! pieces repeats its rows) is one finding listing every line.

use std::collections::BTreeMap;

use super::{Finding, Rule, Severity};
use crate::model::ParsedDocument;

pub const RULE: Rule = Rule {
    id: "code_repaired",
    description: "a classification code was rebuilt from its parents or repaired",
    check,
};

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    let mut by_repair: BTreeMap<(&str, &str), Finding> = BTreeMap::new();
    for r in &doc.repairs {
        by_repair
            .entry((r.printed.as_str(), r.repaired.as_str()))
            .and_modify(|f| f.lines.push(r.src_line))
            .or_insert_with(|| Finding {
                rule: RULE.id,
                severity: Severity::Info,
                message: format!(
                    "科目编码 “{}” 补全为 {}：{}",
                    r.printed, r.repaired, r.reason
                ),
                message_en: format!(
                    "code '{}' rebuilt as {}: {}",
                    r.printed, r.repaired, r.reason
                ),
                expected: None,
                actual: None,
                lines: vec![r.src_line],
            });
    }
    by_repair.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::*;
    use crate::model::Repair;

    #[test]
    fn repeated_repairs_are_one_finding() {
        let repair = |line| Repair {
            src_line: line,
            printed: "09".into(),
            repaired: "2080109".into(),
            reason: "项 code printed alone".into(),
        };
        let mut d = doc(vec![]);
        assert!(check(&d).is_empty());
        d.repairs = vec![repair(238), repair(256), repair(304)];
        let findings = check(&d);
        assert_eq!(fired(&findings), vec![(RULE.id, Severity::Info)]);
        assert_eq!(findings[0].lines, vec![238, 256, 304]);
    }
}
