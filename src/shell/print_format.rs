//! Rendering query results: an aligned table for people, CSV / JSON / NDJSON / Markdown for
//! machines and documents.
//!
//! The table lines up Chinese text by display width, right-aligns numbers, prints decimal
//! amounts with thousands separators and all their decimals (2,875,129.00), and escapes
//! tabs and newlines inside cells so that one row stays one line.

use std::fmt::Write as _;
use std::io::Write;
use std::str::FromStr;

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    Ndjson,
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format '{other}': expected table, csv, json, ndjson or markdown"
            )),
        }
    }
}

/// Writes `batches` in `format`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), ArrowError> {
    match format {
        Format::Table => write_table(out, schema, batches, false),
        Format::Markdown => write_table(out, schema, batches, true),
        Format::Csv => {
            let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(out);
            if batches.is_empty() {
                // The header alone, so an empty result is still a valid CSV with columns.
                let empty = RecordBatch::new_empty(schema.clone());
                writer.write(&empty)?;
            }
            for b in batches {
                writer.write(b)?;
            }
            Ok(())
        }
        Format::Json => {
            let mut writer = datafusion::arrow::json::ArrayWriter::new(&mut *out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()?;
            drop(writer);
            if batches.iter().all(|b| b.num_rows() == 0) {
                // arrow writes nothing for no rows; an empty array is still valid JSON.
                out.write_all(b"[]")?;
            }
            out.write_all(b"\n")?;
            Ok(())
        }
        Format::Ndjson => {
            let mut writer = datafusion::arrow::json::LineDelimitedWriter::new(out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()
        }
    }
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

/// Groups the integer part of a plain decimal string in threes: "-2875129.00" -> "-2,875,129.00".
pub fn thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn escape_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

/// Formats every cell as text: NULL as an empty cell in tables ("NULL" would read as a
/// name), decimals with thousands separators.
fn cells(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, ArrowError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            let mut cells = Vec::with_capacity(formatters.len());
            for (col, f) in formatters.iter().enumerate() {
                let array = batch.column(col);
                let text = f.value(row).to_string();
                let text = match schema.field(col).data_type() {
                    DataType::Decimal128(..) | DataType::Decimal256(..) if array.is_valid(row) => {
                        thousands(&text)
                    }
                    _ => escape_cell(&text),
                };
                cells.push(text);
            }
            rows.push(cells);
        }
    }
    Ok(rows)
}

fn write_table(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    markdown: bool,
) -> Result<(), ArrowError> {
    let headers: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let numeric: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| is_numeric(f.data_type()))
        .collect();
    let rows = cells(schema, batches)?;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let pad = |text: &str, width: usize, right: bool| {
        let fill = " ".repeat(width.saturating_sub(text.width()));
        if right {
            format!("{fill}{text}")
        } else {
            format!("{text}{fill}")
        }
    };
    let mut buf = String::new();
    let border = |buf: &mut String| {
        if !markdown {
            buf.push('+');
            for w in &widths {
                buf.push_str(&"-".repeat(w + 2));
                buf.push('+');
            }
            buf.push('\n');
        }
    };
    border(&mut buf);
    buf.push('|');
    for (i, h) in headers.iter().enumerate() {
        let _ = write!(buf, " {} |", pad(h, widths[i], false));
    }
    buf.push('\n');
    if markdown {
        buf.push('|');
        for (i, w) in widths.iter().enumerate() {
            let dashes = "-".repeat((*w).max(3));
            let _ = write!(buf, " {} |", if numeric[i] { format!("{}:", &dashes[1..]) } else { dashes });
        }
        buf.push('\n');
    } else {
        border(&mut buf);
    }
    for row in &rows {
        buf.push('|');
        for (i, c) in row.iter().enumerate() {
            let c = if markdown { c.replace('|', "\\|") } else { c.clone() };
            let _ = write!(buf, " {} |", pad(&c, widths[i], numeric[i]));
        }
        buf.push('\n');
    }
    if !markdown {
        border(&mut buf);
        let n = rows.len();
        let _ = writeln!(buf, "{n} row{}", if n == 1 { "" } else { "s" });
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_integer_part_only() {
        assert_eq!(thousands("2875129.00"), "2,875,129.00");
        assert_eq!(thousands("-1234.5"), "-1,234.5");
        assert_eq!(thousands("999"), "999");
        assert_eq!(thousands("0.97"), "0.97");
        assert_eq!(thousands("NULL"), "NULL");
    }
}
