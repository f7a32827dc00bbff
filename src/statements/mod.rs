//! Recognising each published table and turning its grid into facts.
//!
//! `parse` runs the pipeline over a decoded document: lines -> tables and prose
//! (`document::grid`) -> metadata (`meta`) -> which statement each table is (`registry`:
//! title aliases, then header shapes) -> facts by table family (`summary`, `coded` with
//! `codes` and `matrix`, `three_public`, `performance`) -> money figures of the prose
//! (`document::prose`). A document that ends inside a table that never closed is an
//! error, not fewer facts (`closure`).

pub mod closure;
pub mod coded;
pub mod codes;
pub mod matrix;
pub mod meta;
pub mod performance;
pub mod performance_form;
pub mod registry;
pub mod summary;
pub mod three_public;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

use rust_decimal::Decimal;

use crate::catalog::Classification;
use crate::document::grid::{self, TableGrid};
use crate::document::{header, prose, text};
use crate::model::{
    Direction, Fact, ParseError, ParsedDocument, Period, Repair, TableInfo, Target, statement,
};

/// Statement id of a table no alias or header shape names.
pub const UNRECOGNISED: &str = "unrecognised";

/// State shared by the table handlers of one document.
pub struct Ctx<'a> {
    pub path: &'a Path,
    pub year: i32,
    /// 预算 or 决算: decides what a 预算数 column means.
    pub phase: crate::model::Phase,
    pub org_name: String,
    /// Full function codes the document prints, with their names.
    pub doc_codes: codes::DocCodes,
    pub facts: Vec<Fact>,
    pub targets: Vec<Target>,
    pub repairs: Vec<Repair>,
    /// Unit names printed with a code.
    pub units: Vec<String>,
    /// Unit codes as printed, in order of appearance.
    pub org_codes: Vec<String>,
}

/// A fact of a table's row with the defaults: expenditure, measure `amount`, current
/// period, the table's unit; the amount converted to 元.
pub fn new_fact(ctx: &Ctx<'_>, table: &TableGrid, id: &str, line: u32, printed: Decimal) -> Fact {
    let _ = ctx.path;
    Fact {
        statement: id.to_string(),
        direction: Direction::Expenditure,
        func_code: None,
        econ_code: None,
        fund: None,
        measure: "amount".to_string(),
        measure_label: String::new(),
        period: Period::Current,
        item: String::new(),
        is_total: false,
        amount: table.unit.to_yuan(printed),
        unit: table.unit,
        org_code: None,
        src_line: line,
    }
}

/// Which statement a table is.
pub fn recognise(table: &TableGrid) -> &'static str {
    if let Some(id) = registry::statement_for_title(&table.title) {
        return id;
    }
    let labels: Vec<String> = table
        .pieces
        .iter()
        .flat_map(|p| p.header.iter())
        .flat_map(|r| r.cells.iter().cloned())
        .collect();
    registry::statement_for_header(&labels).unwrap_or(UNRECOGNISED)
}

fn title_of(table: &TableGrid, id: &str) -> String {
    if table.title.is_empty() {
        format!("(untitled {id} table)")
    } else {
        table.title.clone()
    }
}

/// Parses a decoded document.
pub fn parse(path: &Path, text: &str) -> Result<ParsedDocument, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::new(path, None, "empty document"));
    }
    let lines = text::lines(text);
    let layout_text = crate::document::layout::is_layout_text(&lines);
    let layout = if layout_text {
        crate::document::layout::layout(&lines)
    } else {
        grid::layout(&lines)
    };
    let ids: Vec<&'static str> = layout.tables.iter().map(recognise).collect();
    if !ids.iter().any(|id| *id != UNRECOGNISED) {
        return Err(ParseError::new(path, None, "no budget tables found"));
    }
    closure::check_structure(path, text, &layout.tables, &ids)?;
    let mut meta = meta::read(path, &lines, &layout)?;

    let mut ctx = Ctx {
        path,
        year: meta.fiscal_year,
        phase: meta.phase,
        org_name: meta.org_name.clone(),
        doc_codes: collect_codes(&layout.tables, &ids),
        facts: Vec::new(),
        targets: Vec::new(),
        repairs: Vec::new(),
        units: Vec::new(),
        org_codes: Vec::new(),
    };
    let mut tables = Vec::new();
    for (table, id) in layout.tables.iter().zip(ids.iter().copied()) {
        let before = ctx.facts.len();
        match id {
            statement::SUMMARY | statement::GRANT_SUMMARY => summary::handle(&mut ctx, table, id),
            statement::THREE_PUBLIC => three_public::handle(&mut ctx, table, id),
            statement::PERFORMANCE if !table.source.is_empty() => {
                performance_form::handle(&mut ctx, table, id)
            }
            statement::PERFORMANCE => performance::handle(&mut ctx, table, id),
            UNRECOGNISED => {}
            _ => coded::handle(&mut ctx, table, id),
        }
        tables.push(TableInfo {
            statement: id.to_string(),
            title: title_of(table, id),
            start_line: table.start_line,
            end_line: table.end_line,
            facts: ctx.facts.len() - before,
        });
        if table.at_eof {
            closure::check_sums(path, table, id, &ctx.facts[before..])?;
        }
    }

    if ctx.facts.is_empty() {
        let n = tables
            .iter()
            .filter(|t| t.statement != UNRECOGNISED)
            .count();
        return Err(ParseError::new(
            path,
            None,
            format!(
                "{n} budget tables recognised but not one amount printed in them: a blank template?"
            ),
        ));
    }
    meta.org_code = most_common(&ctx.org_codes);
    for u in &ctx.units {
        if !meta.units.contains(u) {
            meta.units.push(u.clone());
        }
    }
    let narrative = prose::figures(&layout.prose);
    Ok(ParsedDocument {
        meta,
        tables,
        facts: ctx.facts,
        narrative,
        targets: ctx.targets,
        repairs: ctx.repairs,
    })
}

/// The unit code printed most often (the first one on a tie), preferring the longest
/// codes (a unit's 6-digit code over its department's 3-digit one).
fn most_common(codes: &[String]) -> Option<String> {
    let longest = codes.iter().map(String::len).max()?;
    let mut best: Option<(&String, usize)> = None;
    for c in codes.iter().filter(|c| c.len() == longest) {
        let n = codes.iter().filter(|x| *x == c).count();
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((c, n));
        }
    }
    best.map(|(c, _)| c.clone())
}

/// Full function codes printed with their names in the coded tables.
fn collect_codes(tables: &[TableGrid], ids: &[&str]) -> codes::DocCodes {
    let mut out = codes::DocCodes::default();
    for (t, id) in tables.iter().zip(ids) {
        if !matches!(
            *id,
            statement::EXPENDITURE_BY_FUNC
                | statement::INCOME_BY_FUNC
                | statement::GPB_BY_FUNC
                | statement::GPB_PROJECTS
                | statement::GOV_FUND_BY_FUNC
                | statement::SOE_CAPITAL_BY_FUNC
        ) {
            continue;
        }
        for row in t.data_rows() {
            let p = codes::parts(row);
            let lc = codes::lead_codes(&p.lead, Classification::Function);
            let Some(c) = lc.code.filter(|c| c.len() >= 3) else {
                continue;
            };
            if !p.name.is_empty() && *id != statement::GPB_PROJECTS {
                out.add(&c, &p.name);
            } else {
                // Project rows name projects, not functions: keep the code only.
                out.add(&c, "");
            }
        }
    }
    // Keep header helpers linked for callers of this module.
    let _ = header::is_structural;
    out
}
