//! How `yusuan check` shows findings: grouped by document and severity with the quoted
//! source lines, or as JSON for machines; which severity fails the run; and the
//! one-line-per-document coverage summary of `yusuan check --summary`.

use crate::export::dictionary::json_string;
use std::fmt::Write as _;
use std::str::FromStr;

use super::{Finding, Severity};

/// The least severity that makes `yusuan check` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    Warning,
    #[default]
    Error,
    Never,
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warning" => Ok(FailOn::Warning),
            "error" => Ok(FailOn::Error),
            "never" => Ok(FailOn::Never),
            other => Err(format!(
                "unknown --fail-on '{other}': expected warning, error or never"
            )),
        }
    }
}

impl FailOn {
    pub fn fails(self, findings: &[Finding]) -> bool {
        let threshold = match self {
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
            FailOn::Never => return false,
        };
        findings.iter().any(|f| f.severity >= threshold)
    }
}

/// The running totals of `yusuan check --summary`, and its lines:
/// `STATUS  PATH  ORG  YEAR  PHASE  tables F/E  unread N  errors K`, then a total.
#[derive(Debug, Default)]
pub struct SummaryTotals {
    complete: usize,
    partial: usize,
    refused: usize,
    unread: usize,
    errors: usize,
}

impl SummaryTotals {
    /// The line of a document that was read.
    pub fn line(
        &mut self,
        path: &str,
        doc: &crate::model::ParsedDocument,
        findings: &[Finding],
    ) -> String {
        let c = &doc.coverage;
        match c.status {
            crate::model::CoverageStatus::Complete => self.complete += 1,
            crate::model::CoverageStatus::Partial => self.partial += 1,
        }
        self.unread += c.unread.len();
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        self.errors += errors;
        let found = c.expected.len() - c.missing.len();
        let mut out = format!(
            "{:<8} {path}\t{}\t{}\t{}\ttables {found}/{}\tunread {}\terrors {errors}",
            c.status.as_str(),
            doc.meta.org_name,
            doc.meta.fiscal_year,
            doc.meta.phase.as_str(),
            c.expected.len(),
            c.unread.len(),
        );
        if let Some(first) = c.reasons.first() {
            let _ = write!(out, "\t{first}");
        }
        out.push('\n');
        out
    }

    /// The line of a document that could not be read.
    pub fn refused(&mut self, message: &str) -> String {
        self.refused += 1;
        format!("{:<8} {message}\n", "refused")
    }

    /// The closing line.
    pub fn total(&self) -> String {
        format!(
            "total: {} documents, {} complete, {} partial, {} refused; {} unread numbers, {} error findings\n",
            self.complete + self.partial + self.refused,
            self.complete,
            self.partial,
            self.refused,
            self.unread,
            self.errors
        )
    }
}

/// One checked document.
pub struct Checked<'a> {
    pub path: &'a str,
    pub doc_id: &'a str,
    /// The decoded text, for quoting lines.
    pub text: &'a str,
    pub findings: &'a [Finding],
}

/// At most this many source lines are quoted under one finding.
const QUOTED_LINES: usize = 3;

/// Findings grouped by severity (errors first), each with its quoted lines.
pub fn render_text(doc: &Checked) -> String {
    let lines: Vec<&str> = doc.text.lines().collect();
    let mut out = String::new();
    let count = |s| doc.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} — {} errors, {} warnings, {} info",
        doc.path,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = doc
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {}:", severity.as_str().to_uppercase());
        for f in group {
            let at: Vec<String> = f.lines.iter().map(u32::to_string).collect();
            let _ = writeln!(out, "  [{}] line {}: {}", f.rule, at.join(","), f.message);
            let _ = writeln!(out, "      {}", f.message_en);
            for &line in f.lines.iter().take(QUOTED_LINES) {
                if let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i as usize)) {
                    let shown: String = text.replace('\t', " │ ").chars().take(120).collect();
                    let _ = writeln!(out, "      {line:>5} | {}", shown.trim_end());
                }
            }
            if f.lines.len() > QUOTED_LINES {
                let _ = writeln!(
                    out,
                    "            … {} more lines",
                    f.lines.len() - QUOTED_LINES
                );
            }
        }
    }
    out
}

/// One JSON object per document: `{"path", "doc_id", "findings": [{rule, severity,
/// message, message_en, expected, actual, lines}]}`; amounts as strings, exact.
pub fn render_json(doc: &Checked) -> String {
    let findings: Vec<String> = doc
        .findings
        .iter()
        .map(|f| {
            // In 元 with its fen, as the lake stores amounts.
            let amount = |a: Option<rust_decimal::Decimal>| {
                a.map_or("null".to_string(), |mut d| {
                    d.rescale(2);
                    json_string(&d.to_string())
                })
            };
            let lines: Vec<String> = f.lines.iter().map(u32::to_string).collect();
            format!(
                "{{\"rule\":{},\"severity\":{},\"message\":{},\"message_en\":{},\"expected\":{},\"actual\":{},\"lines\":[{}]}}",
                json_string(f.rule),
                json_string(f.severity.as_str()),
                json_string(&f.message),
                json_string(&f.message_en),
                amount(f.expected),
                amount(f.actual),
                lines.join(",")
            )
        })
        .collect();
    format!(
        "{{\"path\":{},\"doc_id\":{},\"findings\":[{}]}}",
        json_string(doc.path),
        json_string(doc.doc_id),
        findings.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, lines: Vec<u32>) -> Finding {
        Finding {
            rule: "r",
            severity,
            message: "消息".into(),
            message_en: "a \"quoted\" message".into(),
            expected: Some(rust_decimal::Decimal::new(970000, 2)),
            actual: None,
            lines,
        }
    }

    #[test]
    fn text_quotes_lines_grouped_by_severity() {
        let findings = vec![
            finding(Severity::Info, vec![2]),
            finding(Severity::Error, vec![1]),
        ];
        let doc = Checked {
            path: "a.txt",
            doc_id: "x",
            text: "第一行\t9,700.00\n第二行\n",
            findings: &findings,
        };
        let text = render_text(&doc);
        assert!(
            text.starts_with("a.txt — 1 errors, 0 warnings, 1 info"),
            "{text}"
        );
        assert!(text.find("ERROR").unwrap() < text.find("INFO").unwrap());
        assert!(text.contains("    1 | 第一行 │ 9,700.00"), "{text}");
    }

    #[test]
    fn json_escapes_and_keeps_amounts_exact() {
        let findings = vec![finding(Severity::Warning, vec![3, 4])];
        let doc = Checked {
            path: "a.txt",
            doc_id: "x",
            text: "",
            findings: &findings,
        };
        let json = render_json(&doc);
        assert!(
            json.contains(r#""message_en":"a \"quoted\" message""#),
            "{json}"
        );
        assert!(
            json.contains(r#""expected":"9700.00","actual":null,"lines":[3,4]"#),
            "{json}"
        );
    }

    #[test]
    fn fail_on_thresholds() {
        let warn = vec![finding(Severity::Warning, vec![1])];
        assert!(FailOn::Warning.fails(&warn));
        assert!(!FailOn::Error.fails(&warn));
        assert!(!FailOn::Never.fails(&[finding(Severity::Error, vec![1])]));
    }
}
