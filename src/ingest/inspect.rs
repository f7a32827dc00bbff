//! `yusuan inspect`: what the parser saw in one document, for the user whose new template
//! went wrong. The metadata and where each field came from; the coverage (status and its
//! reasons); each table region with its lines, title, recognised statement and unit;
//! and, for one table, its grid as read (header and data rows, cell by cell) and the
//! fate of every number on every line: the fact it became (codes, measure, item), the
//! reason it was skipped, or UNREAD.

use std::fmt::Write as _;
use std::path::Path;

use crate::document::grid::TableGrid;
use crate::model::{MetaOverrides, ParsedDocument};
use crate::statements::coverage::{Fate, TableNumbers, statement_name};
use crate::statements::{Reading, UNRECOGNISED};

use super::IngestError;

/// Reads `path` and renders what the parser saw; `table` picks one table by its number
/// in the list (1-based), its statement id or a part of its title.
pub fn inspect(
    path: &Path,
    table: Option<&str>,
    overrides: &MetaOverrides,
) -> Result<String, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = crate::document::decode(path, &bytes).map_err(IngestError::Parse)?;
    let reading = crate::statements::read(path, &text, overrides).map_err(IngestError::Parse)?;
    let findings = crate::checks::run(&reading.doc);
    let mut out = String::new();
    overview(&mut out, path, &reading.doc, findings.len());
    match table {
        None => {
            tables_list(&mut out, &reading);
            unread_list(&mut out, &reading.doc);
        }
        Some(pick) => {
            let Some(i) = pick_table(&reading, pick) else {
                let _ = writeln!(out, "\nno table matches '{pick}'; the tables are:");
                tables_list(&mut out, &reading);
                return Ok(out);
            };
            table_detail(&mut out, &reading, i, &text);
        }
    }
    Ok(out)
}

fn overview(out: &mut String, path: &Path, doc: &ParsedDocument, findings: usize) {
    let m = &doc.meta;
    let s = &m.sources;
    let c = &doc.coverage;
    let field = |out: &mut String, name: &str, value: &str, source: crate::model::MetaSource| {
        let _ = writeln!(
            out,
            "  {name:<12} {}  from {}",
            pad(value, 30),
            source.as_str()
        );
    };
    let _ = writeln!(out, "{}", path.display());
    let _ = writeln!(out, "  title        {}", m.title);
    field(
        out,
        "fiscal_year",
        &m.fiscal_year.to_string(),
        s.fiscal_year,
    );
    field(out, "phase", m.phase.as_str(), s.phase);
    field(out, "org_name", &m.org_name, s.org_name);
    field(out, "region", &m.region, s.region);
    if let Some(p) = &m.place {
        let names: Vec<&str> = [
            Some(p.province.as_str()),
            p.city.as_deref(),
            p.county.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = writeln!(
            out,
            "  place        {} ({})",
            names.join(" / "),
            p.admin_code
        );
    }
    if let Some(code) = &m.org_code {
        let _ = writeln!(out, "  org_code     {code}");
    }
    if !m.units.is_empty() {
        let _ = writeln!(out, "  units        {}", m.units.join("；"));
    }
    let _ = writeln!(
        out,
        "status {} ({}): {} facts, {} narrative figures, {} targets, {} findings",
        c.status.as_str(),
        c.content,
        doc.facts.len(),
        doc.narrative.len(),
        doc.targets.len(),
        findings
    );
    for r in &c.reasons {
        let _ = writeln!(out, "  - {r}");
    }
    if c.content == "tables" {
        let skipped: Vec<String> = c.skipped.iter().map(|(w, n)| format!("{w} {n}")).collect();
        let _ = writeln!(
            out,
            "numbers in tables {}: {} stored, {} skipped{}, {} unread",
            c.numbers,
            c.stored,
            c.skipped_total(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({})", skipped.join(", "))
            },
            c.unread.len()
        );
        let found = c.expected.len() - c.missing.len();
        let _ = writeln!(
            out,
            "standard tables {found}/{} found{}",
            c.expected.len(),
            if c.missing.is_empty() {
                String::new()
            } else {
                format!("; missing: {}", c.missing.join(", "))
            }
        );
    }
}

/// `value` padded to `width` display columns (a CJK character takes two).
fn pad(value: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(value);
    format!("{value}{}", " ".repeat(width.saturating_sub(w)))
}

fn tables_list(out: &mut String, reading: &Reading) {
    let _ = writeln!(out, "\ntables (yusuan inspect FILE --table N shows one):");
    for (i, t) in reading.doc.tables.iter().enumerate() {
        let name = if t.statement == UNRECOGNISED {
            "unrecognised".to_string()
        } else {
            t.statement.clone()
        };
        let _ = writeln!(
            out,
            "  {:>2}. {:<20} L{}-{}  {} [{}]  {} facts; numbers {}: {} stored, {} skipped, {} unread",
            i + 1,
            name,
            t.start_line,
            t.end_line,
            t.title,
            t.unit.as_str(),
            t.facts,
            t.numbers,
            t.stored,
            t.skipped,
            t.unread
        );
    }
}

/// Unread numbers shown in the overview.
const UNREAD_SHOWN: usize = 30;

fn unread_list(out: &mut String, doc: &ParsedDocument) {
    let unread = &doc.coverage.unread;
    if unread.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nunread numbers:");
    for u in unread.iter().take(UNREAD_SHOWN) {
        let _ = writeln!(out, "  L{:<6} {}", u.src_line, u.text);
    }
    if unread.len() > UNREAD_SHOWN {
        let _ = writeln!(out, "  … and {} more", unread.len() - UNREAD_SHOWN);
    }
}

fn pick_table(reading: &Reading, pick: &str) -> Option<usize> {
    let tables = &reading.doc.tables;
    if let Ok(n) = pick.parse::<usize>() {
        return (1..=tables.len()).contains(&n).then(|| n - 1);
    }
    tables
        .iter()
        .position(|t| t.statement == pick)
        .or_else(|| tables.iter().position(|t| t.title.contains(pick)))
}

fn table_detail(out: &mut String, reading: &Reading, i: usize, text: &str) {
    let info = &reading.doc.tables[i];
    let grid: &TableGrid = &reading.grids[i];
    let numbers: &TableNumbers = &reading.numbers[i];
    let _ = writeln!(
        out,
        "\ntable {}: {} — recognised as {} ({}), unit {}{}, lines {}-{}",
        i + 1,
        info.title,
        info.statement,
        statement_name(&info.statement),
        info.unit.as_str(),
        if grid.unit_printed {
            " (printed)"
        } else {
            " (not printed: the default)"
        },
        info.start_line,
        info.end_line
    );
    let _ = writeln!(
        out,
        "{} facts; numbers {}: {} stored, {} skipped, {} unread",
        info.facts, info.numbers, info.stored, info.skipped, info.unread
    );
    let _ = writeln!(out, "\ngrid as read (cells separated by │):");
    for (k, piece) in grid.pieces.iter().enumerate() {
        let _ = writeln!(out, " piece {}:", k + 1);
        for r in &piece.header {
            let _ = writeln!(out, "  L{:<6} header │ {}", r.line, r.cells.join(" │ "));
        }
        for r in &piece.data {
            let _ = writeln!(out, "  L{:<6} data   │ {}", r.line, r.cells.join(" │ "));
        }
    }
    let _ = writeln!(out, "\nnumbers line by line:");
    let source: Vec<&str> = text.lines().collect();
    let mut last_line = 0;
    for n in &numbers.numbers {
        if n.line != last_line {
            let printed = source
                .get(n.line as usize - 1)
                .map(|l| l.replace('\u{c}', "").replace('\t', " │ "))
                .unwrap_or_default();
            let _ = writeln!(out, "  L{:<6} {}", n.line, printed.trim_end());
            last_line = n.line;
        }
        let fate = match &n.fate {
            Fate::Stored(k) => {
                let f = &reading.doc.facts[*k];
                let mut parts = vec![
                    "fact".to_string(),
                    f.statement.clone(),
                    f.direction.as_str().to_string(),
                ];
                parts.push(if f.measure_label.is_empty() {
                    f.measure.clone()
                } else {
                    format!("{} ({})", f.measure, f.measure_label)
                });
                if f.period != crate::model::Period::Current {
                    parts.push(f.period.as_str().to_string());
                }
                if let Some(c) = &f.func_code {
                    parts.push(format!("func {c}"));
                }
                if let Some(c) = &f.econ_code {
                    parts.push(format!("econ {c}"));
                }
                if let Some(fund) = &f.fund {
                    parts.push(format!("fund {fund}"));
                }
                if f.is_total {
                    parts.push("total-row".to_string());
                }
                parts.push(format!("“{}”", f.item));
                parts.join(" ")
            }
            Fate::Skipped(why) => format!("skipped: {why}"),
            Fate::Unread => "UNREAD".to_string(),
        };
        let _ = writeln!(out, "           {:>16} → {fate}", n.text);
    }
}
