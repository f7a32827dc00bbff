//! Table grids: finding the tables of a document (a title line, then tab-separated rows,
//! possibly cut into pieces at page breaks and continued after "表3" or a repeated
//! header), the unit line of each table, and the prose lines outside tables.
//!
//! A grid row is a line with a tab. A table starts at a title line (a short line naming a
//! 表 or 绩效目标) that is followed by rows, or at rows with no title; it continues over
//! blank lines, page markers ("表3", "续表") and unit lines, and ends at the next line of
//! prose or title. Rows separated by a gap form separate pieces, each with its own header.

use crate::model::Unit;

use super::number::{CellValue, classify, is_digits};
use super::text::{Line, clean_heading, compact, normalise_spaces};

/// One row of a grid: its cells (spaces normalised) and its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<String>,
    /// Number of tab-separated cells as printed (before trailing empties are counted).
    pub raw_cells: usize,
}

impl Row {
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }

    /// Index of the row's label: the first cell that is text (not a number, code, dash).
    pub fn name_col(&self) -> Option<usize> {
        self.cells
            .iter()
            .position(|c| matches!(classify(c), CellValue::Text))
    }

    /// The non-empty cells.
    pub fn non_empty(&self) -> impl Iterator<Item = (usize, &str)> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| (i, c.as_str()))
    }

    pub fn has_number(&self) -> bool {
        self.cells
            .iter()
            .any(|c| matches!(classify(c), CellValue::Number(_)))
    }

    /// A row of meta data ("单位名称：…", "单位：元", "填报单位：…", "部门名称").
    pub fn is_meta(&self) -> bool {
        self.cells.iter().any(|c| is_meta_cell(c))
    }
}

fn is_meta_cell(c: &str) -> bool {
    let c = compact(c);
    c.starts_with("单位名称：")
        || c.starts_with("单位名称:")
        || c.starts_with("填报单位")
        || c.starts_with("编制单位")
        || c.starts_with("部门名称")
        || c.starts_with("预算单位：")
        || parse_unit(&c).is_some()
}

/// Reads a unit statement: "单位：元", "单位:万元", "单元：元", "金额单位：万元".
pub fn parse_unit(s: &str) -> Option<Unit> {
    let c = compact(s);
    for key in ["单位", "单元"] {
        let mut rest = c.as_str();
        while let Some(pos) = rest.find(key) {
            let after = &rest[pos + key.len()..];
            let after = after.strip_prefix('：').or_else(|| after.strip_prefix(':'));
            if let Some(a) = after {
                if a.starts_with("万元") {
                    return Some(Unit::Wan);
                }
                if a.starts_with('元') {
                    return Some(Unit::Yuan);
                }
            }
            rest = &rest[pos + key.len()..];
        }
    }
    None
}

/// A run of rows without a gap, split into header rows and data rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Piece {
    pub header: Vec<Row>,
    pub data: Vec<Row>,
}

impl Piece {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.header.iter().chain(self.data.iter())
    }
}

/// A table as found in the text: title, pieces, unit.
#[derive(Debug, Clone, PartialEq)]
pub struct TableGrid {
    /// Title as printed (markdown removed); empty for an untitled grid.
    pub title: String,
    /// The title's line, or the first row's line for an untitled grid.
    pub start_line: u32,
    pub end_line: u32,
    pub pieces: Vec<Piece>,
    /// The unit the table states (default 元).
    pub unit: Unit,
    /// Whether the unit was printed.
    pub unit_printed: bool,
    /// Nothing but blank lines and markers follow the table: it ends the document.
    pub at_eof: bool,
    /// Layout text: the table's source lines (line, text), for forms that are not grids
    /// (绩效目标表). Empty for tab-separated tables.
    pub source: Vec<(u32, String)>,
}

impl TableGrid {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.pieces.iter().flat_map(|p| p.rows())
    }

    pub fn data_rows(&self) -> impl Iterator<Item = &Row> {
        self.pieces.iter().flat_map(|p| p.data.iter())
    }

    /// Widest header row (raw cells).
    pub fn header_width(&self) -> usize {
        self.pieces
            .iter()
            .flat_map(|p| p.header.iter())
            .map(|r| r.raw_cells)
            .max()
            .unwrap_or(0)
    }
}

/// A line of prose (outside every table), as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProseLine {
    pub line: u32,
    pub text: String,
}

/// The document cut into tables and prose.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub tables: Vec<TableGrid>,
    pub prose: Vec<ProseLine>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Blank,
    Row,
    Marker,
    Title,
    Text,
}

fn kind(text: &str) -> Kind {
    if text.contains('\t') {
        if text.split('\t').all(|c| c.trim().is_empty()) {
            return Kind::Blank;
        }
        return Kind::Row;
    }
    let t = text.trim();
    if t.is_empty() {
        return Kind::Blank;
    }
    if is_marker(t) {
        return Kind::Marker;
    }
    if is_title(t) {
        return Kind::Title;
    }
    Kind::Text
}

/// Page markers that do not end a table: "表3", "续表", "(续)", "单位：元", page numbers.
fn is_marker(t: &str) -> bool {
    let c = compact(&clean_heading(t));
    if c.is_empty() {
        return true;
    }
    if parse_unit(&c).is_some() && c.chars().count() <= 30 {
        return true;
    }
    let stripped = c
        .trim_start_matches("续")
        .trim_end_matches("（续）")
        .trim_end_matches("(续)")
        .trim_end_matches('续');
    if let Some(rest) = stripped.strip_prefix('表')
        && (rest.is_empty()
            || rest
                .chars()
                .all(|ch| ch.is_ascii_digit() || "一二三四五六七八九十-－".contains(ch)))
    {
        return true;
    }
    if c == "（续）" || c == "(续)" {
        return true;
    }
    // Page numbers: "3", "- 3 -", "第3页".
    let digits = c.trim_matches(|ch: char| ch == '-' || ch == '—' || ch == '第' || ch == '页');
    is_digits(digits) && digits.len() <= 4 && !c.contains('.')
}

/// A table title: short, names a 表 or a 绩效目标, not a sentence.
pub fn is_title(t: &str) -> bool {
    let c = clean_heading(t);
    let n = c.chars().count();
    if n == 0 || n > 60 {
        return false;
    }
    if c.ends_with('。') || c.ends_with('：') || c.ends_with(':') || c.contains('，') {
        return false;
    }
    c.contains('表') || c.contains("绩效目标")
}

fn split_cells(text: &str) -> Row {
    let raw: Vec<&str> = text.split('\t').collect();
    Row {
        line: 0,
        raw_cells: raw.len(),
        cells: raw.iter().map(|c| normalise_spaces(c)).collect(),
    }
}

/// True for a row that opens the data part: it has a number, or starts with a code, or
/// its only text is 合计/总计.
fn looks_like_data(row: &Row) -> bool {
    if row
        .cells
        .first()
        .map(|c| c.starts_with("栏次") || c.starts_with("行次"))
        == Some(true)
    {
        return false;
    }
    if row.has_number() {
        return true;
    }
    let texts: Vec<String> = row
        .cells
        .iter()
        .filter(|c| matches!(classify(c), CellValue::Text))
        .map(|c| compact(c))
        .collect();
    texts.len() == 1 && matches!(texts[0].as_str(), "合计" | "总计" | "小计")
}

fn finish_piece(rows: Vec<Row>) -> Piece {
    let mut piece = Piece::default();
    let mut in_header = true;
    for row in rows {
        if in_header && !looks_like_data(&row) {
            piece.header.push(row);
        } else {
            in_header = false;
            piece.data.push(row);
        }
    }
    piece
}

struct Building {
    title: String,
    start_line: u32,
    end_line: u32,
    pieces: Vec<Vec<Row>>,
    gap: bool,
    unit: Option<Unit>,
}

impl Building {
    fn new(title: String, line: u32) -> Self {
        Building {
            title,
            start_line: line,
            end_line: line,
            pieces: Vec::new(),
            gap: false,
            unit: None,
        }
    }

    fn has_rows(&self) -> bool {
        self.pieces.iter().any(|p| !p.is_empty())
    }

    fn finish(self, at_eof: bool) -> TableGrid {
        let pieces: Vec<Piece> = self
            .pieces
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(finish_piece)
            .collect();
        let mut unit = self.unit;
        if unit.is_none() {
            unit = pieces
                .iter()
                .flat_map(|p| p.header.iter())
                .flat_map(|r| r.cells.iter())
                .find_map(|c| parse_unit(c));
        }
        TableGrid {
            title: self.title,
            start_line: self.start_line,
            end_line: self.end_line,
            pieces,
            unit: unit.unwrap_or(Unit::Yuan),
            unit_printed: unit.is_some(),
            at_eof,
            source: Vec::new(),
        }
    }
}

/// Cuts a document's lines into tables and prose.
pub fn layout(lines: &[Line<'_>]) -> Layout {
    let mut out = Layout::default();
    let mut current: Option<Building> = None;
    // A title waiting for its rows, with the prose line it would otherwise be.
    for line in lines {
        match kind(line.text) {
            Kind::Blank => {
                if let Some(b) = current.as_mut() {
                    b.gap = true;
                }
            }
            Kind::Marker => match current.as_mut() {
                Some(b) => {
                    b.gap = true;
                    if b.unit.is_none() {
                        b.unit = parse_unit(line.text);
                    }
                }
                None => out.prose.push(ProseLine {
                    line: line.no,
                    text: line.text.to_string(),
                }),
            },
            Kind::Row => {
                let mut row = split_cells(line.text);
                row.line = line.no;
                let b = current.get_or_insert_with(|| Building::new(String::new(), line.no));
                if b.gap || b.pieces.is_empty() {
                    b.pieces.push(Vec::new());
                    b.gap = false;
                }
                if let Some(p) = b.pieces.last_mut() {
                    p.push(row);
                }
                b.end_line = line.no;
            }
            Kind::Title => {
                close(&mut current, &mut out, false);
                current = Some(Building::new(clean_heading(line.text), line.no));
            }
            Kind::Text => {
                close(&mut current, &mut out, false);
                out.prose.push(ProseLine {
                    line: line.no,
                    text: line.text.to_string(),
                });
            }
        }
    }
    close(&mut current, &mut out, true);
    out.prose.sort_by_key(|p| p.line);
    out
}

fn close(current: &mut Option<Building>, out: &mut Layout, at_eof: bool) {
    if let Some(b) = current.take() {
        if b.has_rows() {
            out.tables.push(b.finish(at_eof));
        } else if !b.title.is_empty() {
            // A title with no rows is prose (e.g. "五、部门预算表（详见…）").
            out.prose.push(ProseLine {
                line: b.start_line,
                text: b.title,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::text::lines;

    #[test]
    fn units() {
        assert_eq!(parse_unit("单位：元"), Some(Unit::Yuan));
        assert_eq!(parse_unit("单位:万元"), Some(Unit::Wan));
        assert_eq!(parse_unit("单元：元"), Some(Unit::Yuan));
        assert_eq!(parse_unit("单位名称：万源市社保局"), None);
    }

    #[test]
    fn cuts_tables_and_pieces() {
        let text = "# 标题\n\n说明文字。\n\n## 部门收支总表\n\n单位：元\n项目\t金额\n合计\t1.00\n\n表3\n项目\t金额\n合计\t2.00\n\n后文。\n";
        let l = lines(text);
        let lay = layout(&l);
        assert_eq!(lay.tables.len(), 1);
        let t = &lay.tables[0];
        assert_eq!(t.title, "部门收支总表");
        assert_eq!(t.start_line, 5);
        assert_eq!(t.pieces.len(), 2);
        assert_eq!(t.pieces[0].header.len(), 1);
        assert_eq!(t.pieces[0].data[0].line, 9);
        assert!(!t.at_eof);
        assert!(lay.prose.iter().any(|p| p.text == "后文。"));
    }
}
