//! Rule `amount_out_of_range`: a number printed in a table with more digits than any
//! amount the lake stores exactly (more than 15 before the point, or more than 8 after), or
//! in scientific notation (`1e308`).
//! It cannot be stored, so it is reported, never passed over as text: the document's
//! coverage also counts it unread, which makes the document partial.

use super::{Finding, Rule, Severity};
use crate::document::number::oversized_amount;
use crate::model::ParsedDocument;

pub const RULE: Rule = Rule {
    id: "amount_out_of_range",
    description: "a printed amount has too many digits to be stored exactly",
    check,
};

fn check(doc: &ParsedDocument) -> Vec<Finding> {
    doc.coverage
        .unread
        .iter()
        .filter(|n| oversized_amount(&n.text))
        .map(|n| Finding {
            rule: RULE.id,
            severity: Severity::Error,
            message: format!(
                "第 {} 行的数字 {} 无法作为金额精确存储（整数部分至多 15 位、小数至多 8 位，不用科学计数法），未入库",
                n.src_line, n.text
            ),
            message_en: format!(
                "line {}: {} cannot be stored as an exact amount (at most 15 digits before the \
                 point and 8 after, no scientific notation): not stored",
                n.src_line, n.text
            ),
            expected: None,
            actual: None,
            lines: vec![n.src_line],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::doc as document;
    use crate::model::UnreadNumber;

    #[test]
    fn an_oversized_number_is_an_error_on_its_line() {
        let mut doc = document(Vec::new());
        doc.coverage.unread = vec![
            UnreadNumber {
                src_line: 188,
                text: "123456789012345678901234567890.00".into(),
            },
            UnreadNumber {
                src_line: 190,
                text: "1,234.50".into(),
            },
        ];
        let f = check(&doc);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].lines, vec![188]);
        assert_eq!(f[0].severity, Severity::Error);
    }
}
