//! Coverage: what the parser read of a document, measured by the parser itself.
//!
//! Two questions, answered for every document:
//! - which of the standard tables a document of its kind carries were found, and which
//!   table regions print numbers that no alias or header shape recognised;
//! - what became of every number printed inside a recognised table: stored as a fact,
//!   skipped for a stated reason (行次/栏次 numbers, classification codes, page numbers,
//!   ratio columns, years, indicator values of 绩效目标 forms), or unread.
//!
//! The count works from the printed lines, not from the handlers' view of them: each
//! number token of the table's lines is matched to a fact of that table with the same
//! printed value (on its line first, then anywhere in the table, for names wrapped over
//! lines), and only what no fact explains is given a reason or called unread. A row the
//! handlers lose therefore shows up as unread numbers on its line, whatever the handler.

use rust_decimal::Decimal;

use crate::document::grid::{ProseLine, TableGrid};
use crate::document::layout::{tokenize, year_before_nian};
use crate::document::number::{oversized_amount, parse_amount};
use crate::document::text::compact;
use crate::model::{
    Coverage, CoverageStatus, Fact, Phase, TableInfo, Target, Unit, UnreadNumber, statement,
};

use super::UNRECOGNISED;
use super::registry;

/// Why a number printed in a table is not a fact.
pub mod skip {
    /// 行次 / 栏次 / 序号: row and column numbers of the central 决算 template.
    pub const LINE_NUMBER: &str = "line_number";
    /// A classification code (类/款/项 columns, 经济分类 codes) or a unit code.
    pub const CODE: &str = "code";
    /// A page number printed inside the table.
    pub const PAGE_NUMBER: &str = "page_number";
    /// A ratio column (增长率, 下降%, 比例): not money.
    pub const RATIO: &str = "ratio";
    /// A year in a header ("2024" over a column).
    pub const YEAR: &str = "year";
    /// A number inside an indicator's text of a 绩效目标 form (≥98, 12 次), stored in
    /// `targets` as printed.
    pub const TARGET_TEXT: &str = "target_text";
}

/// What became of one number of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Stored as the fact with this index in the document's facts.
    Stored(usize),
    Skipped(&'static str),
    Unread,
}

/// One number printed in a table, as found on its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedNumber {
    pub line: u32,
    /// Character cells (layout text) or cell index (tab-separated) where it stands.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub fate: Fate,
}

/// The numbers of one table with their fates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNumbers {
    pub numbers: Vec<PrintedNumber>,
}

impl TableNumbers {
    pub fn stored(&self) -> usize {
        self.count(|f| matches!(f, Fate::Stored(_)))
    }
    pub fn skipped(&self) -> usize {
        self.count(|f| matches!(f, Fate::Skipped(_)))
    }
    pub fn unread(&self) -> usize {
        self.count(|f| matches!(f, Fate::Unread))
    }
    fn count(&self, p: impl Fn(&Fate) -> bool) -> usize {
        self.numbers.iter().filter(|n| p(&n.fate)).count()
    }
}

/// A token of a table line: its position and text.
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    text: String,
}

/// The table's lines as tokens: layout text by its character cells, tab-separated rows
/// by cell index. Lines past the table's end (trailing prose) are left out.
fn table_lines(table: &TableGrid) -> Vec<(u32, Vec<Token>)> {
    if !table.source.is_empty() {
        return table
            .source
            .iter()
            .filter(|(no, _)| *no <= table.end_line)
            .map(|(no, text)| {
                let toks = tokenize(text, false)
                    .into_iter()
                    .map(|t| Token {
                        start: t.start,
                        end: t.end,
                        text: t.text,
                    })
                    .collect();
                (*no, toks)
            })
            .collect();
    }
    let mut out: Vec<(u32, Vec<Token>)> = table
        .rows()
        .map(|r| {
            let toks = r
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.is_empty())
                .map(|(i, c)| Token {
                    start: i,
                    end: i + 1,
                    text: c.clone(),
                })
                .collect();
            (r.line, toks)
        })
        .collect();
    out.sort_by_key(|(no, _)| *no);
    out
}

/// A printed number: an amount, or one with too many digits to store (counted, so that it
/// is reported unread rather than passed over as text).
fn is_number(t: &str) -> bool {
    parse_amount(t).is_some() || oversized_amount(t)
}

fn bare_digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// Header words that say a run of text lines is a (repeated) header.
const HEADER_WORDS: &[&str] = &[
    "项目",
    "科目",
    "栏次",
    "行次",
    "预算数",
    "决算数",
    "金额",
    "合计",
    "功能分类",
    "经济分类",
];

/// The printed value of a fact in its table's unit.
fn printed_value(f: &Fact) -> Decimal {
    match f.unit {
        Unit::Yuan => f.amount,
        Unit::Wan => f.amount / Decimal::from(10_000),
    }
}

/// Counts the numbers of one table. `facts` are the table's facts, `first_fact` the
/// index of the first of them in the document's facts; `known_codes` the classification
/// and unit codes the document prints elsewhere.
pub fn count_table(
    table: &TableGrid,
    id: &str,
    facts: &[Fact],
    first_fact: usize,
    targets: &[Target],
    known_codes: &[String],
) -> TableNumbers {
    let lines = table_lines(table);
    let mentions_line_numbers = lines.iter().any(|(_, toks)| {
        toks.iter().any(|t| {
            ["行次", "栏次", "序号"]
                .iter()
                .any(|k| compact(&t.text).contains(k))
        })
    });
    let target_lines: Vec<u32> = targets.iter().map(|t| t.src_line).collect();
    // Codes the table's rows carry (a code whose name wraps over other lines stands
    // alone on its line; the second 经济分类 pair prints its code after an amount).
    let codes: std::collections::HashSet<&str> = facts
        .iter()
        .flat_map(|f| {
            [
                f.func_code.as_deref(),
                f.econ_code.as_deref(),
                f.org_code.as_deref(),
            ]
        })
        .flatten()
        .chain(known_codes.iter().map(String::as_str))
        .collect();

    // Header tokens in force for each line: the text-only lines before the first
    // number, replaced by any later run of text-only lines that reads as a header.
    let mut header: Vec<Token> = Vec::new();
    let mut pending: Vec<Token> = Vec::new();
    let mut pending_is_header = false;
    let mut seen_numbers = false;
    let mut out: Vec<PrintedNumber> = Vec::new();
    let mut header_for: Vec<Vec<Token>> = Vec::new();
    for (no, toks) in &lines {
        let has_num = toks.iter().any(|t| is_number(&t.text));
        if !has_num {
            pending.extend(toks.iter().cloned());
            pending_is_header |= toks
                .iter()
                .any(|t| HEADER_WORDS.iter().any(|w| compact(&t.text).contains(w)));
            continue;
        }
        if (!seen_numbers || pending_is_header) && !pending.is_empty() {
            header = std::mem::take(&mut pending);
        }
        pending.clear();
        pending_is_header = false;
        seen_numbers = true;
        let numbering = {
            let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
            crate::document::layout::is_column_numbering(&texts)
        };
        let first_text = toks.iter().position(|t| !is_number(&t.text));
        // "- 16 -": a page number between dashes is alone on its line too.
        let only_token = toks
            .iter()
            .filter(|t| !t.text.chars().all(|c| matches!(c, '-' | '—' | '－')))
            .count()
            == 1;
        for (i, t) in toks.iter().enumerate() {
            if !is_number(&t.text) {
                continue;
            }
            let year_word = toks
                .get(i + 1)
                .is_some_and(|u| u.start <= t.end + 1 && year_before_nian(&t.text, &u.text));
            let fate = if numbering {
                Fate::Skipped(skip::LINE_NUMBER)
            } else if year_word {
                // "2026 年预算数" in a header the layout read as a row.
                Fate::Skipped(skip::YEAR)
            } else if bare_digits(&t.text) && t.text.len() >= 3 && codes.contains(t.text.as_str()) {
                Fate::Skipped(skip::CODE)
            } else if only_token && bare_digits(&t.text) && t.text.len() <= 4 {
                // Alone on its line: a page number (an amount alone on a line is a
                // number wrapped off its row, which a fact explains before this).
                Fate::Skipped(skip::PAGE_NUMBER)
            } else if only_token && bare_digits(&t.text) && matches!(t.text.len(), 3 | 5 | 7) {
                // A code alone on its line, its name wrapped above and below.
                Fate::Skipped(skip::CODE)
            } else if bare_digits(&t.text)
                && (first_text.is_some_and(|p| i < p)
                    || (matches!(t.text.len(), 3 | 5 | 7)
                        && toks.get(i + 1).is_some_and(|u| !is_number(&u.text))))
            {
                // Before the row's label, or a code-shaped number right before a
                // label (the second 经济分类 pair of a row): codes or 序号.
                Fate::Skipped(skip::CODE)
            } else {
                Fate::Unread
            };
            out.push(PrintedNumber {
                line: *no,
                start: t.start,
                end: t.end,
                text: t.text.clone(),
                fate,
            });
            header_for.push(header.clone());
        }
    }

    // Facts explain numbers: on their own line first, then anywhere in the table (a
    // row whose name wraps prints its amounts on another line than the fact's).
    let mut used = vec![false; facts.len()];
    for pass in 0..2 {
        for n in out.iter_mut() {
            if matches!(n.fate, Fate::Stored(_))
                || (pass == 1 && n.fate == Fate::Skipped(skip::CODE))
            {
                continue;
            }
            let Some(v) = parse_amount(&n.text) else {
                continue;
            };
            let found = facts.iter().enumerate().position(|(k, f)| {
                !used[k] && (pass == 1 || f.src_line == n.line) && printed_value(f) == v
            });
            if let Some(k) = found {
                used[k] = true;
                n.fate = Fate::Stored(first_fact + k);
            }
        }
    }

    // What no fact explains: a reason, or unread.
    for (n, header) in out.iter_mut().zip(header_for.iter()) {
        if !matches!(n.fate, Fate::Unread) {
            continue;
        }
        let label = header_label(header, n.start, n.end, table.source.is_empty());
        let digits = bare_digits(&n.text);
        if let Some(l) = &label
            && registry::is_ratio_label(l)
        {
            n.fate = Fate::Skipped(skip::RATIO);
        } else if digits
            && n.text.len() <= 3
            && !n.text.starts_with('0')
            && (mentions_line_numbers
                || label
                    .as_deref()
                    .is_some_and(|l| ["行次", "栏次", "序号"].iter().any(|k| l.contains(k))))
        {
            n.fate = Fate::Skipped(skip::LINE_NUMBER);
        } else if digits
            && n.text.len() == 4
            && parse_amount(&n.text)
                .is_some_and(|v| (Decimal::from(1990)..=Decimal::from(2100)).contains(&v))
            && label.as_deref().is_some_and(|l| l.contains('年'))
        {
            n.fate = Fate::Skipped(skip::YEAR);
        } else if id == statement::PERFORMANCE && target_lines.contains(&n.line) {
            n.fate = Fate::Skipped(skip::TARGET_TEXT);
        }
    }
    TableNumbers { numbers: out }
}

/// The header label over a number: the header token whose span is nearest to it.
fn header_label(header: &[Token], start: usize, end: usize, by_index: bool) -> Option<String> {
    if header.is_empty() {
        return None;
    }
    if by_index {
        return header
            .iter()
            .rev()
            .find(|t| t.start == start)
            .map(|t| compact(&t.text));
    }
    let centre = (start + end) as f64 / 2.0;
    header
        .iter()
        .map(|t| {
            let d = if (t.start as f64) <= centre && centre <= t.end as f64 {
                0.0
            } else {
                ((t.start + t.end) as f64 / 2.0 - centre).abs()
            };
            (d, t)
        })
        .filter(|(d, _)| *d <= 8.0)
        .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(_, t)| compact(&t.text))
}

/// The standard tables a 部门预算 or 部门决算 carries (the common core of the central
/// template that every province's set maps onto).
pub fn expected_tables(_phase: Phase) -> Vec<&'static str> {
    vec![
        statement::SUMMARY,
        statement::INCOME_BY_FUNC,
        statement::EXPENDITURE_BY_FUNC,
        statement::GRANT_SUMMARY,
        statement::GPB_BY_FUNC,
        statement::GPB_BASIC_BY_ECON,
        statement::THREE_PUBLIC,
        statement::GOV_FUND_BY_FUNC,
    ]
}

/// The expected tables whose absence makes a document partial: every disclosure of the
/// central template prints them. A missing 收入总表 or 政府性基金 table is listed in
/// `tables_missing` but does not by itself make the document partial: departments
/// without such funds often leave the table out, and the numbers of a table that is
/// printed but not found show up anyway (as unread rows of numbers).
pub fn is_core(id: &str) -> bool {
    matches!(
        id,
        statement::SUMMARY
            | statement::EXPENDITURE_BY_FUNC
            | statement::GRANT_SUMMARY
            | statement::GPB_BY_FUNC
            | statement::GPB_BASIC_BY_ECON
            | statement::THREE_PUBLIC
    )
}

/// Lines of prose that print two or more amounts: rows of a table the layout did not
/// find. (line, amounts on it)
pub fn tabular_prose(prose: &[ProseLine]) -> Vec<(u32, usize)> {
    prose
        .iter()
        .filter_map(|ProseLine { line: no, text }| {
            // A sentence quotes figures with their unit and punctuation; a table row
            // prints bare amounts in columns.
            if text.contains(['，', '。', '；', '：', ',']) && !text.contains("  ") {
                return None;
            }
            if text.contains(['，', '。', '；']) {
                return None;
            }
            let toks = tokenize(text, false);
            let amounts = toks
                .iter()
                .enumerate()
                .filter(|(i, t)| {
                    let unit_follows = toks.get(i + 1).is_some_and(|u| {
                        ["万元", "元", "亿元", "人", "个", "%", "年", "月"]
                            .iter()
                            .any(|w| u.text.starts_with(w))
                    });
                    parse_amount(&t.text).is_some()
                        && !unit_follows
                        && !(bare_digits(&t.text) && t.text.len() <= 2)
                })
                .count();
            (amounts >= 2).then_some((*no, amounts))
        })
        .collect()
}

/// Tables some provinces publish beside the standard set (政府采购, 政府购买服务,
/// 专项业务经费, 会议费 and 培训费 details, carry-over tables): not read into `facts`
/// yet, listed in `tables_unrecognised`, and no reason to call a document partial,
/// whose standard tables are what coverage measures.
pub fn is_other_table(title: &str) -> bool {
    const OTHER: &[&str] = &[
        "政府采购",
        "购买服务",
        "专项业务经费",
        "会议费",
        "培训费",
        "结转资金",
        "机关运行经费",
        "资产配置",
    ];
    let t = compact(title);
    OTHER.iter().any(|k| t.contains(k))
}

/// The Chinese name of a statement, for messages.
pub fn statement_name(id: &str) -> &'static str {
    match id {
        statement::SUMMARY => "收支总表",
        statement::INCOME_BY_FUNC => "收入总表",
        statement::EXPENDITURE_BY_FUNC => "支出总表",
        statement::GRANT_SUMMARY => "财政拨款收支总表",
        statement::GPB_BY_FUNC => "一般公共预算支出表",
        statement::GPB_BASIC_BY_ECON => "一般公共预算基本支出表",
        statement::GPB_PROJECTS => "项目支出表",
        statement::THREE_PUBLIC => "“三公”经费支出表",
        statement::GOV_FUND_BY_FUNC => "政府性基金预算支出表",
        statement::SOE_CAPITAL_BY_FUNC => "国有资本经营预算支出表",
        statement::PERFORMANCE => "绩效目标表",
        _ => "未识别的表",
    }
}

/// A sentence of the prose saying the document has no such funds, so prints no such
/// table (or an empty one): "本部门无政府性基金预算收支", "…为空表".
fn says_none(prose: &[String], what: &str) -> bool {
    prose.iter().any(|p| {
        p.split(['。', '；', ';']).any(|s| {
            s.contains(what)
                && ["无", "没有", "空表", "未安排", "为0", "为零", "不涉及"]
                    .iter()
                    .any(|k| s.contains(k))
        })
    })
}

/// The document's coverage from its tables' counts.
pub fn summarise(
    phase: Phase,
    tables: &[TableInfo],
    grids: &[TableGrid],
    numbers: &[TableNumbers],
    prose: &[ProseLine],
    org_missing: bool,
) -> Coverage {
    let prose_text: Vec<String> = prose.iter().map(|p| compact(&p.text)).collect();
    let prose_rows = tabular_prose(prose);
    let mut c = Coverage::default();
    let recognised: Vec<&TableInfo> = tables
        .iter()
        .filter(|t| t.statement != UNRECOGNISED)
        .collect();
    for (t, g) in tables.iter().zip(grids) {
        let prints_numbers = g.data_rows().any(|r| r.cells.iter().any(|c| is_number(c)))
            || table_lines(g)
                .iter()
                .any(|(_, toks)| toks.iter().any(|k| is_number(&k.text)));
        if t.statement == UNRECOGNISED && prints_numbers {
            c.unrecognised
                .push((t.start_line, t.end_line, t.title.clone()));
        }
    }
    // The part of a disclosure this is: its tables when it prints a core table (or
    // tables that could not be recognised, or rows of numbers the layout did not find);
    // otherwise its prose, even with a 绩效目标 form or a 三公 detail embedded in it.
    // (Core titles with no amount under them, only page numbers and years, are a list
    // of contents.)
    // A blank template prints core tables with their headers (or their rows of codes
    // and names) and no amounts; a list of contents prints only their titles.
    let headed_core = tables
        .iter()
        .zip(grids)
        .filter(|(t, g)| {
            is_core(&t.statement) && (g.header_width() >= 3 || g.data_rows().count() >= 3)
        })
        .count();
    let prints_tables = recognised
        .iter()
        .any(|t| is_core(&t.statement) && t.stored + t.unread > 0)
        || headed_core >= 2
        || c.unrecognised.iter().any(|(_, _, t)| !is_other_table(t))
        || prose_rows.len() >= 3;
    c.content = if prints_tables { "tables" } else { "narrative" }.to_string();
    if c.content == "tables" {
        c.expected = expected_tables(phase)
            .into_iter()
            .filter(|id| match *id {
                statement::GOV_FUND_BY_FUNC => !says_none(&prose_text, "政府性基金"),
                _ => true,
            })
            .collect();
        c.missing = c
            .expected
            .iter()
            .copied()
            .filter(|id| !recognised.iter().any(|t| t.statement == *id))
            .collect();
    }
    let mut skipped: Vec<(&'static str, usize)> = Vec::new();
    for (t, n) in tables.iter().zip(numbers) {
        if t.statement == UNRECOGNISED {
            continue;
        }
        c.numbers += n.numbers.len();
        c.stored += n.stored();
        for p in &n.numbers {
            match &p.fate {
                Fate::Skipped(why) => match skipped.iter_mut().find(|(w, _)| w == why) {
                    Some((_, k)) => *k += 1,
                    None => skipped.push((why, 1)),
                },
                Fate::Unread => c.unread.push(UnreadNumber {
                    src_line: p.line,
                    text: p.text.clone(),
                }),
                Fate::Stored(_) => {}
            }
        }
    }
    c.skipped = skipped;

    if org_missing {
        c.reasons
            .push("organisation not found in the document: named from the file; pass --org".into());
    }
    let core_missing: Vec<&str> = c.missing.iter().copied().filter(|id| is_core(id)).collect();
    if !core_missing.is_empty() {
        let names: Vec<String> = core_missing
            .iter()
            .map(|id| format!("{id} ({})", statement_name(id)))
            .collect();
        c.reasons
            .push(format!("standard tables not found: {}", names.join(", ")));
    }
    for (a, b, title) in c.unrecognised.iter().filter(|(_, _, t)| !is_other_table(t)) {
        let title = if title.is_empty() {
            "(untitled)"
        } else {
            title
        };
        c.reasons.push(format!(
            "table not recognised: {title} (lines {a}–{b}); its numbers are not stored"
        ));
    }
    if !c.unread.is_empty() {
        let mut lines: Vec<u32> = c.unread.iter().map(|u| u.src_line).collect();
        lines.dedup();
        let shown: Vec<String> = lines.iter().take(8).map(u32::to_string).collect();
        let more = if lines.len() > 8 { ", …" } else { "" };
        c.reasons.push(format!(
            "{} numbers in tables not read (lines {}{more})",
            c.unread.len(),
            shown.join(", ")
        ));
    }
    // Rows of numbers outside every table: a table the layout did not find.
    if prose_rows.len() >= 3 {
        let n: usize = prose_rows.iter().map(|(_, k)| k).sum();
        let shown: Vec<String> = prose_rows
            .iter()
            .take(6)
            .map(|(l, _)| l.to_string())
            .collect();
        let more = if prose_rows.len() > 6 { ", …" } else { "" };
        c.reasons.push(format!(
            "{} lines outside the tables print rows of numbers ({n} numbers, lines {}{more}): a table not found",
            prose_rows.len(),
            shown.join(", ")
        ));
        for (line, _) in &prose_rows {
            c.outside_rows.push(*line);
        }
    }
    c.status = if c.reasons.is_empty() {
        CoverageStatus::Complete
    } else {
        CoverageStatus::Partial
    };
    c
}
