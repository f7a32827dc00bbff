//! `\chart`: the last result as a horizontal bar chart in the terminal.
//!
//! One bar per row: the label column (the first text column, or one named), the value
//! column (the first numeric column, or one named), bars scaled to the terminal width with
//! eighth-block precision, labels padded by display width so that CJK labels line up, and
//! each value printed exactly as in tables (2,875,129.00). Negative values draw as `░`.

use datafusion::arrow::array::{Array, Float64Array, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, SchemaRef};

use super::print_format::{CellFormatter, is_numeric, pad, truncate, width};

/// At most this many bars; more rows are summarised in a last line.
pub const MAX_BARS: usize = 60;

const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

fn column_index(schema: &SchemaRef, name: &str) -> Result<usize, String> {
    schema
        .index_of(name)
        .map_err(|_| format!("the last result has no column {name}"))
}

/// Renders the chart in `width` terminal columns.
pub fn render(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    label: Option<&str>,
    value: Option<&str>,
    width_limit: usize,
) -> Result<String, String> {
    let fields = schema.fields();
    let value_idx = match value {
        Some(v) => column_index(schema, v)?,
        None => fields
            .iter()
            .position(|f| is_numeric(f.data_type()))
            .ok_or("the last result has no numeric column to chart")?,
    };
    if !is_numeric(fields[value_idx].data_type()) {
        return Err(format!(
            "column {} is not numeric",
            fields[value_idx].name()
        ));
    }
    let label_idx = match label {
        Some(l) => Some(column_index(schema, l)?),
        None => fields
            .iter()
            .position(|f| !is_numeric(f.data_type()))
            .or_else(|| (0..fields.len()).find(|&i| i != value_idx)),
    };

    let mut rows: Vec<(String, String, f64)> = Vec::new();
    let mut total_rows = 0;
    for batch in batches {
        total_rows += batch.num_rows();
        let cells = CellFormatter::new(batch).map_err(|e| e.to_string())?;
        let magnitudes =
            cast(batch.column(value_idx), &DataType::Float64).map_err(|e| e.to_string())?;
        let magnitudes = magnitudes
            .as_any()
            .downcast_ref::<Float64Array>()
            .ok_or("cannot read the values")?;
        for r in 0..batch.num_rows() {
            if rows.len() >= MAX_BARS {
                break;
            }
            let label = match label_idx {
                Some(i) => cells.cell(r, i),
                None => format!("{}", rows.len() + 1),
            };
            let v = if magnitudes.is_null(r) {
                0.0
            } else {
                magnitudes.value(r)
            };
            let text = if magnitudes.is_null(r) {
                String::new()
            } else {
                cells.cell(r, value_idx)
            };
            rows.push((label, text, v));
        }
    }
    if rows.is_empty() {
        return Err("the last result has no rows".into());
    }
    let label_w = rows
        .iter()
        .map(|r| width(&r.0))
        .max()
        .unwrap_or(0)
        .min(width_limit / 3)
        .max(1);
    let value_w = rows.iter().map(|r| width(&r.1)).max().unwrap_or(0);
    let bar_w = width_limit.saturating_sub(label_w + value_w + 4).max(10);
    let max = rows.iter().map(|r| r.2.abs()).fold(0.0_f64, f64::max);
    let mut out = String::new();
    let value_name = fields[value_idx].name();
    out.push_str(&format!(
        "{} │ {value_name}\n",
        pad(
            &label_idx.map_or("#".to_string(), |i| fields[i].name().clone()),
            label_w,
            false
        )
    ));
    let bars: Vec<String> = rows
        .iter()
        .map(|(_, _, v)| {
            let eighths = if max > 0.0 {
                ((v.abs() / max) * (bar_w as f64) * 8.0).round() as usize
            } else {
                0
            };
            if *v < 0.0 {
                "░".repeat(eighths.div_ceil(8))
            } else {
                format!("{}{}", "█".repeat(eighths / 8), EIGHTHS[eighths % 8])
            }
        })
        .collect();
    // Values line up in a column after the longest bar.
    let longest = bars.iter().map(|b| width(b)).max().unwrap_or(0);
    for ((label, text, _), bar) in rows.iter().zip(&bars) {
        let label = truncate(label, label_w);
        out.push_str(&format!(
            "{} │ {} {}\n",
            pad(&label, label_w, false),
            pad(bar, longest, false),
            pad(text, value_w, true)
        ));
    }
    if total_rows > rows.len() {
        out.push_str(&format!("({} of {total_rows} rows charted)\n", rows.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    #[test]
    fn bars_scale_and_labels_line_up() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("类", DataType::Utf8, false),
            Field::new("total", DataType::Decimal128(18, 2), false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![
                    "社会保障和就业支出",
                    "卫生健康支出",
                    "住房保障支出",
                ])),
                Arc::new(
                    Decimal128Array::from(vec![287_512_900, 10_354_500, 18_424_900])
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ),
            ],
        )
        .unwrap();
        let text = render(&schema, &[batch], None, None, 80).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        // The separators line up: labels are padded by display width.
        let bar_col: Vec<usize> = lines
            .iter()
            .map(|l| width(&l[..l.find('│').unwrap()]))
            .collect();
        assert!(bar_col.iter().all(|c| *c == bar_col[0]), "{text}");
        assert!(lines[1].ends_with(" 2,875,129.00"), "{text}");
        assert!(lines[1].matches('█').count() > lines[3].matches('█').count() * 10);
        assert!(lines.iter().all(|l| width(l) <= 80), "{text}");
    }
}
