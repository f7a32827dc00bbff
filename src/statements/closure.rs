//! Truncated input: a document that ends inside a table that never closed is an error,
//! not silently fewer facts. The table at the end of the document is checked: a last row
//! cut short (fewer cells than the header, no final newline), a summary-type table
//! without its 总计 row, a table with a header and no rows, and (after its facts are
//! read) published totals that its rows fall short of.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;

use crate::document::grid::TableGrid;
use crate::document::text::compact;
use crate::model::{Fact, ParseError, statement};

fn truncated(path: &Path, table: &TableGrid, what: &str) -> ParseError {
    let name = if table.title.is_empty() {
        "a table"
    } else {
        table.title.as_str()
    };
    ParseError::new(
        path,
        Some(table.start_line),
        format!(
            "document ends inside {name} (started at line {}): {what}: truncated?",
            table.start_line
        ),
    )
}

/// Checks the shape of the table that ends the document.
pub fn check_structure(
    path: &Path,
    text: &str,
    tables: &[TableGrid],
    ids: &[&str],
) -> Result<(), ParseError> {
    let Some((table, id)) = tables.iter().zip(ids).rfind(|(t, _)| t.at_eof) else {
        return Ok(());
    };
    let last = table
        .pieces
        .last()
        .and_then(|p| p.data.last().or(p.header.last()));
    if let Some(last) = last
        && !text.ends_with('\n')
        && last.raw_cells < table.header_width()
    {
        return Err(truncated(
            path,
            table,
            &format!("its last row (line {}) is cut short", last.line),
        ));
    }
    if matches!(*id, statement::SUMMARY | statement::GRANT_SUMMARY)
        && !table
            .rows()
            .any(|r| r.cells.iter().any(|c| compact(c).contains("总计")))
    {
        return Err(truncated(path, table, "no closing 总计 row"));
    }
    let has_data = table.pieces.iter().any(|p| !p.data.is_empty());
    // A layout 绩效目标 form is not a grid: it has no rows to check.
    let form = *id == statement::PERFORMANCE && !table.source.is_empty();
    if !has_data && *id != crate::statements::UNRECOGNISED && !form {
        return Err(truncated(path, table, "a header and no rows"));
    }
    Ok(())
}

/// Checks the facts of the table that ends the document: leaf rows that add up to less
/// than the 合计 printed above them mean rows are missing.
pub fn check_sums(
    path: &Path,
    table: &TableGrid,
    id: &str,
    facts: &[Fact],
) -> Result<(), ParseError> {
    if matches!(
        id,
        statement::SUMMARY | statement::GRANT_SUMMARY | statement::THREE_PUBLIC
    ) {
        return Ok(());
    }
    type Key<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str);
    let mut total: HashMap<Key<'_>, (u32, Decimal)> = HashMap::new();
    let mut leaves: HashMap<Key<'_>, Decimal> = HashMap::new();
    for f in facts {
        let key = (
            f.measure.as_str(),
            f.fund.as_deref(),
            f.econ_code.as_deref(),
            f.period.as_str(),
        );
        let top_total = f.is_total
            && (compact(&f.item).contains("合计")
                || (id == statement::PERFORMANCE && f.org_code.is_some()));
        if top_total {
            let e = total.entry(key).or_insert((f.src_line, f.amount));
            if f.src_line < e.0 {
                *e = (f.src_line, f.amount);
            }
        } else if !f.is_total {
            let e = leaves.entry(key).or_default();
            *e = e.saturating_add(f.amount);
        }
    }
    for (key, (line, amount)) in &total {
        let Some(sum) = leaves.get(key).copied() else {
            continue;
        };
        let after = facts.iter().any(|f| !f.is_total && f.src_line > *line);
        if after && sum < *amount {
            return Err(truncated(
                path,
                table,
                &format!("its rows add up to {sum}, less than the total {amount} at line {line}"),
            ));
        }
    }
    Ok(())
}
