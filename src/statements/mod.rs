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
pub mod coverage;
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
use crate::document::text::compact;
use crate::document::{header, prose, text};
use crate::model::{
    Direction, Fact, MetaOverrides, MetaSource, ParseError, ParsedDocument, Period, Repair,
    TableInfo, Target, Unit, statement,
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
    parse_with(path, text, &MetaOverrides::default())
}

/// Parses a decoded document, with metadata given by the user taking precedence over
/// what the document says.
pub fn parse_with(
    path: &Path,
    text: &str,
    overrides: &MetaOverrides,
) -> Result<ParsedDocument, ParseError> {
    read(path, text, overrides).map(|r| r.doc)
}

/// A parsed document with what the parser saw on the way: the table grids, the
/// statement each was recognised as, and the fate of every number in them. What
/// `yusuan inspect` shows.
pub struct Reading {
    pub doc: ParsedDocument,
    pub grids: Vec<TableGrid>,
    pub numbers: Vec<coverage::TableNumbers>,
}

/// Parses a decoded document and keeps the parser's view of it.
pub fn read(path: &Path, text: &str, overrides: &MetaOverrides) -> Result<Reading, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::new(path, None, "empty document"));
    }
    let lines = text::lines(text);
    let layout_text = crate::document::layout::is_layout_text(&lines);
    let mut layout = if layout_text {
        crate::document::layout::layout(&lines)
    } else {
        grid::layout(&lines)
    };
    let ids: Vec<&'static str> = layout.tables.iter().map(recognise).collect();
    closure::check_structure(path, text, &layout.tables, &ids)?;
    let unit_repairs = infer_units(&mut layout.tables);
    let mut meta = meta::read(path, &lines, &layout, overrides)?;

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
    ctx.repairs.extend(unit_repairs);
    let mut tables = Vec::new();
    // Each table's facts and targets, as ranges of the document's.
    let mut ranges = Vec::new();
    for (table, id) in layout.tables.iter().zip(ids.iter().copied()) {
        let before = ctx.facts.len();
        let targets_before = ctx.targets.len();
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
        ranges.push((before..ctx.facts.len(), targets_before..ctx.targets.len()));
        if table.at_eof {
            closure::check_sums(path, table, id, &ctx.facts[before..])?;
        }
    }
    mark_totals_across_pages(&mut ctx.facts, &layout.tables, &ids, &ranges);
    // Codes printed anywhere in the document: a code is not an amount in any table.
    let mut known_codes: Vec<String> = ctx.doc_codes.codes().map(str::to_string).collect();
    known_codes.extend(ctx.org_codes.iter().cloned());
    for f in &ctx.facts {
        known_codes.extend(f.func_code.iter().cloned());
        known_codes.extend(f.econ_code.iter().cloned());
    }
    known_codes.sort();
    known_codes.dedup();
    let mut numbers = Vec::new();
    for ((table, id), (facts, targets)) in layout.tables.iter().zip(ids.iter()).zip(ranges) {
        let counted = coverage::count_table(
            table,
            id,
            &ctx.facts[facts.clone()],
            facts.start,
            &ctx.targets[targets],
            &known_codes,
        );
        tables.push(TableInfo {
            statement: id.to_string(),
            title: title_of(table, id),
            start_line: table.start_line,
            end_line: table.end_line,
            facts: facts.len(),
            unit: table.unit,
            numbers: counted.numbers.len(),
            stored: counted.stored(),
            skipped: counted.skipped(),
            unread: counted.unread(),
        });
        numbers.push(counted);
    }

    let facts_empty = ctx.facts.is_empty();
    meta.org_code = most_common(&ctx.org_codes);
    for u in &ctx.units {
        if !meta.units.contains(u) {
            meta.units.push(u.clone());
        }
    }
    let mut narrative = prose::figures(&layout.prose);
    round_to_fen(&mut ctx.facts, &mut narrative, &mut ctx.repairs);
    let coverage = coverage::summarise(
        meta.phase,
        &tables,
        &layout.tables,
        &numbers,
        &layout.prose,
        meta.sources.org_name == MetaSource::Missing,
    );
    // A blank template prints tables and no amounts; a document whose amounts the
    // handlers could not read is stored as partial, with its numbers shown as unread.
    let recognised = tables
        .iter()
        .filter(|t| t.statement != UNRECOGNISED)
        .count();
    let nothing_in_tables =
        facts_empty && coverage.unread.is_empty() && coverage.outside_rows.is_empty();
    if recognised > 0 && nothing_in_tables && coverage.content == "tables" {
        return Err(ParseError::new(
            path,
            None,
            format!(
                "{recognised} budget tables recognised but not one amount printed in them: a blank template?"
            ),
        ));
    }
    if coverage.content == "narrative" && narrative.is_empty() && nothing_in_tables {
        return Err(ParseError::new(
            path,
            None,
            "no budget tables found, and no money figures in the prose: nothing to store",
        ));
    }
    let doc = ParsedDocument {
        meta,
        tables,
        facts: ctx.facts,
        narrative,
        targets: ctx.targets,
        repairs: ctx.repairs,
        coverage,
    };
    Ok(Reading {
        doc,
        grids: layout.tables,
        numbers,
    })
}

/// A table that does not print its unit is in 元 by default; but amounts with more
/// than two decimals cannot be 元 (a fen is the smallest), so such a table is in the
/// 万元 the document states elsewhere. Recorded as a repair of the table's title line.
fn infer_units(tables: &mut [TableGrid]) -> Vec<Repair> {
    let doc_says_wan = tables.iter().any(|t| t.unit_printed && t.unit == Unit::Wan);
    let mut repairs = Vec::new();
    for t in tables.iter_mut().filter(|t| !t.unit_printed) {
        let fine = t
            .data_rows()
            .flat_map(|r| r.cells.iter())
            .filter_map(|c| crate::document::number::parse_amount(c))
            .any(|d| d.normalize().scale() > 2);
        if fine && doc_says_wan {
            t.unit = Unit::Wan;
            repairs.push(Repair {
                src_line: t.start_line,
                printed: "(no unit printed)".to_string(),
                repaired: "万元".to_string(),
                reason: "the table prints no unit and amounts with more than two decimals, \
                         which cannot be 元; the document's other tables are in 万元"
                    .to_string(),
            });
        }
    }
    repairs
}

/// Amounts are stored to the fen: one printed with finer decimals (a 元 figure with
/// three) is rounded half away from zero, and the repair says so.
fn round_to_fen(
    facts: &mut [Fact],
    narrative: &mut [crate::model::NarrativeFigure],
    repairs: &mut Vec<Repair>,
) {
    use rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let mut fix = |amount: &mut Decimal, line: u32| {
        let n = amount.normalize();
        if n.scale() > 2 {
            let r = n.round_dp_with_strategy(2, MidpointAwayFromZero);
            repairs.push(Repair {
                src_line: line,
                printed: format!("{n} 元"),
                repaired: format!("{r} 元"),
                reason: "amount finer than a fen, rounded to the fen".to_string(),
            });
            *amount = r;
        }
    };
    for f in facts.iter_mut() {
        fix(&mut f.amount, f.src_line);
    }
    for n in narrative.iter_mut() {
        fix(&mut n.amount, n.src_line);
    }
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

/// A table printed with its title on every page is read as one table per page; a 类
/// row at the foot of one page has its 款 and 项 rows on the next. Consecutive tables
/// of the same statement and title are one table for what counts as a subtotal, and so
/// are the pieces of one table.
fn mark_totals_across_pages(
    facts: &mut [Fact],
    tables: &[TableGrid],
    ids: &[&'static str],
    ranges: &[(std::ops::Range<usize>, std::ops::Range<usize>)],
) {
    let mut i = 0;
    while i < tables.len() {
        let mut j = i + 1;
        while j < tables.len()
            && ids[j] == ids[i]
            && compact(&tables[j].title) == compact(&tables[i].title)
        {
            j += 1;
        }
        // One table whose header is printed again mid-page (a page without its title)
        // is read in pieces: the same holds between them.
        if (j - i > 1 || tables[i].pieces.len() > 1)
            && !matches!(
                ids[i],
                statement::SUMMARY
                    | statement::GRANT_SUMMARY
                    | statement::THREE_PUBLIC
                    | statement::PERFORMANCE
                    | UNRECOGNISED
            )
        {
            let span = ranges[i].0.start..ranges[j - 1].0.end;
            let code_of = |f: &Fact| f.func_code.clone().or_else(|| f.econ_code.clone());
            let codes: Vec<String> = facts[span.clone()].iter().filter_map(code_of).collect();
            for f in &mut facts[span] {
                if let Some(c) = code_of(f)
                    && codes.iter().any(|o| o.len() > c.len() && o.starts_with(&c))
                {
                    f.is_total = true;
                }
            }
        }
        i = j;
    }
}
