//! What `yusuan ingest` shows: a progress bar on a terminal (documents, tables, facts,
//! findings, ETA), nothing while running otherwise, and at the end a line per document —
//! its coverage status (complete, partial with its first reasons, refused with why) —
//! and the run's counts.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use super::Outcome;

/// Running totals of a batch, and the bar drawn from them.
pub struct Progress {
    started: Instant,
    on_terminal: bool,
    stored: usize,
    replaced: usize,
    skipped: usize,
    failed: usize,
    complete: usize,
    partial: usize,
    tables: usize,
    facts: usize,
    findings: usize,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new(std::io::stderr().is_terminal())
    }
}

impl Progress {
    pub fn new(on_terminal: bool) -> Self {
        Progress {
            started: Instant::now(),
            on_terminal,
            stored: 0,
            replaced: 0,
            skipped: 0,
            failed: 0,
            complete: 0,
            partial: 0,
            tables: 0,
            facts: 0,
            findings: 0,
        }
    }

    /// Counts one finished document and redraws the bar.
    pub fn record(&mut self, outcome: &Outcome, done: usize, total: usize) {
        match outcome {
            Outcome::Stored(stored) => {
                let (loaded, summary) = stored.as_ref();
                self.stored += 1;
                match loaded.doc.coverage.status {
                    crate::model::CoverageStatus::Complete => self.complete += 1,
                    crate::model::CoverageStatus::Partial => self.partial += 1,
                }
                self.replaced += usize::from(summary.replaced);
                self.tables += loaded.doc.tables.len();
                self.facts += summary.facts;
                self.findings += summary.findings;
            }
            Outcome::Skipped { .. } | Outcome::PassedOver { .. } => self.skipped += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
        if self.on_terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K{}", self.bar(done, total));
            let _ = err.flush();
        }
    }

    /// The bar: `[#####-----] 5/10 documents · 70 tables · 1,075 facts · 12 findings · ETA 3s`.
    pub fn bar(&self, done: usize, total: usize) -> String {
        const WIDTH: usize = 20;
        let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = if done > 0 && done < total {
            let secs = elapsed / done as f64 * (total - done) as f64;
            format!(" · ETA {}s", secs.ceil() as u64)
        } else {
            String::new()
        };
        let failed = if self.failed > 0 {
            format!(" · {} failed", self.failed)
        } else {
            String::new()
        };
        format!(
            "[{}{}] {done}/{total} documents · {} tables · {} facts · {} findings{failed}{eta}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.tables,
            self.facts,
            self.findings,
        )
    }

    /// The closing summary: a line per document, then the counts.
    pub fn summary(&self, outcomes: &[Outcome]) -> String {
        let mut out = String::new();
        if self.on_terminal {
            out.push_str("\r\x1b[K");
        }
        for outcome in outcomes {
            match outcome {
                Outcome::Stored(stored) => {
                    let (loaded, summary) = stored.as_ref();
                    out.push_str(&document_line(loaded, summary));
                }
                Outcome::Skipped { path, doc_id } => out.push_str(&format!(
                    "skipped   {} (already in the lake as {doc_id}; --force to ingest it again)\n",
                    path.display()
                )),
                Outcome::Failed(e) => out.push_str(&format!("refused   {e}\n")),
                Outcome::PassedOver { path, why } => {
                    out.push_str(&format!("skipped   {} ({why})\n", path.display()))
                }
            }
        }
        let secs = self.started.elapsed().as_secs_f64();
        out.push_str(&format!(
            "{} stored ({} complete, {} partial; {} replaced), {} skipped, {} failed: {} tables, {} facts, {} findings in {secs:.1}s\n",
            self.stored,
            self.complete,
            self.partial,
            self.replaced,
            self.skipped,
            self.failed,
            self.tables,
            self.facts,
            self.findings
        ));
        // The refusals again, last, where a script reading the end of the output finds them.
        for outcome in outcomes {
            if let Outcome::Failed(e) = outcome {
                out.push_str(&format!("error: {e}\n"));
            }
        }
        out
    }
}

/// How many of a partial document's reasons its line shows.
const REASONS_SHOWN: usize = 2;

/// `complete  PATH (org year phase, N tables): F facts, …` or `partial …` with the first
/// reasons on the lines below.
fn document_line(loaded: &super::Loaded, summary: &crate::lake::CommitSummary) -> String {
    let meta = &loaded.doc.meta;
    let cov = &loaded.doc.coverage;
    let verb = if summary.replaced {
        " (replaces a version)"
    } else {
        ""
    };
    let tables = loaded
        .doc
        .tables
        .iter()
        .filter(|t| t.statement != crate::statements::UNRECOGNISED)
        .count();
    let mut out = format!(
        "{:<9} {} ({} {} {}, {} tables): {} facts, {} narrative figures, {} targets, {} findings{verb}\n",
        cov.status.as_str(),
        loaded.path.display(),
        meta.org_name,
        meta.fiscal_year,
        meta.phase.as_str(),
        tables,
        summary.facts,
        summary.narrative,
        summary.targets,
        summary.findings,
    );
    for reason in cov.reasons.iter().take(REASONS_SHOWN) {
        out.push_str(&format!("          - {reason}\n"));
    }
    if cov.reasons.len() > REASONS_SHOWN {
        out.push_str(&format!(
            "          - and {} more (yusuan inspect {})\n",
            cov.reasons.len() - REASONS_SHOWN,
            loaded.path.display()
        ));
    }
    for old in &summary.superseded {
        out.push_str(&format!(
            "          supersedes document {old} (an earlier version of the same organisation's {} {})\n",
            meta.fiscal_year,
            meta.phase.as_str()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_shows_counts_and_fill() {
        let p = Progress::new(false);
        let bar = p.bar(5, 10);
        assert!(
            bar.starts_with("[##########----------] 5/10 documents"),
            "{bar}"
        );
        assert!(p.bar(0, 0).starts_with("[####################] 0/0"));
    }
}
