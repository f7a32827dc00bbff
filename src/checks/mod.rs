//! Reconciliation rules over a parsed document, and the findings they produce.
//!
//! Each rule is a small unit in its own file with an id, a severity and a one-line
//! description. Rules report; they never change a figure.

mod rollup;
mod unit_mixup;
mod repairs;

use std::fmt;

use rust_decimal::Decimal;

use crate::model::ParsedDocument;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One inconsistency, located.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// In Chinese.
    pub message: String,
    pub message_en: String,
    pub expected: Option<Decimal>,
    pub actual: Option<Decimal>,
    /// Source lines involved, the main one first.
    pub lines: Vec<u32>,
}

/// A rule: an id, what it checks, and the check itself.
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    pub check: fn(&ParsedDocument) -> Vec<Finding>,
}

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[rollup::RULE, unit_mixup::RULE, repairs::RULE];

/// Runs every rule over a document.
pub fn run(doc: &ParsedDocument) -> Vec<Finding> {
    RULES.iter().flat_map(|rule| (rule.check)(doc)).collect()
}
