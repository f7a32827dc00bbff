//! Rendering query results: an aligned table for people, CSV / JSON / NDJSON / Markdown for
//! machines and documents.
//!
//! The table shows each column's name and type, lines up Chinese text by display width
//! (unicode-width), right-aligns numbers, prints decimal amounts with thousands separators
//! and all their decimals (2,875,129.00), escapes tabs and newlines inside cells so that one
//! row stays one line, cuts long results in the middle ("120 rows (40 shown)") and fits
//! wide results to the terminal by shortening long text and eliding middle columns.

use std::fmt::Write as _;
use std::io::Write;
use std::str::FromStr;

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Markdown => "markdown",
        }
    }
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

/// How a table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableOptions {
    /// Show at most this many rows, cut in the middle; `None` shows all.
    pub max_rows: Option<usize>,
    /// Fit the table into this many terminal columns; `None` for no limit.
    pub width: Option<usize>,
    /// Leave out the line of column types (listings of the shell's own).
    pub hide_types: bool,
}

/// Writes `batches` in `format` (tables with no row or width limit).
pub fn write(
    out: &mut dyn Write,
    format: Format,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), ArrowError> {
    write_with(out, format, schema, batches, TableOptions::default())
}

/// Writes `batches` in `format`, laying tables out with `options`.
pub fn write_with(
    out: &mut dyn Write,
    format: Format,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    options: TableOptions,
) -> Result<(), ArrowError> {
    match format {
        Format::Table => write_table(out, schema, batches, options),
        Format::Markdown => write_markdown(out, schema, batches),
        Format::Csv => write_csv(out, schema, batches),
        Format::Json => {
            let mut writer = datafusion::arrow::json::WriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, datafusion::arrow::json::writer::JsonArray>(&mut *out);
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
            let mut writer = datafusion::arrow::json::WriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, datafusion::arrow::json::writer::LineDelimited>(out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()
        }
    }
}

/// CSV (RFC 4180) with a header line. A NULL is an empty field and an empty string is `""`,
/// so the two stay apart on the way into a spreadsheet or another database; a field with a
/// comma, quote or line break is quoted. Decimals are written with all their digits
/// (`2592139.00`), never through a float.
fn write_csv(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), ArrowError> {
    write_csv_header(out, schema)?;
    for batch in batches {
        write_csv_rows(out, batch)?;
    }
    Ok(())
}

/// The CSV header line (see [`write_csv`]).
pub fn write_csv_header(out: &mut dyn Write, schema: &SchemaRef) -> Result<(), ArrowError> {
    let header: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| csv_field(f.name(), true))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    Ok(())
}

/// The CSV lines of one batch (see [`write_csv`]); results are written a batch at a time.
pub fn write_csv_rows(out: &mut dyn Write, batch: &RecordBatch) -> Result<(), ArrowError> {
    let options = FormatOptions::new().with_null("");
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()?;
    let is_text: Vec<bool> = batch
        .columns()
        .iter()
        .map(|c| is_text(c.data_type()))
        .collect();
    let mut line = String::new();
    for row in 0..batch.num_rows() {
        line.clear();
        for (col, formatter) in formatters.iter().enumerate() {
            if col > 0 {
                line.push(',');
            }
            if batch.column(col).is_null(row) {
                continue;
            }
            let text = formatter.value(row).to_string();
            line.push_str(&csv_field(&text, is_text[col]));
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// One CSV field: quoted when it holds a separator, quote or line break, or when it is an
/// empty string (an unquoted empty field is NULL).
fn csv_field(text: &str, is_text: bool) -> String {
    let needs_quotes = (is_text && text.is_empty())
        || text.contains([',', '"', '\n', '\r'])
        || (is_text && text.trim() != text);
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Whether a column holds strings.
fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Dictionary(_, v) => is_text(v),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        _ => false,
    }
}

/// Whether a column's values are right-aligned.
pub fn is_numeric(dt: &DataType) -> bool {
    match dt {
        DataType::Dictionary(_, v) => is_numeric(v),
        dt => dt.is_numeric(),
    }
}

/// A short type name for the table header: `text`, `int32`, `dec(18,2)`, `date`, ….
pub fn short_type(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 | DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => format!("dec({p},{s})"),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(unit, tz) => {
            let unit = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "µs",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("ts({unit},{tz})"),
                None => format!("ts({unit})"),
            }
        }
        DataType::Dictionary(_, v) => short_type(v),
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) => {
            format!("list<{}>", short_type(f.data_type()))
        }
        DataType::Null => "null".into(),
        other => {
            let s = other.to_string();
            s.split('(').next().unwrap_or(&s).to_ascii_lowercase()
        }
    }
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
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
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

/// Escapes tabs, newlines and other control characters so that a cell stays on one line.
pub fn escape_cell(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Display width in terminal columns (CJK characters count two).
pub fn width(s: &str) -> usize {
    s.width()
}

/// Cuts `s` to at most `max` display columns, ending with "…" when it was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Pads `text` to `width` display columns, on the left when `right` aligned.
pub fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(text.width()));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Formats cells for display: decimals with thousands separators, other values escaped.
pub struct CellFormatter<'a> {
    formatters: Vec<ArrayFormatter<'a>>,
    batch: &'a RecordBatch,
}

const DISPLAY_OPTIONS: FormatOptions<'static> = FormatOptions::new().with_null("NULL");

impl<'a> CellFormatter<'a> {
    pub fn new(batch: &'a RecordBatch) -> Result<Self, ArrowError> {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &DISPLAY_OPTIONS))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { formatters, batch })
    }

    /// The display text of one cell.
    pub fn cell(&self, row: usize, col: usize) -> String {
        let array = self.batch.column(col);
        let text = self.formatters[col].value(row).to_string();
        match array.data_type() {
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
                if array.is_valid(row) =>
            {
                thousands(&text)
            }
            _ => escape_cell(&text),
        }
    }
}

/// The rows to show out of `total`: all, or the first and last halves of `max`.
fn shown_rows(total: usize, max: Option<usize>) -> (Vec<usize>, Option<usize>) {
    match max {
        Some(max) if total > max => {
            let head = max.div_ceil(2);
            let tail = max - head;
            let mut rows: Vec<usize> = (0..head).collect();
            rows.extend(total - tail..total);
            (rows, Some(head))
        }
        _ => ((0..total).collect(), None),
    }
}

/// Formats the chosen global row indices of `batches` into text cells.
fn format_rows(batches: &[RecordBatch], rows: &[usize]) -> Result<Vec<Vec<String>>, ArrowError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut wanted = rows.iter().peekable();
    let mut offset = 0;
    for batch in batches {
        let n = batch.num_rows();
        if wanted.peek().is_none() {
            break;
        }
        if wanted.peek().is_some_and(|r| **r >= offset + n) {
            offset += n;
            continue;
        }
        let f = CellFormatter::new(batch)?;
        while let Some(&&r) = wanted.peek() {
            if r >= offset + n {
                break;
            }
            out.push(
                (0..batch.num_columns())
                    .map(|c| f.cell(r - offset, c))
                    .collect(),
            );
            wanted.next();
        }
        offset += n;
    }
    Ok(out)
}

/// The minimum a text column is shortened to when a table must fit the terminal.
const MIN_TEXT_WIDTH: usize = 16;

/// The columns to show so that the table fits `max_width`: all, or the leftmost and
/// rightmost with an elision column between (`Some(position)` of the gap).
fn fit_columns(widths: &[usize], max_width: usize) -> (Vec<usize>, Option<usize>) {
    let total: usize = widths.iter().map(|w| w + 3).sum::<usize>() + 1;
    if total <= max_width || widths.len() <= 1 {
        return ((0..widths.len()).collect(), None);
    }
    // Room for the elision column "| … " (4) and the closing border (1).
    let budget = max_width.saturating_sub(5);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let (mut l, mut r) = (0usize, widths.len());
    let mut used = 0;
    let mut take_left = true;
    while l < r {
        let i = if take_left { l } else { r - 1 };
        let w = widths[i] + 3;
        if used + w > budget {
            break;
        }
        used += w;
        if take_left {
            left.push(i);
            l += 1;
        } else {
            right.push(i);
            r -= 1;
        }
        take_left = !take_left;
    }
    if left.is_empty() {
        // Not even one column fits: show the first, cut by the caller's truncation.
        left.push(0);
        l = 1;
    }
    let gap = left.len();
    right.reverse();
    left.extend(right);
    (left, if l < r { Some(gap) } else { None })
}

fn write_table(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    options: TableOptions,
) -> Result<(), ArrowError> {
    let fields = schema.fields();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let (row_ids, row_gap) = shown_rows(total, options.max_rows);
    let mut rows = format_rows(batches, &row_ids)?;
    let mut names: Vec<String> = fields.iter().map(|f| escape_cell(f.name())).collect();
    let mut types: Vec<String> = fields.iter().map(|f| short_type(f.data_type())).collect();
    let mut numeric: Vec<bool> = fields.iter().map(|f| is_numeric(f.data_type())).collect();
    let column_width = |names: &[String], types: &[String], rows: &[Vec<String>], i: usize| {
        rows.iter()
            .map(|r| r[i].width())
            .chain([names[i].width(), types[i].width()])
            .max()
            .unwrap_or(0)
    };
    let mut widths: Vec<usize> = (0..names.len())
        .map(|i| column_width(&names, &types, &rows, i))
        .collect();

    let mut col_gap = None;
    if let Some(max_width) = options.width {
        // First shorten the widest text columns, then elide middle columns.
        let fits = |widths: &[usize]| widths.iter().map(|w| w + 3).sum::<usize>() < max_width;
        while !fits(&widths) {
            let widest = (0..widths.len())
                .filter(|&i| !numeric[i] && widths[i] > MIN_TEXT_WIDTH)
                .max_by_key(|&i| widths[i]);
            let Some(i) = widest else { break };
            let others: usize = widths
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, w)| w + 3)
                .sum();
            let target = max_width
                .saturating_sub(others + 4)
                .clamp(MIN_TEXT_WIDTH, widths[i] - 1);
            for row in rows.iter_mut() {
                row[i] = truncate(&row[i], target);
            }
            names[i] = truncate(&names[i], target);
            widths[i] = column_width(&names, &types, &rows, i);
        }
        let (keep, gap) = fit_columns(&widths, max_width);
        if gap.is_some() || keep.len() < widths.len() {
            let pick = |v: &[String]| keep.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
            names = pick(&names);
            types = pick(&types);
            rows = rows.iter().map(|r| pick(r)).collect();
            numeric = keep.iter().map(|&i| numeric[i]).collect();
            widths = keep.iter().map(|&i| widths[i]).collect();
            if let Some(g) = gap {
                names.insert(g, "…".into());
                types.insert(g, String::new());
                numeric.insert(g, false);
                widths.insert(g, 1);
                for r in rows.iter_mut() {
                    r.insert(g, "…".into());
                }
            }
            col_gap = gap;
        }
        // A single column still too wide: cut its cells.
        let limit = max_width.saturating_sub(4).max(1);
        for (i, w) in widths.iter_mut().enumerate() {
            if *w > limit {
                for r in rows.iter_mut() {
                    r[i] = truncate(&r[i], limit);
                }
                names[i] = truncate(&names[i], limit);
                types[i] = truncate(&types[i], limit);
                *w = limit;
            }
        }
    }
    let _ = col_gap;

    let mut buf = String::new();
    let border = |buf: &mut String| {
        buf.push('+');
        for w in &widths {
            buf.push_str(&"-".repeat(w + 2));
            buf.push('+');
        }
        buf.push('\n');
    };
    let line = |buf: &mut String, cells: &[String]| {
        buf.push('|');
        for (i, c) in cells.iter().enumerate() {
            let _ = write!(buf, " {} |", pad(c, widths[i], numeric[i]));
        }
        buf.push('\n');
    };
    border(&mut buf);
    line(&mut buf, &names);
    if !options.hide_types {
        line(&mut buf, &types);
    }
    border(&mut buf);
    for (n, row) in rows.iter().enumerate() {
        if row_gap == Some(n) {
            let dots: Vec<String> = widths.iter().map(|_| "·".to_string()).collect();
            line(&mut buf, &dots);
        }
        line(&mut buf, row);
    }
    border(&mut buf);
    let plural = if total == 1 { "" } else { "s" };
    if rows.len() < total {
        let _ = writeln!(buf, "{total} row{plural} ({} shown)", rows.len());
    } else {
        let _ = writeln!(buf, "{total} row{plural}");
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

fn write_markdown(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<(), ArrowError> {
    let fields = schema.fields();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let rows = format_rows(batches, &(0..total).collect::<Vec<_>>())?;
    let esc = |s: &str| s.replace('|', "\\|");
    let names: Vec<String> = fields.iter().map(|f| esc(&escape_cell(f.name()))).collect();
    let numeric: Vec<bool> = fields.iter().map(|f| is_numeric(f.data_type())).collect();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| esc(c)).collect())
        .collect();
    let widths: Vec<usize> = (0..names.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([names[i].width(), 3])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let mut buf = String::new();
    buf.push('|');
    for (i, h) in names.iter().enumerate() {
        let _ = write!(buf, " {} |", pad(h, widths[i], numeric[i]));
    }
    buf.push_str("\n|");
    for (i, w) in widths.iter().enumerate() {
        let dashes = "-".repeat(*w);
        let rule = if numeric[i] {
            format!("{}:", &dashes[1..])
        } else {
            dashes
        };
        let _ = write!(buf, " {rule} |");
    }
    buf.push('\n');
    for row in &rows {
        buf.push('|');
        for (i, c) in row.iter().enumerate() {
            let _ = write!(buf, " {} |", pad(c, widths[i], numeric[i]));
        }
        buf.push('\n');
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, Int32Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    fn sample(n: usize) -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("n", DataType::Int32, false),
            Field::new("amount", DataType::Decimal128(18, 2), true),
        ]));
        let names: Vec<Option<String>> = (0..n)
            .map(|i| match i % 3 {
                0 => Some("社会保险经办机构".to_string()),
                1 => Some("tab\there".to_string()),
                _ => None,
            })
            .collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(names)),
                Arc::new(Int32Array::from_iter_values(0..n as i32)),
                Arc::new(
                    Decimal128Array::from_iter_values((0..n).map(|i| 259_213_900 + i as i128))
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ),
            ],
        )
        .unwrap();
        (schema, vec![batch])
    }

    fn render(n: usize, options: TableOptions) -> String {
        let (schema, batches) = sample(n);
        let mut out = Vec::new();
        write_with(&mut out, Format::Table, &schema, &batches, options).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn thousands_groups_integer_part_only() {
        assert_eq!(thousands("2875129.00"), "2,875,129.00");
        assert_eq!(thousands("-1234.5"), "-1,234.5");
        assert_eq!(thousands("999"), "999");
        assert_eq!(thousands("0.97"), "0.97");
        assert_eq!(thousands("NULL"), "NULL");
    }

    #[test]
    fn table_lines_have_equal_display_width() {
        let text = render(3, TableOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        let w = lines[0].width();
        for l in &lines[..lines.len() - 1] {
            assert_eq!(l.width(), w, "{text}");
        }
        assert!(text.contains("| 社会保险经办机构 |"), "{text}");
        assert!(text.contains("tab\\there"), "{text}");
        assert!(text.contains("| 2,592,139.00 |"), "{text}");
        assert!(
            text.contains("| text             | int32 |    dec(18,2) |"),
            "{text}"
        );
        assert!(text.ends_with("3 rows\n"), "{text}");
    }

    #[test]
    fn long_results_are_cut_in_the_middle() {
        let text = render(
            100,
            TableOptions {
                max_rows: Some(6),
                ..Default::default()
            },
        );
        assert!(text.ends_with("100 rows (6 shown)\n"), "{text}");
        assert!(text.contains("|     2 |"), "{text}");
        assert!(!text.contains("|     3 |"), "{text}");
        assert!(
            text.contains("|     97 |") || text.contains("|    97 |"),
            "{text}"
        );
        assert!(text.contains("|    99 |"), "{text}");
        assert!(text.contains("| ·                |     · |"), "{text}");
    }

    #[test]
    fn wide_results_fit_the_width() {
        let text = render(
            3,
            TableOptions {
                width: Some(30),
                ..Default::default()
            },
        );
        for l in text.lines() {
            assert!(l.width() <= 30, "{l:?} in\n{text}");
        }
        assert!(text.contains('…'), "{text}");
    }

    #[test]
    fn markdown_right_aligns_numbers() {
        let (schema, batches) = sample(1);
        let mut out = Vec::new();
        write(&mut out, Format::Markdown, &schema, &batches).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "| name             |   n |       amount |\n\
             | ---------------- | --: | -----------: |\n\
             | 社会保险经办机构 |   0 | 2,592,139.00 |\n"
        );
    }
}
