//! Excel workbooks (`-o FILE.xlsx`, `\o FILE.xlsx`, `\excel`): one worksheet per result,
//! a bold frozen header row, an autofilter over the data and columns fitted to their
//! contents.
//!
//! What each value becomes:
//! - decimals (amounts) are numbers with a format of as many places as the column's scale
//!   (`#,##0.00` for 元, `#,##0.000000` for 万元 whose amounts keep the fen), integers are
//!   numbers (`0`), floats are numbers;
//! - text stays text, codes included (`'2080109'`, `'01'` keep every digit);
//! - booleans are booleans, dates and timestamps Excel dates (`yyyy-mm-dd`,
//!   `yyyy-mm-dd hh:mm:ss`), times Excel times;
//! - NULL is an empty cell;
//! - anything else (lists, intervals, binary) is its display text.
//!
//! Excel numbers are doubles: a decimal or integer of at most 15 significant digits comes
//! back exactly, to the fen; one of more digits is written as text with its exact digits,
//! never rounded.
//!
//! Rows are written as batches arrive into worksheets in rust_xlsxwriter's constant-memory
//! mode: each row goes to a temporary file as soon as the next begins, so a result of any
//! size takes the memory of a batch. A result of more rows than a worksheet holds
//! (1,048,576 with the header) goes on in a second worksheet, `NAME (2)`, with the header
//! again.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array,
    Time64MicrosecondArray, TimestampMicrosecondArray, UInt64Array,
};
use datafusion::arrow::array::{RecordBatch, timezone::Tz};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit, TimestampMicrosecondType, i256};
use datafusion::arrow::temporal_conversions::as_datetime_with_timezone;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::print_format;

/// Rows of a worksheet, the header included: Excel's limit.
pub const SHEET_ROWS: u32 = 1_048_576;
/// The longest text a cell holds.
const MAX_CELL_CHARS: usize = 32_767;
/// Significant digits a double keeps exactly, whatever they are.
const EXACT_DIGITS: u32 = 15;
/// The widest a fitted column gets, in Excel's units (the width of a '0').
const MAX_WIDTH: usize = 80;
/// Excel's serial number of 1970-01-01 (days since 1899-12-30).
const UNIX_EPOCH_SERIAL: i64 = 25_569;
/// The first and last day Excel shows as dates: 1900-03-01 (before it Excel counts a
/// 29 February 1900 that never was) and 9999-12-31.
const FIRST_SERIAL: i64 = 61;
const LAST_SERIAL: i64 = 2_958_465;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The exact powers of ten a double holds.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

fn xlsx(e: XlsxError) -> String {
    e.to_string()
}

/// A workbook being written, one result at a time.
pub struct ExcelWriter {
    workbook: Workbook,
    /// Sheet names given so far, lower-cased (Excel compares them without case).
    taken: HashSet<String>,
    /// Data rows a worksheet takes before the result goes on in the next.
    rows_per_sheet: u32,
    header: Format,
    /// Number formats by their code, made once.
    formats: HashMap<String, Format>,
    current: Option<Sheet>,
    sheets: Vec<String>,
}

/// The worksheet being written.
struct Sheet {
    /// The result's name; continuation sheets are `NAME (2)`, ….
    name: String,
    part: usize,
    index: usize,
    schema: SchemaRef,
    kinds: Vec<Kind>,
    /// Each column's number format, if it has one.
    formats: Vec<Option<Format>>,
    /// The widest cell of each column so far, in display columns.
    widths: Vec<usize>,
    /// Data rows in this worksheet.
    rows: u32,
}

/// How a column's values are written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    UInt,
    Float,
    /// Decimal with its scale.
    Decimal(i8),
    Bool,
    Date,
    Timestamp(Option<Arc<str>>),
    Time,
    /// Its display text.
    Other,
}

impl Kind {
    fn of(dt: &DataType) -> Kind {
        match dt {
            DataType::Dictionary(_, v) => Kind::of(v),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => Kind::Int,
            DataType::UInt8 | DataType::UInt16 | DataType::UInt32 => Kind::Int,
            DataType::UInt64 => Kind::UInt,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => Kind::Float,
            DataType::Decimal32(_, s)
            | DataType::Decimal64(_, s)
            | DataType::Decimal128(_, s)
            | DataType::Decimal256(_, s) => Kind::Decimal(*s),
            DataType::Boolean => Kind::Bool,
            DataType::Date32 | DataType::Date64 => Kind::Date,
            DataType::Timestamp(_, tz) => Kind::Timestamp(tz.clone()),
            DataType::Time32(_) | DataType::Time64(_) => Kind::Time,
            _ => Kind::Other,
        }
    }

    /// The number format of the column's cells.
    fn number_format(&self) -> Option<String> {
        match self {
            Kind::Int | Kind::UInt => Some("0".into()),
            Kind::Decimal(s) => Some(decimal_format(*s)),
            Kind::Date => Some("yyyy-mm-dd".into()),
            Kind::Timestamp(_) => Some("yyyy-mm-dd hh:mm:ss".into()),
            Kind::Time => Some("hh:mm:ss".into()),
            _ => None,
        }
    }

    /// The type a column is cast to before writing.
    fn cast_to(&self, dt: &DataType) -> DataType {
        match self {
            Kind::Text => DataType::Utf8View,
            Kind::Int => DataType::Int64,
            Kind::UInt => DataType::UInt64,
            Kind::Float => DataType::Float64,
            Kind::Decimal(s) => match dt {
                DataType::Dictionary(_, v) => self.cast_to(v),
                DataType::Decimal256(p, _) => DataType::Decimal256(*p, *s),
                DataType::Decimal32(p, _)
                | DataType::Decimal64(p, _)
                | DataType::Decimal128(p, _) => DataType::Decimal128(*p, *s),
                other => other.clone(),
            },
            Kind::Bool => DataType::Boolean,
            Kind::Date => DataType::Date32,
            Kind::Timestamp(tz) => DataType::Timestamp(TimeUnit::Microsecond, tz.clone()),
            Kind::Time => DataType::Time64(TimeUnit::Microsecond),
            Kind::Other => dt.clone(),
        }
    }
}

/// `#,##0` with `scale` decimal places: 2 → `#,##0.00`.
pub fn decimal_format(scale: i8) -> String {
    if scale <= 0 {
        "#,##0".into()
    } else {
        format!("#,##0.{}", "0".repeat(scale as usize))
    }
}

/// The decimal `value × 10^-scale` as the double nearest to it, or `None` when it has more
/// than 15 significant digits (a double would not give all of them back).
pub fn decimal_to_f64(value: i128, scale: i8) -> Option<f64> {
    if value == 0 {
        return Some(0.0);
    }
    let mut m = value.unsigned_abs();
    let mut s = i32::from(scale);
    // Trailing zeros are not significant: 1,000,000,000,000,000,000.00 is one digit.
    while m.is_multiple_of(10) {
        m /= 10;
        s -= 1;
    }
    if m >= 10u128.pow(EXACT_DIGITS) {
        return None;
    }
    // Below 2^53 the digits are an exact double, and so is a power of ten up to 10^22: one
    // division or product rounds once, to the nearest double.
    let digits = m as f64;
    let x = match s {
        0..=22 => digits / POW10[s as usize],
        -22..=-1 => digits * POW10[(-s) as usize],
        _ => format!("{m}e{}", -s).parse::<f64>().ok()?,
    };
    if !x.is_finite() || x == 0.0 {
        return None;
    }
    Some(if value < 0 { -x } else { x })
}

/// An integer as a double, or `None` past 15 significant digits.
fn int_to_f64(value: i128) -> Option<f64> {
    decimal_to_f64(value, 0)
}

/// Digits of `n` (1 for 0).
fn digits(mut n: u128) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// The display width of a decimal shown with `#,##0.00…`: sign, grouped integer part,
/// point and `scale` places.
pub fn decimal_width(value: i128, scale: i8) -> usize {
    let sign = usize::from(value < 0);
    let m = value.unsigned_abs();
    let places = scale.max(0) as usize;
    let int_digits = if scale > 0 {
        let int = m / 10u128.pow(u32::from(scale.unsigned_abs()).min(38));
        digits(int)
    } else {
        digits(m) + scale.unsigned_abs() as usize
    };
    let point = usize::from(places > 0);
    sign + int_digits + (int_digits - 1) / 3 + point + places
}

/// A column's width in Excel's units (the width of a '0', CJK characters counting two):
/// the widest cell, or the header with room for its filter button, plus a little margin,
/// at most [`MAX_WIDTH`].
pub fn fit_width(header: &str, widest_cell: usize) -> f64 {
    let header = print_format::width(header) + 3;
    (header.max(widest_cell + 2)).clamp(4, MAX_WIDTH) as f64
}

/// `name` made a valid sheet name: `[]:*?/\` become `_`, no apostrophe at either end, at
/// most 31 characters (UTF-16 units, as Excel counts), never empty.
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let cut = cut_utf16(cleaned, 31).trim_end().trim_end_matches('\'');
    if cut.is_empty() {
        "result".into()
    } else {
        cut.to_string()
    }
}

/// The longest prefix of `s` of at most `max` UTF-16 units.
fn cut_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// A sheet name from `name` not in `taken` (compared without case): `name`, else
/// `name (2)`, `name (3)`, … with `name` shortened to keep 31 characters.
pub fn unique_sheet_name(name: &str, taken: &HashSet<String>) -> String {
    let base = sanitize_sheet_name(name);
    if !taken.contains(&base.to_lowercase()) {
        return base;
    }
    (2..)
        .map(|n| numbered(&base, n))
        .find(|c| !taken.contains(&c.to_lowercase()))
        .unwrap_or(base)
}

/// `base (n)` in at most 31 characters.
fn numbered(base: &str, n: usize) -> String {
    let suffix = format!(" ({n})");
    let keep = cut_utf16(base, 31 - suffix.len()).trim_end();
    format!("{keep}{suffix}")
}

impl ExcelWriter {
    /// A new workbook; its worksheets' rows wait in unnamed temporary files in `tempdir`
    /// (the system's temporary directory when `None`).
    pub fn new(tempdir: Option<&Path>) -> Result<Self, String> {
        let mut workbook = Workbook::new();
        if let Some(dir) = tempdir {
            workbook.set_tempdir(dir).map_err(xlsx)?;
        }
        // "History" is kept by Excel for its own sheet.
        let taken = HashSet::from(["history".to_string()]);
        Ok(Self {
            workbook,
            taken,
            rows_per_sheet: SHEET_ROWS - 1,
            header: Format::new().set_bold(),
            formats: HashMap::new(),
            current: None,
            sheets: Vec::new(),
        })
    }

    /// Fewer data rows per worksheet (to see a result go on in a second worksheet).
    pub fn with_rows_per_sheet(mut self, rows: u32) -> Self {
        self.rows_per_sheet = rows.clamp(1, SHEET_ROWS - 1);
        self
    }

    /// The names of the worksheets so far.
    pub fn sheet_names(&self) -> &[String] {
        &self.sheets
    }

    /// Starts a result named `name` (made a valid, unique sheet name) with columns `schema`.
    pub fn begin(&mut self, name: &str, schema: &SchemaRef) -> Result<(), String> {
        self.end()?;
        let kinds: Vec<Kind> = schema
            .fields()
            .iter()
            .map(|f| Kind::of(f.data_type()))
            .collect();
        let formats = kinds
            .iter()
            .map(|kind| {
                kind.number_format().map(|code| {
                    self.formats
                        .entry(code.clone())
                        .or_insert_with(|| Format::new().set_num_format(code))
                        .clone()
                })
            })
            .collect();
        let sheet = Sheet {
            name: name.to_string(),
            part: 1,
            index: 0,
            schema: schema.clone(),
            formats,
            widths: vec![0; kinds.len()],
            kinds,
            rows: 0,
        };
        self.open_sheet(sheet)
    }

    /// Adds a worksheet for `sheet` (its part) and writes the header.
    fn open_sheet(&mut self, mut sheet: Sheet) -> Result<(), String> {
        let wanted = if sheet.part == 1 {
            sheet.name.clone()
        } else {
            numbered(&sanitize_sheet_name(&sheet.name), sheet.part)
        };
        let name = unique_sheet_name(&wanted, &self.taken);
        let ws = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        ws.set_name(&name).map_err(xlsx)?;
        ws.set_freeze_panes(1, 0).map_err(xlsx)?;
        for (col, field) in sheet.schema.fields().iter().enumerate() {
            ws.write_string_with_format(0, column(col)?, field.name(), &self.header)
                .map_err(xlsx)?;
        }
        self.taken.insert(name.to_lowercase());
        self.sheets.push(name);
        sheet.index = self.sheets.len() - 1;
        sheet.rows = 0;
        self.current = Some(sheet);
        Ok(())
    }

    /// Appends rows to the result begun last.
    pub fn append(&mut self, batch: &RecordBatch) -> Result<(), String> {
        let Some(sheet) = self.current.as_ref() else {
            return Err("rows before a result began".into());
        };
        let columns = batch
            .columns()
            .iter()
            .zip(&sheet.kinds)
            .map(|(c, kind)| {
                let to = kind.cast_to(c.data_type());
                if c.data_type() == &to {
                    Ok(c.clone())
                } else {
                    cast(c, &to).map_err(|e| e.to_string())
                }
            })
            .collect::<Result<Vec<ArrayRef>, String>>()?;
        let options = FormatOptions::new();
        let others = columns
            .iter()
            .zip(&sheet.kinds)
            .map(|(c, kind)| match kind {
                Kind::Other => ArrayFormatter::try_new(c.as_ref(), &options)
                    .map(Some)
                    .map_err(|e| e.to_string()),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut row = 0;
        while row < batch.num_rows() {
            let sheet = self.current.as_ref().ok_or("no worksheet")?;
            if sheet.rows >= self.rows_per_sheet {
                // This worksheet is full: the result goes on in the next.
                let mut next = self.finish_sheet()?;
                next.part += 1;
                self.open_sheet(next)?;
            }
            let sheet = self.current.as_mut().ok_or("no worksheet")?;
            let room = (self.rows_per_sheet - sheet.rows) as usize;
            let end = batch.num_rows().min(row + room);
            let ws = self
                .workbook
                .worksheet_from_index(sheet.index)
                .map_err(xlsx)?;
            for r in row..end {
                sheet.rows += 1;
                let excel_row = sheet.rows;
                for (col, array) in columns.iter().enumerate() {
                    if array.is_null(r) {
                        continue;
                    }
                    let width = write_cell(
                        ws,
                        excel_row,
                        column(col)?,
                        array,
                        r,
                        &sheet.kinds[col],
                        sheet.formats[col].as_ref(),
                        others[col].as_ref(),
                    )
                    .map_err(|e| {
                        format!(
                            "row {}, column {}: {e}",
                            excel_row + 1,
                            sheet.schema.field(col).name()
                        )
                    })?;
                    if width > sheet.widths[col] {
                        sheet.widths[col] = width;
                    }
                }
            }
            row = end;
        }
        Ok(())
    }

    /// Closes the worksheet being written: fits its columns and sets its autofilter. What
    /// it was writing is handed back (to go on in another worksheet).
    fn finish_sheet(&mut self) -> Result<Sheet, String> {
        let sheet = self.current.take().ok_or("no worksheet")?;
        let ws = self
            .workbook
            .worksheet_from_index(sheet.index)
            .map_err(xlsx)?;
        // rust_xlsxwriter writes a worksheet's column widths when the workbook is saved,
        // ahead of the rows it kept on disk, so in constant-memory mode too the widths are
        // fitted to every row of the result, measured as the rows went out.
        for (col, field) in sheet.schema.fields().iter().enumerate() {
            ws.set_column_width(column(col)?, fit_width(field.name(), sheet.widths[col]))
                .map_err(xlsx)?;
        }
        if !sheet.kinds.is_empty() {
            ws.autofilter(0, 0, sheet.rows, column(sheet.kinds.len() - 1)?)
                .map_err(xlsx)?;
        }
        Ok(sheet)
    }

    /// Closes the result begun last.
    pub fn end(&mut self) -> Result<(), String> {
        if self.current.is_some() {
            self.finish_sheet()?;
        }
        Ok(())
    }

    /// Writes the workbook to `out`.
    pub fn save<W: Write + Send>(&mut self, out: W) -> Result<(), String> {
        self.end()?;
        self.workbook.save_to_writer(out).map_err(xlsx)
    }
}

fn column(col: usize) -> Result<u16, String> {
    u16::try_from(col)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| format!("{} columns: an Excel worksheet holds 16,384", col + 1))
}

/// Writes one non-null cell; its display width.
#[allow(clippy::too_many_arguments)]
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    array: &ArrayRef,
    i: usize,
    kind: &Kind,
    format: Option<&Format>,
    other: Option<&ArrayFormatter<'_>>,
) -> Result<usize, String> {
    let format = |k: &Kind| format.ok_or_else(|| format!("internal: no number format for {k:?}"));
    match kind {
        Kind::Text => text(ws, row, col, array.as_string_view().value(i)),
        Kind::Bool => {
            let v = array
                .as_any()
                .downcast_ref::<BooleanArray>()
                .ok_or("not a boolean")?
                .value(i);
            ws.write_boolean(row, col, v).map_err(xlsx)?;
            Ok(5)
        }
        Kind::Int => {
            let v = array
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or("not an integer")?
                .value(i);
            integer(ws, row, col, i128::from(v), format(kind)?)
        }
        Kind::UInt => {
            let v = array
                .as_any()
                .downcast_ref::<UInt64Array>()
                .ok_or("not an integer")?
                .value(i);
            integer(ws, row, col, i128::from(v), format(kind)?)
        }
        Kind::Float => {
            let v = array
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or("not a float")?
                .value(i);
            if v.is_finite() {
                ws.write_number(row, col, v).map_err(xlsx)?;
                Ok(v.to_string().len().min(12))
            } else {
                text(ws, row, col, &v.to_string())
            }
        }
        Kind::Decimal(scale) => {
            if let Some(a) = array.as_any().downcast_ref::<Decimal128Array>() {
                let v = a.value(i);
                match decimal_to_f64(v, *scale) {
                    Some(x) => {
                        ws.write_number_with_format(row, col, x, format(kind)?)
                            .map_err(xlsx)?;
                        Ok(decimal_width(v, *scale))
                    }
                    // Too many digits for a double: the exact digits, as text.
                    None => text(ws, row, col, &a.value_as_string(i)),
                }
            } else {
                let a = array.as_primitive::<datafusion::arrow::datatypes::Decimal256Type>();
                let v: i256 = a.value(i);
                match v.to_i128().and_then(|v| decimal_to_f64(v, *scale)) {
                    Some(x) => {
                        ws.write_number_with_format(row, col, x, format(kind)?)
                            .map_err(xlsx)?;
                        Ok(v.to_i128().map_or(20, |v| decimal_width(v, *scale)))
                    }
                    None => text(ws, row, col, &a.value_as_string(i)),
                }
            }
        }
        Kind::Date => {
            let days = array
                .as_any()
                .downcast_ref::<Date32Array>()
                .ok_or("not a date")?
                .value(i);
            let serial = i64::from(days) + UNIX_EPOCH_SERIAL;
            if (FIRST_SERIAL..=LAST_SERIAL).contains(&serial) {
                ws.write_number_with_format(row, col, serial as f64, format(kind)?)
                    .map_err(xlsx)?;
                Ok(10)
            } else {
                let shown = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::new())
                    .map_err(|e| e.to_string())?
                    .value(i)
                    .to_string();
                text(ws, row, col, &shown)
            }
        }
        Kind::Timestamp(tz) => {
            let a = array
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .ok_or("not a timestamp")?;
            let mut micros = a.value(i);
            // A zoned timestamp is shown in its zone's local time, as the terminal shows it.
            if let Some(tz) = tz.as_deref().and_then(|t| t.parse::<Tz>().ok())
                && let Some(t) = as_datetime_with_timezone::<TimestampMicrosecondType>(micros, tz)
            {
                micros = t.naive_local().and_utc().timestamp_micros();
            }
            let serial = micros as f64 / MICROS_PER_DAY as f64 + UNIX_EPOCH_SERIAL as f64;
            if (FIRST_SERIAL as f64..(LAST_SERIAL + 1) as f64).contains(&serial) {
                ws.write_number_with_format(row, col, serial, format(kind)?)
                    .map_err(xlsx)?;
                Ok(19)
            } else {
                let shown = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::new())
                    .map_err(|e| e.to_string())?
                    .value(i)
                    .to_string();
                text(ws, row, col, &shown)
            }
        }
        Kind::Time => {
            let micros = array
                .as_any()
                .downcast_ref::<Time64MicrosecondArray>()
                .ok_or("not a time")?
                .value(i);
            ws.write_number_with_format(
                row,
                col,
                micros as f64 / MICROS_PER_DAY as f64,
                format(kind)?,
            )
            .map_err(xlsx)?;
            Ok(8)
        }
        Kind::Other => {
            let shown = other.ok_or("internal: no formatter")?.value(i).to_string();
            text(ws, row, col, &shown)
        }
    }
}

/// A text cell; its display width.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<usize, String> {
    if s.len() > MAX_CELL_CHARS && s.chars().count() > MAX_CELL_CHARS {
        return Err(format!(
            "{} characters of text: an Excel cell holds at most {MAX_CELL_CHARS} \
             (write this result as .csv or .parquet)",
            s.chars().count()
        ));
    }
    ws.write_string(row, col, s).map_err(xlsx)?;
    // A long text is cut to MAX_WIDTH anyway: no need to measure all of it.
    Ok(print_format::width(cut_utf16(s, MAX_WIDTH * 2)))
}

/// An integer cell (text past 15 significant digits); its display width.
fn integer(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: i128,
    format: &Format,
) -> Result<usize, String> {
    match int_to_f64(v) {
        Some(x) => {
            ws.write_number_with_format(row, col, x, format)
                .map_err(xlsx)?;
            Ok(digits(v.unsigned_abs()) + usize::from(v < 0))
        }
        None => text(ws, row, col, &v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sanitize_sheet_name("result1"), "result1");
        assert_eq!(sanitize_sheet_name("a[b]:c*d?e/f\\g"), "a_b__c_d_e_f_g");
        assert_eq!(sanitize_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitize_sheet_name(""), "result");
        assert_eq!(sanitize_sheet_name("  "), "result");
        assert_eq!(sanitize_sheet_name("[]"), "__");
        let long = "部门支出总表按功能分类汇总部门支出总表按功能分类汇总再加几个字";
        let cut = sanitize_sheet_name(long);
        assert_eq!(cut.encode_utf16().count(), 31);
        assert!(long.starts_with(&cut));
        // A character outside the BMP is two UTF-16 units; it is not split.
        let emoji = format!("{}😀", "a".repeat(30));
        assert_eq!(sanitize_sheet_name(&emoji), "a".repeat(30));
        for name in ["result1", "a[b]", &"x".repeat(40), long, "'"] {
            rust_xlsxwriter::utility::check_sheet_name(&sanitize_sheet_name(name)).unwrap();
        }
    }

    #[test]
    fn sheet_names_are_unique_without_case() {
        let mut taken = HashSet::from(["history".to_string()]);
        assert_eq!(unique_sheet_name("result1", &taken), "result1");
        taken.insert("result1".into());
        assert_eq!(unique_sheet_name("Result1", &taken), "Result1 (2)");
        taken.insert("result1 (2)".into());
        assert_eq!(unique_sheet_name("result1", &taken), "result1 (3)");
        assert_eq!(unique_sheet_name("History", &taken), "History (2)");
        let long = "y".repeat(31);
        taken.insert(long.clone());
        let second = unique_sheet_name(&long, &taken);
        assert_eq!(second, format!("{} (2)", "y".repeat(27)));
        assert_eq!(second.len(), 31);
    }

    #[test]
    fn widths_count_cjk_double_and_leave_room_for_the_filter_button() {
        // "func_code" is 9 columns: header + 3.
        assert_eq!(fit_width("func_code", 7), 12.0);
        // 社会保险经办机构: 8 characters, 16 columns, + 2.
        assert_eq!(
            fit_width("func_name", print_format::width("社会保险经办机构")),
            18.0
        );
        // 名称 is 4 columns: the header and its button need 7.
        assert_eq!(fit_width("名称", 0), 7.0);
        assert_eq!(fit_width("x", 500), MAX_WIDTH as f64);
        // 2,592,139.00 is 12 wide; -2,592,139.00 13; 0.97 4; 1,000 (scale 0) 5.
        assert_eq!(decimal_width(259_213_900, 2), 12);
        assert_eq!(decimal_width(-259_213_900, 2), 13);
        assert_eq!(decimal_width(97, 2), 4);
        assert_eq!(decimal_width(1000, 0), 5);
        // 259.213900 (万元)
        assert_eq!(decimal_width(259_213_900, 6), 10);
        assert_eq!(decimal_width(12, -3), 6); // 12,000
    }

    #[test]
    fn decimals_become_doubles_only_when_exact() {
        assert_eq!(decimal_to_f64(259_213_900, 2), Some(2_592_139.0));
        assert_eq!(decimal_to_f64(259_213_900, 6), Some(259.2139));
        assert_eq!(decimal_to_f64(-1, 2), Some(-0.01));
        assert_eq!(decimal_to_f64(0, 2), Some(0.0));
        // 15 significant digits: exact; 16: not a number.
        assert_eq!(
            decimal_to_f64(999_999_999_999_999, 2),
            Some(9_999_999_999_999.99)
        );
        assert_eq!(decimal_to_f64(1_234_567_890_123_456, 2), None);
        // Trailing zeros do not count.
        assert_eq!(decimal_to_f64(100_000_000_000_000_000_000, 2), Some(1e18));
        assert_eq!(decimal_format(2), "#,##0.00");
        assert_eq!(decimal_format(6), "#,##0.000000");
        assert_eq!(decimal_format(0), "#,##0");
        // Every value of up to 15 digits comes back as the same digits.
        for (v, s) in [(123_456_789_012_345_i128, 2_i8), (1, 9), (987_654_321, 4)] {
            let x = decimal_to_f64(v, s).unwrap();
            let back = format!("{x:.*}", s as usize).replace('.', "");
            assert_eq!(back.trim_start_matches('0'), v.to_string(), "{v} {s}");
        }
    }

    #[test]
    fn text_longer_than_a_cell_holds_is_an_error_not_a_cut() {
        use datafusion::arrow::array::StringArray;
        use datafusion::arrow::datatypes::{Field, Schema};
        let schema = Arc::new(Schema::new(vec![Field::new("note", DataType::Utf8, false)]));
        let long = "说".repeat(MAX_CELL_CHARS + 1);
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(vec!["ok", long.as_str()]))],
        )
        .unwrap();
        let mut w = ExcelWriter::new(None).unwrap();
        w.begin("result1", &schema).unwrap();
        let e = w.append(&batch).unwrap_err();
        assert!(
            e.contains("row 3, column note") && e.contains("32767"),
            "{e}"
        );
    }

    #[test]
    fn a_long_result_goes_on_in_a_second_sheet() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use datafusion::arrow::datatypes::{Field, Schema};
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("code", DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from_iter_values(0..5)),
                Arc::new(StringArray::from(vec!["01", "02", "03", "04", "05"])),
            ],
        )
        .unwrap();
        let mut w = ExcelWriter::new(None).unwrap().with_rows_per_sheet(2);
        w.begin("result1", &schema).unwrap();
        w.append(&batch).unwrap();
        w.end().unwrap();
        w.begin("result1", &schema).unwrap();
        w.end().unwrap();
        assert_eq!(
            w.sheet_names(),
            ["result1", "result1 (2)", "result1 (3)", "result1 (4)"]
        );
        let mut bytes = Vec::new();
        w.save(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
