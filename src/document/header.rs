//! Multi-row column headers: which labels stand over each column of a piece.
//!
//! A header cell spans to the right up to the next label of its row, bounded by the
//! span of the label above it, so "工资福利支出" over 小计/基本工资/… is the group of each
//! of those columns. When a publisher's export shifted the value labels one column left
//! (the label 合计 printed over the column that holds the row names), the labels are
//! moved right to the first column that holds amounts.

use super::grid::Row;
use super::number::{CellValue, classify};
use super::text::compact;

/// One label over a column.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    /// The label is printed at this very column (not spanned from the left).
    pub exact: bool,
}

/// The labels over each column, top to bottom.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Columns {
    pub paths: Vec<Vec<Label>>,
}

impl Columns {
    pub fn path(&self, col: usize) -> &[Label] {
        self.paths.get(col).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The lowest label printed exactly at the column (or spanned, if none).
    pub fn leaf(&self, col: usize) -> Option<&str> {
        let p = self.path(col);
        p.iter()
            .rev()
            .find(|l| l.exact)
            .or_else(|| p.last())
            .map(|l| l.text.as_str())
    }

    /// All labels of the column joined, for keyword tests.
    pub fn joined(&self, col: usize) -> String {
        self.path(col)
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Labels that name the row-label columns (codes, names), not a value column.
pub fn is_structural(label: &str) -> bool {
    let c = compact(label);
    [
        "科目",
        "单位名称",
        "单位代码",
        "单位编码",
        "项目单位",
        "项目名称",
        "任务名称",
        "主要内容",
    ]
    .iter()
    .any(|k| c.contains(k))
        || matches!(
            c.as_str(),
            "项目"
                | "类"
                | "款"
                | "项"
                | "编码"
                | "名称"
                | "功能分类"
                | "经济分类"
                | "栏次"
                | "行次"
        )
}

/// Columns holding row-label text in rows that carry amounts (before the first amount).
fn text_columns(data: &[Row]) -> (Vec<usize>, Option<usize>) {
    let mut text_cols = Vec::new();
    let mut first_value: Option<usize> = None;
    for row in data {
        let first_num = row
            .cells
            .iter()
            .enumerate()
            .skip(row.name_col().map_or(0, |n| n + 1))
            .find(|(_, c)| matches!(classify(c), CellValue::Number(_)))
            .map(|(i, _)| i);
        let Some(first_num) = first_num else {
            continue;
        };
        first_value = Some(first_value.map_or(first_num, |f: usize| f.min(first_num)));
        for (i, c) in row.cells.iter().enumerate().take(first_num) {
            if matches!(classify(c), CellValue::Text) && !text_cols.contains(&i) {
                text_cols.push(i);
            }
        }
    }
    (text_cols, first_value)
}

/// Builds the column labels of a piece from its header rows, aligned to its data rows.
pub fn columns(header: &[Row], data: &[Row]) -> Columns {
    let rows: Vec<&Row> = header.iter().filter(|r| !r.is_meta()).collect();
    let width = rows
        .iter()
        .map(|r| r.cells.len())
        .chain(data.iter().map(|r| r.cells.len()))
        .max()
        .unwrap_or(0);
    // Shift of misaligned value labels.
    let (text_cols, first_value) = text_columns(data);
    let mut shift = 0usize;
    let mut shift_from = usize::MAX;
    if let Some(bottom) = rows
        .iter()
        .rev()
        .find(|r| r.non_empty().any(|(_, c)| !is_structural(c)))
        && let Some((l, _)) = bottom.non_empty().find(|(_, c)| !is_structural(c))
        && let Some(fv) = first_value
        && text_cols.contains(&l)
        && fv > l
    {
        shift = fv - l;
        shift_from = l;
    }
    let width = width + shift;
    let mut paths: Vec<Vec<Label>> = vec![Vec::new(); width];
    // Span end of the label above each column.
    let mut parent_end: Vec<usize> = vec![width; width];
    for row in rows {
        let mut placed: Vec<(usize, String)> = Vec::new();
        for (i, c) in row.non_empty() {
            let col = if i >= shift_from && !is_structural(c) {
                i + shift
            } else {
                i
            };
            if col < width {
                placed.push((col, c.to_string()));
            }
        }
        placed.sort_by_key(|(c, _)| *c);
        let mut new_end = parent_end.clone();
        for (k, (col, text)) in placed.iter().enumerate() {
            let next = placed.get(k + 1).map_or(width, |(c, _)| *c);
            let end = next.min(parent_end[*col]).max(col + 1).min(width);
            for (j, path) in paths.iter_mut().enumerate().take(end).skip(*col) {
                path.push(Label {
                    text: text.clone(),
                    exact: j == *col,
                });
                new_end[j] = end;
            }
        }
        parent_end = new_end;
    }
    Columns { paths }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u32, s: &str) -> Row {
        let cells: Vec<String> = s.split('\t').map(|c| c.trim().to_string()).collect();
        Row {
            line,
            raw_cells: cells.len(),
            cells,
        }
    }

    #[test]
    fn shifted_labels_are_realigned() {
        let header = vec![
            row(1, "项目\t\t\t\t合计\t基本支出\t项目支出"),
            row(2, "类\t款\t项\t\t单位代码"),
        ];
        let data = vec![row(
            3,
            "208\t01\t09\t203101\t社会保险经办机构\t2.00\t1.00\t1.00",
        )];
        let cols = columns(&header, &data);
        assert_eq!(cols.leaf(5), Some("合计"));
        assert_eq!(cols.leaf(6), Some("基本支出"));
        assert_eq!(cols.leaf(7), Some("项目支出"));
    }

    #[test]
    fn groups_span_their_columns() {
        let header = vec![
            row(1, "项目\t\t合计\t工资福\t\t"),
            row(2, "科目\t科目名称\t\t小计\t基本工资\t津贴补贴"),
        ];
        let data = vec![row(3, "\t合计\t3.00\t3.00\t1.00\t2.00")];
        let cols = columns(&header, &data);
        assert_eq!(cols.leaf(2), Some("合计"));
        assert_eq!(cols.joined(3), "工资福/小计");
        assert_eq!(cols.joined(5), "工资福/津贴补贴");
    }
}
