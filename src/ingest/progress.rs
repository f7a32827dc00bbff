//! What `yusuan ingest` shows: a progress bar on a terminal (documents, tables, facts,
//! findings, ETA), nothing while running otherwise, and a summary at the end that lists
//! every document that failed and why.

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
    tables: usize,
    facts: usize,
    findings: usize,
}

/// A result list longer than this is summarised by counts only.
const LIST_LIMIT: usize = 20;

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
                self.replaced += usize::from(summary.replaced);
                self.tables += loaded.doc.tables.len();
                self.facts += summary.facts;
                self.findings += summary.findings;
            }
            Outcome::Skipped { .. } => self.skipped += 1,
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

    /// The closing summary: counts, the documents (when few), and every failure.
    pub fn summary(&self, outcomes: &[Outcome]) -> String {
        let mut out = String::new();
        if self.on_terminal {
            out.push_str("\r\x1b[K");
        }
        if outcomes.len() <= LIST_LIMIT {
            for outcome in outcomes {
                match outcome {
                    Outcome::Stored(stored) => {
                        let (loaded, summary) = stored.as_ref();
                        let meta = &loaded.doc.meta;
                        let verb = if summary.replaced { "replaced" } else { "ingested" };
                        out.push_str(&format!(
                            "{verb} {} ({} {} {}, {} tables): {} facts, {} narrative figures, {} targets, {} findings\n",
                            loaded.path.display(),
                            meta.org_name,
                            meta.fiscal_year,
                            meta.phase.as_str(),
                            loaded.doc.tables.len(),
                            summary.facts,
                            summary.narrative,
                            summary.targets,
                            summary.findings,
                        ));
                        for old in &summary.superseded {
                            out.push_str(&format!(
                                "  supersedes document {old} (an earlier version of the same organisation's {} {})\n",
                                meta.fiscal_year,
                                meta.phase.as_str()
                            ));
                        }
                    }
                    Outcome::Skipped { path, doc_id } => out.push_str(&format!(
                        "skipped {} (already in the lake as {doc_id}; --force to ingest it again)\n",
                        path.display()
                    )),
                    Outcome::Failed(_) => {}
                }
            }
        }
        let secs = self.started.elapsed().as_secs_f64();
        out.push_str(&format!(
            "{} stored ({} replaced), {} skipped, {} failed: {} tables, {} facts, {} findings in {secs:.1}s\n",
            self.stored, self.replaced, self.skipped, self.failed, self.tables, self.facts, self.findings
        ));
        for outcome in outcomes {
            if let Outcome::Failed(e) = outcome {
                out.push_str(&format!("error: {e}\n"));
            }
        }
        out
    }
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
