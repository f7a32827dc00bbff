//! Layout text (`pdftotext -layout`): tables whose columns are aligned with spaces.
//!
//! Positions are character cells (pdftotext puts every character, CJK included, in one
//! cell; measured on the corpus, char offsets align columns far better than display
//! width). A table starts at a title line (a short line naming a 表 or 绩效目标) and runs
//! to the next title, a note ("注：", "说明：") or a paragraph of prose. Pages (form feeds)
//! are the pieces: each has its own column positions (continuation pages shift), its own
//! header if one is repeated, else the previous page's.
//!
//! Within a table:
//! - a line is cut into tokens (runs separated by two or more spaces; single spaces join
//!   words of a label but never a number to a label; "30207邮电费" is split);
//! - value columns are found from the amounts: the rows with the most amounts give the
//!   column positions (right edges, per page), rows with fewer are aligned to them in
//!   order (least total distance);
//! - a row is cut into blocks (codes, label, amounts); tables that print two label/amount
//!   groups side by side (收支总表, the 决算 基本支出表) have two sides; a side that prints
//!   codes in each group (经济分类 pairs) is un-pivoted: its rows follow the first side's;
//! - names wrapped onto the lines above and below their row (pdftotext centres the
//!   amounts vertically) are joined back; a code printed alone on the line above its
//!   name and amount is joined to it;
//! - header labels are clustered (a label wrapped over lines is one label; a label over
//!   several columns is a group), then matched to the value columns in order.
//!
//! The result is the same [`TableGrid`] the tab-separated reader produces, with
//! synthesised cells `[codes] [name] [amounts…]` per side and one header row per level, so
//! the statement handlers need not know which format the document came in.

use crate::model::Unit;

use super::grid::{Layout, Piece, ProseLine, Row, TableGrid, is_title, parse_unit};
use super::header::is_structural;
use super::number::{CellValue, classify, is_digits, parse_amount};
use super::text::{Line, compact};

/// A run of text on a line, at character cells `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Tok {
    /// Centre of the token, in character cells.
    pub fn center_pos(&self) -> f64 {
        self.center()
    }
    fn center(&self) -> f64 {
        (self.start + self.end) as f64 / 2.0
    }
    fn len(&self) -> usize {
        self.end - self.start
    }
}

fn is_dash(t: &str) -> bool {
    matches!(classify(t), CellValue::Dash)
}

/// A word that belongs to a label: not a number, not a dash, not bare digits.
fn is_texty(t: &str) -> bool {
    parse_amount(t).is_none() && !is_dash(t) && !is_digits(t)
}

/// "30207邮电费" -> ("30207", "邮电费"), "2130201-行政运行" -> ("2130201", "行政运行");
/// "2023年…" is not split.
fn split_glued(t: &str) -> Option<(String, String)> {
    let n = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if !matches!(n, 3 | 5 | 7) {
        return None;
    }
    let mut next = t.chars().nth(n)?;
    // Beijing's "2130201-行政运行": code, hyphen, name.
    let hyphen = matches!(next, '-' | '－') as usize;
    if hyphen == 1 {
        next = t.chars().nth(n + 1)?;
    }
    let cjk = ('\u{4e00}'..='\u{9fff}').contains(&next);
    // A unit after a number is a quantity ("2023年", "5个"), not a name; after a hyphen
    // it starts a name ("2010405-日常经济运行调节").
    if !cjk || (hyphen == 0 && "年月日号个人次万元亿台辆项家年度".contains(next)) {
        return None;
    }
    let code: String = t.chars().take(n).collect();
    let rest: String = t.chars().skip(n + hyphen).collect();
    Some((code, rest))
}

/// "机关事业单位职业年金缴费支出43608.96": a name too long for its cell runs into the
/// amount after it. The amount has a decimal point, so "2023年" and "第3" stay words.
fn split_glued_amount(t: &str) -> Option<(String, String)> {
    let digits_at = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, ',' | '.'))
        .last()
        .map(|(i, _)| i)?;
    let (label, amount) = t.split_at(digits_at);
    let before = label.chars().last()?;
    let fraction = amount.split_once('.').map(|(_, f)| f.len());
    let cjk = ('\u{4e00}'..='\u{9fff}').contains(&before);
    (cjk && matches!(fraction, Some(1 | 2))
        && amount.starts_with(|c: char| c.is_ascii_digit())
        && parse_amount(amount).is_some()
        && !"第约共年月日号个人次万元亿台辆项家度".contains(before))
    .then(|| (label.to_string(), amount.to_string()))
}

/// "2026 年政府采购项目", "其中：2026 年": a token ending in a year, followed by one that
/// starts with its 年, is a word and not an amount.
pub fn year_before_nian(token: &str, next: &str) -> bool {
    let digits: String = token
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.len() == 4
        && (digits.ends_with("91") || digits.ends_with("02"))
        && token
            .chars()
            .rev()
            .nth(4)
            .is_none_or(|c| !c.is_ascii_digit() && c != '.' && c != ',')
        && next.starts_with('年')
}

/// Cuts a line into tokens. With `merge`, words one space apart that are both label
/// words are one token ("信息 网络 及软件 购置").
pub fn tokenize(line: &str, merge: bool) -> Vec<Tok> {
    let chars: Vec<char> = line
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '\u{3000}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            i += 1;
            continue;
        }
        let s = i;
        while i < chars.len() && chars[i] != ' ' {
            i += 1;
        }
        let text: String = chars[s..i].iter().collect();
        if let Some(last) = out.last_mut()
            && s == last.end + 1
            && ((merge && is_texty(&last.text) && is_texty(&text) && split_glued(&text).is_none())
                || year_before_nian(&last.text, &text))
        {
            last.text.push(' ');
            last.text.push_str(&text);
            last.end = i;
            continue;
        }
        if let Some((label, amount)) = split_glued_amount(&text) {
            let n = label.chars().count();
            out.push(Tok {
                start: s,
                end: s + n,
                text: label,
            });
            out.push(Tok {
                start: s + n,
                end: i,
                text: amount,
            });
            continue;
        }
        if let Some((code, rest)) = split_glued(&text) {
            let n = code.chars().count();
            out.push(Tok {
                start: s,
                end: s + n,
                text: code,
            });
            out.push(Tok {
                start: i - rest.chars().count(),
                end: i,
                text: rest,
            });
            continue;
        }
        out.push(Tok {
            start: s,
            end: i,
            text,
        });
    }
    out
}

/// Whether a document is layout text rather than tab-separated grids.
pub fn is_layout_text(lines: &[Line<'_>]) -> bool {
    let tab_rows = lines
        .iter()
        .filter(|l| l.text.split('\t').filter(|c| !c.trim().is_empty()).count() >= 2)
        .count();
    tab_rows < 3
}

/// "编制部门：…", "单位：元" and the like: not part of the grid.
fn is_meta_token(t: &str) -> bool {
    let c = compact(t);
    [
        "编制部门",
        "编制单位",
        "单位名称：",
        "单位名称:",
        "填报单位",
        "部门名称：",
        "部门名称:",
        "预算单位：",
        "预算主管部门",
    ]
    .iter()
    .any(|k| c.starts_with(k))
        || (parse_unit(&c).is_some() && c.chars().count() <= 12)
}

fn is_note(t: &str) -> bool {
    let c = compact(t);
    ["注：", "注:", "说明：", "说明:", "备注：", "备注:"]
        .iter()
        .any(|k| c.starts_with(k))
}

/// A paragraph line: one run of text with sentence punctuation.
fn is_paragraph(toks: &[Tok]) -> bool {
    if toks.len() != 1 {
        return false;
    }
    let c = compact(&toks[0].text);
    c.chars().count() >= 16 && (c.contains('。') || c.contains('，') || c.contains('；'))
}

/// A title of a table in layout text.
fn is_layout_title(text: &str, toks: &[Tok]) -> bool {
    // One run of text; "2026 年部门收支总体情况表" is one too (the year is a number
    // token one space from its 年).
    let one_run = toks.len() == 1
        || (toks.len() == 2
            && is_digits(&toks[0].text)
            && toks[0].text.len() == 4
            && toks[1].text.starts_with('年')
            && toks[1].start <= toks[0].end + 1)
        // "预算02表   收入总表": a table number a few spaces before the name.
        || (toks.len() == 2
            && is_table_number(&toks[0].text)
            && toks[1].start <= toks[0].end + 6);
    if !one_run || is_note(text) {
        return false;
    }
    let c = compact(text);
    // "表1：2026年市级部门收支预算总表": the colon after a table number is no label.
    let named = match c.split_once(['：', ':']) {
        Some((number, rest)) if names_a_table(&format!("{number}1")) && !rest.is_empty() => {
            rest.to_string()
        }
        _ => c.clone(),
    };
    // A long qualifier does not make a title a sentence: "2022年部门综合预算一般公共预算基本
    // 支出明细表（按支出功能分类科目-不含上年结转）" is 42 characters, 24 before its bracket.
    let core = match named.find(['（', '(']) {
        Some(open) if named.ends_with('）') || named.ends_with(')') => &named[..open],
        _ => named.as_str(),
    };
    if core.chars().count() > 40 || named.chars().count() > 60 {
        return false;
    }
    if named.contains('：') || named.contains(':') {
        return false;
    }
    is_title(&named) && names_a_table(&c) && !c.contains("情况说明")
}

/// A line that opens a bracket it does not close.
fn opens_a_bracket(text: &str) -> bool {
    let open = text.matches(['（', '(']).count();
    let close = text.matches(['）', ')']).count();
    open > close
}

/// "预算02表", "表3", "公开01表", "附表2": a table's number, alone.
fn is_table_number(t: &str) -> bool {
    let c = compact(t);
    let c = ["预算", "决算", "公开", "附"]
        .iter()
        .find_map(|p| c.strip_prefix(p))
        .unwrap_or(&c);
    let c = c.strip_prefix('表').unwrap_or(c);
    let c = c.strip_suffix('表').unwrap_or(c);
    !c.is_empty() && c.len() <= 3 && c.bytes().all(|b| b.is_ascii_digit())
}

/// The first line of a title wrapped over two: one run of text naming a budget's part
/// ("2021年部门综合预算一般公共预算拨款“三公”经费及"), not a label ("预算单位：…").
fn is_title_head(text: &str) -> bool {
    let c = compact(text);
    c.chars().count() >= 8
        && ["预算", "决算", "经费", "收支", "支出", "收入"]
            .iter()
            .any(|w| c.contains(w))
        && !c.contains('：')
        && !c.contains(':')
        && !c.ends_with('。')
        && !c.ends_with('表')
        && (c.ends_with('及') || c.ends_with('和') || c.ends_with('、') || c.ends_with('与'))
}

/// "（按经济分类科目分）", "(不含上年结转)": a parenthesised qualifier of a title.
fn is_title_qualifier(text: &str) -> bool {
    let c = compact(text);
    let n = c.chars().count();
    (c.starts_with('（') || c.starts_with('('))
        && (c.ends_with('）') || c.ends_with(')'))
        && (4..=30).contains(&n)
        && !c.chars().any(|ch| ch.is_ascii_digit())
}

/// A title names a table: it ends with 表 (before a parenthesis such as "（不含上年结转）"
/// or a 续), or it starts with a table number ("表1", "表一", "公开01表", "预算01表",
/// "附表2"). A line of a 绩效目标 form that merely contains 表 ("发表论文数",
/// "调查表、死亡人口") is not one.
fn names_a_table(c: &str) -> bool {
    let mut t = c.trim_end_matches(['续', ' ']).to_string();
    loop {
        let trimmed = t.trim_end_matches(['续', ' ']);
        let Some(stripped) = trimmed
            .strip_suffix('）')
            .or_else(|| trimmed.strip_suffix(')'))
            .and_then(|inner| {
                inner
                    .rfind(['（', '('])
                    .map(|open| inner[..open].to_string())
            })
        else {
            break;
        };
        if stripped.is_empty() {
            break;
        }
        t = stripped;
    }
    if t.ends_with('表') {
        return true;
    }
    let numbered = |rest: &str| {
        rest.chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_digit() || "一二三四五六七八九十".contains(ch))
    };
    let body = c.trim_start_matches(|ch: char| {
        ch.is_ascii_digit() || "一二三四五六七八九十、.．".contains(ch)
    });
    for prefix in ["表", "附表", "公开表", "部门公开表"] {
        if let Some(rest) = body.strip_prefix(prefix)
            && numbered(rest)
        {
            return true;
        }
    }
    // "公开01表", "预算01表", "部门公开01表 …".
    ["公开", "预算", "决算"].iter().any(|p| {
        body.find(p).is_some_and(|i| {
            let rest = &body[i + p.len()..];
            let digits = rest.chars().take_while(|ch| ch.is_ascii_digit()).count();
            digits > 0 && rest[digits..].starts_with('表')
        })
    })
}

/// A page number ("- 12 -", "—3—", "第 3 页") or a table's number printed alone at the
/// foot or head of a page ("公开表 04", "公开04表", "表 8"): its digits are not amounts,
/// and a dash read as an empty cell would pull a continuation page's columns askew.
fn is_page_furniture(text: &str) -> bool {
    let c = compact(text);
    let dashes = |ch: char| matches!(ch, '-' | '—' | '–' | '－');
    let page = c
        .strip_prefix('第')
        .and_then(|r| r.strip_suffix('页'))
        .unwrap_or_else(|| c.trim_matches(dashes));
    if page != c.as_str() && !page.is_empty() && page.len() <= 4 && is_digits(page) {
        return true;
    }
    // "第 4 页，共 40 页", "第4页/共40页", "共40页 第4页".
    let numbered = |s: &str, a: char, b: char| -> Option<usize> {
        let r = s.strip_prefix(a)?;
        let n = r.find(b)?;
        (n > 0 && n <= 4 && is_digits(&r[..n])).then_some(a.len_utf8() + n + b.len_utf8())
    };
    let page_of = |s: &str| -> bool {
        let Some(first) = numbered(s, '第', '页').or_else(|| numbered(s, '共', '页')) else {
            return false;
        };
        let rest = s[first..].trim_start_matches([',', '，', '/', '、', ';', '；']);
        numbered(rest, '共', '页')
            .or_else(|| numbered(rest, '第', '页'))
            .is_some_and(|n| n == rest.len())
    };
    if page_of(&c) {
        return true;
    }
    let rest = ["公开表", "公开", "预算表", "预算", "表"]
        .iter()
        .find_map(|p| c.strip_prefix(p));
    rest.is_some_and(|r| {
        let digits = r.strip_suffix('表').unwrap_or(r);
        !digits.is_empty() && digits.len() <= 3 && is_digits(digits)
    })
}

/// A header line repeated on a continuation page (not a label-only row such as
/// "十六、金融支出").
fn looks_like_header(toks: &[Tok]) -> bool {
    const KEYS: &[&str] = &[
        "项目", "科目", "合计", "预算", "决算", "金额", "编码", "名称", "经费", "收入", "支出",
    ];
    // "苏州市水务局 2026年度单位预算公开": the running head of every page, not a column
    // header; no column is ever labelled 公开.
    !toks.iter().any(|t| {
        let c = compact(&t.text);
        super::text::strip_ordinal(&c) != c || c.contains("公开")
    }) && toks.iter().any(|t| {
        let c = compact(&t.text);
        structural(&c) || KEYS.iter().any(|k| c.contains(k))
    })
}

/// A contents line ("六、其他相关情况说明", "1. 2023年部门收入预算总表"): one run of
/// text that begins with an ordinal.
fn is_contents_line(toks: &[Tok]) -> bool {
    let part_heading = toks.first().is_some_and(|t| {
        let c = compact(&t.text);
        // "第三部分 …情况说明": a part heading, with or without its name.
        c.starts_with('第') && c.chars().take(6).collect::<String>().contains("部分")
    });
    part_heading
        || (toks.len() == 1 && {
            let c = compact(&toks[0].text);
            super::text::strip_ordinal(&c) != c || c.starts_with('第')
        })
}

#[derive(Debug, Clone)]
struct RLine {
    no: u32,
    text: String,
    page_break: bool,
}

struct Region {
    title: String,
    start: u32,
    lines: Vec<RLine>,
    /// Its title follows other titles with nothing under them: an entry of a list
    /// of contents, which prose (not a 绩效 form's text) follows.
    in_contents: bool,
}

/// Cuts layout text into tables and prose.
pub fn layout(lines: &[Line<'_>]) -> Layout {
    let mut out = Layout::default();
    let mut current: Option<Region> = None;
    let mut regions: Vec<Region> = Vec::new();
    let mut skip_next = false;
    for (i, l) in lines.iter().enumerate() {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        let page_break = l.text.contains('\u{c}');
        let mut text = l.text.replace('\u{c}', "");
        // "…基本支出明细表（按支出功" over "能分类科目-不含上年结转）": a title broken inside
        // its bracket is one line.
        if let Some(next) = lines.get(i + 1)
            && opens_a_bracket(&text)
        {
            let joined = format!("{}{}", text.trim_end(), next.text.trim());
            let jt = tokenize(&joined, true);
            if !jt.is_empty() && is_layout_title(&joined, &jt) {
                text = joined;
                skip_next = true;
            }
        }
        let toks = tokenize(&text, true);
        let prose = |out: &mut Layout| {
            if !text.trim().is_empty() {
                out.prose.push(ProseLine {
                    line: l.no,
                    text: text.clone(),
                });
            }
        };
        if !toks.is_empty() && is_layout_title(&text, &toks) {
            if let Some(r) = current.take() {
                regions.push(r);
            }
            let mut title = compact(&text);
            // A title wrapped over two lines ("…拨款“三公”经费及" above "会议费、培训费支出
            // 预算表"): its first line, directly above, went to the table before or to prose.
            let head_above = |t: &str| -> bool {
                let toks = tokenize(t, true);
                toks.len() == 1 && is_title_head(&toks[0].text)
            };
            let from_region = regions.last().and_then(|r| {
                let last = r.lines.last()?;
                (last.no + 1 == l.no && !last.page_break && head_above(&last.text))
                    .then(|| compact(&last.text))
            });
            if let Some(head) = from_region {
                regions.last_mut().expect("region").lines.pop();
                title = head + &title;
            } else if let Some(p) = out.prose.last()
                && p.line + 1 == l.no
                && head_above(&p.text)
            {
                title = compact(&p.text) + &title;
                out.prose.pop();
            }
            // The last entry of a list of contents ("十二、…表" after "十一、…表" with
            // nothing between them) heads no table either.
            let in_contents = super::text::strip_ordinal(&title) != title
                && regions.last().is_some_and(|r: &Region| {
                    r.lines.iter().all(|l| l.text.trim().is_empty())
                        && super::text::strip_ordinal(&r.title) != r.title
                });
            current = Some(Region {
                title,
                start: l.no,
                lines: Vec::new(),
                in_contents,
            });
            continue;
        }
        match current.as_mut() {
            // A qualifier printed on its own line under the title ("（按经济分类科目分）")
            // belongs to the title: it says which classification the rows carry.
            Some(r)
                if toks.len() == 1
                    && is_title_qualifier(&toks[0].text)
                    && r.lines.iter().all(|l| l.text.trim().is_empty()) =>
            {
                r.title.push_str(&compact(&toks[0].text));
            }
            Some(r) => {
                let performance = r.title.contains("绩效") && !r.in_contents;
                // Nothing but blank lines and page numbers ("- 2 -") under the title yet.
                let empty_so_far = r.lines.iter().all(|l| {
                    l.text
                        .trim()
                        .trim_matches(|c: char| c == '-' || c == '—' || c.is_whitespace())
                        .chars()
                        .all(|c| c.is_ascii_digit())
                });
                if is_note(&text)
                    || ((!performance || empty_so_far) && is_paragraph(&toks))
                    || (empty_so_far && is_contents_line(&toks))
                {
                    regions.push(current.take().expect("current region"));
                    prose(&mut out);
                } else {
                    r.lines.push(RLine {
                        no: l.no,
                        text,
                        page_break,
                    });
                }
            }
            None => prose(&mut out),
        }
    }
    if let Some(r) = current.take() {
        regions.push(r);
    }
    let last_line = lines
        .iter()
        .rev()
        .find(|l| !l.text.replace('\u{c}', "").trim().is_empty())
        .map_or(0, |l| l.no);
    for r in regions {
        build(r, last_line, &mut out);
    }
    out.prose.sort_by_key(|p| p.line);
    out
}

// ---------------------------------------------------------------------------------------
// One table.

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Code,
    Text,
    Num,
}

#[derive(Debug, Clone, Default)]
struct Block {
    codes: Vec<String>,
    texts: Vec<Tok>,
    nums: Vec<Tok>,
    /// Start of the block's first token.
    start: usize,
}

#[derive(Debug, Clone)]
struct DLine {
    no: u32,
    page: usize,
    blocks: Vec<Block>,
    blank_before: bool,
}

fn roles(toks: &[Tok], coded: bool) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        let digits = is_digits(&t.text);
        let n = t.text.len();
        let prev = out.last();
        let next_text = toks.get(i + 1).is_some_and(|u| is_texty(&u.text));
        // A code opens a block: at the line's start, after an amount, or after a label
        // when a label follows it (the second 经济分类 pair of a template with no amounts).
        // Last on its line after an amount it is a code only if it reads as one: Xi'an
        // prints whole yuan, and "… 195026.26  0  3600000" ends with an amount.
        let block_start = i == 0
            || (matches!(prev, Some(Role::Num))
                && (next_text || (i + 1 == toks.len() && is_plausible_code(&t.text))))
            || (matches!(prev, Some(Role::Text)) && next_text)
            || (matches!(prev, Some(Role::Code)) && next_text && n >= 3)
            || second_code_alone(toks, &out, i);
        let role = if digits
            && coded
            && ((block_start && matches!(n, 3 | 5 | 6 | 7))
                || (matches!(prev, Some(Role::Code)) && (1..=2).contains(&n)))
        {
            Role::Code
        } else if parse_amount(&t.text).is_some() || is_dash(&t.text) {
            Role::Num
        } else {
            Role::Text
        };
        out.push(role);
    }
    out
}

/// "30108   50102" alone on a line (西安: the 部门经济 and 政府经济 codes of a row whose
/// name and amounts wrapped to the next line): the second code is a code of another
/// classification, not an amount, when only codes stand before it.
fn second_code_alone(toks: &[Tok], roles: &[Role], i: usize) -> bool {
    i + 1 == toks.len()
        && i > 0
        && roles.iter().all(|r| matches!(r, Role::Code))
        && is_plausible_code(&toks[i].text)
        && toks[i - 1].text.len() >= 3
        && toks[i - 1].text.as_bytes()[0] != toks[i].text.as_bytes()[0]
}

/// A 3-, 5- or 7-digit classification code whose 类 exists: 201–235 or 299 by function,
/// 301–313 or 399 and 501–515 or 599 by economic class; its 款 and 项 are not 00.
fn is_plausible_code(t: &str) -> bool {
    if !is_digits(t) || !matches!(t.len(), 3 | 5 | 7) {
        return false;
    }
    let Ok(lei) = t[..3].parse::<u32>() else {
        return false;
    };
    // 款 and 项 are numbered from 01: "31200" is an amount of whole yuan.
    let zero_part = (t.len() >= 5 && &t[3..5] == "00") || (t.len() == 7 && &t[5..7] == "00");
    matches!(lei, 201..=235 | 299 | 301..=313 | 399 | 501..=515 | 599) && !zero_part
}

fn blocks(toks: &[Tok], coded: bool) -> Vec<Block> {
    let rs = roles(toks, coded);
    let mut out: Vec<Block> = Vec::new();
    let mut prev: Option<&Role> = None;
    for (t, r) in toks.iter().zip(rs.iter()) {
        let new = match (prev, r) {
            (None, _) => true,
            (Some(Role::Num), Role::Code | Role::Text) => true,
            (Some(Role::Text), Role::Code | Role::Text) => true,
            (Some(Role::Code), Role::Code) => t.text.len() >= 3,
            _ => false,
        };
        if new {
            out.push(Block {
                start: t.start,
                ..Block::default()
            });
        }
        let b = out.last_mut().expect("a block");
        match r {
            Role::Code => b.codes.push(t.text.clone()),
            Role::Text => b.texts.push(t.clone()),
            Role::Num => b.nums.push(t.clone()),
        }
        prev = Some(r);
    }
    out
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

/// Monotone assignment of positions to anchors (least total distance).
///
/// The i-th position can only take an anchor in `i ..= i + (k - n)` (the ones before it and
/// after it need theirs), so the table of costs is a band `k - n + 1` wide: a full row is
/// linear however many columns it has. A band too large to be a real table's (a row of
/// thousands of amounts against thousands of columns) is assigned greedily instead, so no
/// input costs quadratic time or memory.
fn assign(pos: &[f64], anchors: &[f64]) -> Vec<usize> {
    let n = pos.len();
    let k = anchors.len();
    if n == 0 || n > k {
        return (0..n).collect();
    }
    let width = k - n + 1;
    if n.saturating_mul(width) > MAX_ASSIGN_CELLS {
        return assign_greedily(pos, anchors);
    }
    // dp[i][d]: cost of placing the first i positions in the first i + d anchors.
    let inf = f64::INFINITY;
    let mut dp = vec![vec![inf; width]; n + 1];
    dp[0].fill(0.0);
    for i in 1..=n {
        for d in 0..width {
            let j = i + d;
            let take = dp[i - 1][d] + (pos[i - 1] - anchors[j - 1]).abs();
            let skip = if d > 0 { dp[i][d - 1] } else { inf };
            dp[i][d] = take.min(skip);
        }
    }
    let mut out = vec![0; n];
    let (mut i, mut d) = (n, width - 1);
    while i > 0 {
        if d > 0 && dp[i][d] == dp[i][d - 1] {
            d -= 1;
        } else {
            out[i - 1] = i + d - 1;
            i -= 1;
        }
    }
    out
}

/// The most cells of [`assign`]'s cost table (a real table's rows need a few thousand).
const MAX_ASSIGN_CELLS: usize = 1 << 20;

/// Each position to the nearest anchor that keeps the order and leaves room for the rest.
fn assign_greedily(pos: &[f64], anchors: &[f64]) -> Vec<usize> {
    let (n, k) = (pos.len(), anchors.len());
    let mut out = Vec::with_capacity(n);
    let mut next = 0;
    for (i, x) in pos.iter().enumerate() {
        let last = k - (n - i);
        let mut j = next;
        while j < last && (anchors[j + 1] - x).abs() <= (anchors[j] - x).abs() {
            j += 1;
        }
        out.push(j);
        next = j + 1;
    }
    out
}

/// The least total distance of a monotone assignment (see [`assign`]).
fn assign_cost(pos: &[f64], anchors: &[f64]) -> f64 {
    if pos.len() > anchors.len() {
        return f64::INFINITY;
    }
    assign(pos, anchors)
        .iter()
        .zip(pos)
        .map(|(c, x)| (x - anchors[*c]).abs())
        .sum()
}

/// A header label: text, span, line order.
#[derive(Debug, Clone)]
struct HLabel {
    text: String,
    start: usize,
    end: usize,
}

impl HLabel {
    fn center(&self) -> f64 {
        (self.start + self.end) as f64 / 2.0
    }
}

const COMPLETE_ENDINGS: &[&str] = &[
    "费",
    "支出",
    "收入",
    "预算",
    "决算",
    "数",
    "合计",
    "小计",
    "总计",
    "拨款",
    "结余",
    "资金",
    "采购项目",
];

fn is_complete(t: &str) -> bool {
    let c = compact(t);
    COMPLETE_ENDINGS.iter().any(|e| c.ends_with(e))
}

fn structural(t: &str) -> bool {
    let c = compact(t);
    is_structural(&c)
        || c.contains("编码")
        || c == "序号"
        // The row-label column of a multi-unit table ("预算单位 | 科目编码 | 科目名称").
        || matches!(c.as_str(), "预算单位" | "单位名称" | "部门名称" | "单位" | "部门")
        || c.chars().all(|ch| "类款项".contains(ch))
        || c == "功能分类科目编码"
        // A remarks column holds words; its label taking a column of amounts shifts
        // every label after the first (Xi'an's "… | 专项业务经费支出 | 备注").
        || matches!(c.as_str(), "备注" | "说明")
}

/// Header lines -> (value labels ordered by position, group labels).
fn header_labels(lines: &[Vec<Tok>]) -> (Vec<HLabel>, Vec<HLabel>) {
    // (line index, token)
    let toks: Vec<(usize, &Tok)> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |t| (i, t)))
        .collect();
    let mut groups = Vec::new();
    let mut leaves: Vec<(usize, &Tok)> = Vec::new();
    for &(li, t) in &toks {
        let w = t.len().max(6);
        let lo = t.start.saturating_sub(w) as f64;
        let hi = (t.end + w) as f64;
        let below: Vec<&Tok> = toks
            .iter()
            .filter(|(lj, _)| *lj > li)
            .map(|(_, u)| *u)
            .collect();
        let overlapping_on_one_line = (li + 1..lines.len()).any(|lj| {
            lines[lj]
                .iter()
                .filter(|u| u.start < t.end && t.start < u.end)
                .count()
                >= 2
        });
        // A group heads two or more columns, or one label under it ("基本支出" over
        // "人员经费"). Not a group: a label over the rest of its own wrapped name
        // ("一般公共预算" over "资金"), nor over the 小计 of the next column that only
        // comes near it ("上缴上级支出" beside a 政府采购 小计).
        let within = |u: &Tok| u.center() >= lo && u.center() <= hi;
        let covers = (li + 1..lines.len())
            .any(|lj| lines[lj].iter().filter(|u| within(u)).count() >= 2)
            || below.iter().any(|u| {
                let c = compact(&u.text);
                let total_word = matches!(c.as_str(), "小计" | "合计" | "总计");
                let fragment = !total_word && COMPLETE_ENDINGS.contains(&c.as_str());
                let overlaps = u.start < t.end && t.start < u.end;
                within(u) && !fragment && (overlaps || !total_word)
            });
        if overlapping_on_one_line || (is_complete(&t.text) && covers && !structural(&t.text)) {
            groups.push(HLabel {
                text: compact(&t.text),
                start: t.start,
                end: t.end,
            });
        } else {
            leaves.push((li, t));
        }
    }
    // Wrapped labels: leaves on different lines whose spans overlap are one label.
    // (members as (line, token), span start, span end)
    type Cluster<'a> = (Vec<(usize, &'a Tok)>, usize, usize);
    let mut clusters: Vec<Cluster> = Vec::new();
    for (li, t) in leaves {
        let hit = clusters.iter_mut().find(|(members, s, e)| {
            t.start < *e && *s < t.end && members.iter().all(|(lj, _)| *lj != li)
        });
        match hit {
            Some((members, s, e)) => {
                members.push((li, t));
                *s = (*s).min(t.start);
                *e = (*e).max(t.end);
            }
            None => clusters.push((vec![(li, t)], t.start, t.end)),
        }
    }
    let mut labels: Vec<HLabel> = clusters
        .into_iter()
        .map(|(mut members, s, e)| {
            members.sort_by_key(|(li, _)| *li);
            HLabel {
                text: members.iter().map(|(_, t)| compact(&t.text)).collect(),
                start: s,
                end: e,
            }
        })
        .filter(|l| !structural(&l.text))
        .collect();
    labels.sort_by(|a, b| {
        a.center()
            .partial_cmp(&b.center())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    (labels, groups)
}

/// Matches value labels to value columns (centres), in order, allowing a shift.
fn match_labels(labels: &[HLabel], centers: &[f64]) -> Vec<Option<usize>> {
    let k = centers.len();
    let h = labels.len();
    if h == k {
        return (0..k).map(Some).collect();
    }
    if h == 0 || k == 0 {
        return vec![None; k];
    }
    let mut best: Option<(f64, Vec<Option<usize>>)> = None;
    for off in -15i32..=15 {
        // dp over (labels, columns): every column takes one label or none (penalty).
        let pen = 40.0;
        let inf = f64::INFINITY;
        // A label left of every column costs a little: the first value column (合计)
        // always has numbers, while columns at the right are often empty, so between two
        // shifts that fit equally the one that leaves the leftmost label out is wrong.
        let lead_pen = 3.0;
        let mut dp = vec![vec![inf; k + 1]; h + 1];
        for (i, row) in dp.iter_mut().enumerate() {
            row[0] = i as f64 * lead_pen;
        }
        for j in 1..=k {
            dp[0][j] = dp[0][j - 1] + pen;
        }
        for i in 1..=h {
            for j in 1..=k {
                let take = dp[i - 1][j - 1]
                    + (labels[i - 1].center() + f64::from(off) - centers[j - 1]).abs();
                let skip_label = dp[i - 1][j];
                let skip_col = dp[i][j - 1] + pen;
                dp[i][j] = take.min(skip_label).min(skip_col);
            }
        }
        let cost = dp[h][k];
        if best.as_ref().is_some_and(|(b, _)| cost > *b + 1e-9) {
            continue;
        }
        // Trace back.
        let mut m = vec![None; k];
        let (mut i, mut j) = (h, k);
        while i > 0 && j > 0 {
            let take =
                dp[i - 1][j - 1] + (labels[i - 1].center() + f64::from(off) - centers[j - 1]).abs();
            if (dp[i][j] - take).abs() < 1e-9 {
                m[j - 1] = Some(i - 1);
                i -= 1;
                j -= 1;
            } else if (dp[i][j] - dp[i - 1][j]).abs() < 1e-9 {
                i -= 1;
            } else {
                j -= 1;
            }
        }
        // Between shifts that fit equally, the one that names the first column by the
        // first label (合计, which a row with amounts always fills) is taken.
        let names_first = |m: &[Option<usize>]| m.first().is_some_and(|f| *f == Some(0));
        let better = best
            .as_ref()
            .is_none_or(|(b, bm)| cost < *b - 1e-9 || (names_first(&m) && !names_first(bm)));
        if better {
            best = Some((cost, m));
        }
    }
    best.map(|(_, m)| m).unwrap_or_else(|| vec![None; k])
}

/// One row of one side, before wrapped names are joined.
#[derive(Debug, Clone)]
struct Entry {
    no: u32,
    codes: Vec<String>,
    name: String,
    /// (global column, printed)
    vals: Vec<(usize, String)>,
    /// Text only (no codes, no amounts).
    frag: bool,
    blank_before: bool,
}

fn starts_with_ordinal(s: &str) -> bool {
    let c = compact(s);
    let stripped = super::text::strip_ordinal(&c);
    stripped != c
        || c.contains("合计")
        || c.contains("总计")
        || c.contains("结余")
        || c.contains("结转")
}

/// Joins wrapped names (fragments above/below a row) and code-only lines.
fn join_rows(mut entries: Vec<Entry>) -> Vec<Entry> {
    // A code printed alone under its row ("行政运行  12,865,976.29 …" then "2080201")
    // or above it (上海: "31001" then "房屋建筑物购建  0.00"). Where rows and codes
    // alternate line by line either reading fits; the code lines that touch a row on one
    // side only say which one the table uses.
    let code_only = |e: &Entry| !e.codes.is_empty() && e.name.is_empty() && e.vals.is_empty();
    let uncoded_row = |e: &Entry| e.codes.is_empty() && !e.vals.is_empty() && !e.name.is_empty();
    let touches_above = |es: &[Entry], i: usize| {
        i > 0 && uncoded_row(&es[i - 1]) && es[i].no == es[i - 1].no + 1 && !es[i].blank_before
    };
    let touches_below = |es: &[Entry], i: usize| {
        es.get(i + 1)
            .is_some_and(|n| uncoded_row(n) && n.no == es[i].no + 1 && !n.blank_before)
    };
    let (mut under, mut over) = (0, 0);
    for i in 0..entries.len() {
        if code_only(&entries[i]) {
            match (touches_above(&entries, i), touches_below(&entries, i)) {
                (true, false) => under += 1,
                (false, true) => over += 1,
                _ => {}
            }
        }
    }
    if under > over {
        let mut i = 1;
        while i < entries.len() {
            if code_only(&entries[i]) && touches_above(&entries, i) {
                let codes = entries.remove(i).codes;
                entries[i - 1].codes = codes;
                continue;
            }
            i += 1;
        }
    }
    // 重庆: a name wrapped over three lines, its amounts on the middle one and its code
    // before the last ("机关事业单位基本养老保" / "3,043.23 …" / "2080505 险缴费支出").
    let mut i = 1;
    while i < entries.len() {
        let (prev, e) = (&entries[i - 1], &entries[i]);
        if prev.codes.is_empty()
            && prev.name.is_empty()
            && !prev.vals.is_empty()
            && !e.codes.is_empty()
            && !e.name.is_empty()
            && e.vals.is_empty()
            && e.no == prev.no + 1
            && !e.blank_before
        {
            let tail = entries.remove(i);
            entries[i - 1].codes = tail.codes;
            entries[i - 1].name = tail.name;
            continue;
        }
        i += 1;
    }
    // 北京: rows carry three codes (function, government and department economic
    // classifications). A long function name wraps over three lines: its code and the
    // start of its name first, the other codes and the amounts on the middle line, the
    // end of the name last ("2010399-其他政府办公厅（室）及相关机" / "50502-… 30213-…
    // 9,603.63 …" / "构事务支出"). Those lines are one row when their codes together make
    // the number of codes the table's rows carry.
    let mut per_row = std::collections::HashMap::<usize, usize>::new();
    for e in entries.iter().filter(|e| !e.vals.is_empty()) {
        *per_row.entry(e.codes.len()).or_default() += 1;
    }
    let usual_codes = per_row
        .into_iter()
        .max_by_key(|&(n, count)| (count, n))
        .map_or(0, |(n, _)| n);
    // The lengths of the codes rows print, in order ([7, 5, 5]): a joined row must show
    // one of them, so that a department code wrapped above its row ("30108-机关事业单位
    // 基本养老" over "2050302-… 50501-… 381.34") is not taken for the function code.
    let patterns: std::collections::HashSet<Vec<usize>> = entries
        .iter()
        .filter(|e| !e.vals.is_empty() && e.codes.len() == usual_codes)
        .map(|e| e.codes.iter().map(String::len).collect())
        .collect();
    if usual_codes >= 2 {
        let mut i = 1;
        while i < entries.len() {
            let (prev, e) = (&entries[i - 1], &entries[i]);
            if !prev.codes.is_empty()
                && prev.vals.is_empty()
                && !prev.frag
                && !e.codes.is_empty()
                && !e.vals.is_empty()
                && prev.codes.len() + e.codes.len() == usual_codes
                && patterns.contains(
                    &prev
                        .codes
                        .iter()
                        .chain(&e.codes)
                        .map(String::len)
                        .collect::<Vec<_>>(),
                )
                && e.no == prev.no + 1
                && !e.blank_before
            {
                let row = entries.remove(i);
                let head = &mut entries[i - 1];
                head.codes.extend(row.codes);
                // The end of the wrapped first name, on the line under the amounts.
                if let Some(tail) = entries.get(i)
                    && tail.frag
                    && tail.no == row.no + 1
                    && !tail.blank_before
                    && !starts_with_ordinal(&tail.name)
                {
                    let tail = entries.remove(i);
                    entries[i - 1].name.push_str(&compact(&tail.name));
                }
                let head = &mut entries[i - 1];
                head.name.push_str(&row.name);
                head.vals = row.vals;
                head.no = row.no;
                continue;
            }
            i += 1;
        }
    }
    // Code alone on a line, then name and amounts without code.
    let mut merged: Vec<Entry> = Vec::new();
    for e in entries {
        if let Some(prev) = merged.last_mut()
            && !prev.codes.is_empty()
            && prev.name.is_empty()
            && prev.vals.is_empty()
            && e.codes.is_empty()
            && !e.frag
            && !e.vals.is_empty()
        {
            prev.name = e.name;
            prev.vals = e.vals;
            prev.no = e.no;
            continue;
        }
        merged.push(e);
    }
    let n = merged.len();
    let mut taken = vec![false; n];
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); n];
    let usable = |e: &Entry| e.frag && !starts_with_ordinal(&e.name);
    for r in 0..n {
        if merged[r].frag {
            continue;
        }
        // Fragments directly above (contiguous lines, not taken).
        let mut i = r;
        while i > 0 {
            let f = &merged[i - 1];
            let next_no = merged[i].no;
            // A label that begins with an ordinal starts a row: it may be the first line
            // of this row's name only when the row prints no name of its own.
            let ok = usable(f) || (f.frag && merged[r].name.is_empty() && i == r);
            if !ok || taken[i - 1] || f.no + 1 != next_no || merged[i].blank_before {
                break;
            }
            i -= 1;
        }
        for (k, t) in taken.iter_mut().enumerate().take(r).skip(i) {
            *t = true;
            above[r].push(k);
        }
        // Fragments directly below.
        let mut cand = Vec::new();
        let mut j = r + 1;
        while j < n {
            let f = &merged[j];
            if !usable(f) || f.no != merged[j - 1].no + 1 || f.blank_before {
                break;
            }
            cand.push(j);
            j += 1;
        }
        let a = above[r].len();
        let next_row_empty = merged
            .get(j)
            .is_some_and(|e| !e.frag && e.name.is_empty() && e.no == merged[j - 1].no + 1);
        let want = if merged[r].name.is_empty() {
            let w = a.max(1);
            if next_row_empty && cand.len() >= 2 {
                w.min(cand.len() / 2)
            } else if a == 0 && !next_row_empty {
                cand.len()
            } else {
                w
            }
        } else if a > 0 {
            a
        } else {
            usize::from(
                cand.first()
                    .is_some_and(|&k| merged[k].name.chars().count() <= 4),
            )
        };
        for &k in cand.iter().take(want) {
            taken[k] = true;
            below[r].push(k);
        }
    }
    let mut out = Vec::new();
    for r in 0..n {
        if merged[r].frag && taken[r] {
            continue;
        }
        let mut e = merged[r].clone();
        if !merged[r].frag {
            let mut name = String::new();
            for &k in &above[r] {
                name.push_str(&compact(&merged[k].name));
            }
            name.push_str(&merged[r].name);
            for &k in &below[r] {
                name.push_str(&compact(&merged[k].name));
            }
            e.name = name;
        }
        out.push(e);
    }
    out
}

/// 重庆's narrow columns wrap an amount wherever the column's edge falls: after its
/// integer part ("174,900" over ".64"), or over several lines, each piece starting under
/// the end of the one before ("1" / "01," / "833" / ".84" is 101,833.84). A piece joins
/// the amount it continues while together they are still an amount in the making; the
/// whole is kept only when it ends in a two-place fraction, so whole numbers standing one
/// above the other (a 元 table's rows) are never joined. A line left empty by that is
/// dropped (it is no blank between rows).
fn join_wrapped_amounts(lines: &mut Vec<(RLine, Vec<Tok>)>) {
    split_glued_fractions(lines);
    // Only a table whose columns wrap shows a fraction standing alone; elsewhere "0" under
    // "7345333.6" is the next row's amount, not the fen of this one.
    let wraps = lines.iter().flat_map(|(_, toks)| toks).any(|t| {
        t.text.len() == 3
            && t.text.starts_with('.')
            && t.text[1..].bytes().all(|b| b.is_ascii_digit())
    });
    if !wraps {
        return;
    }
    // An amount being put together: its first piece (line, token), its text so far, and
    // where its last piece stands.
    struct Wrap {
        first: (usize, usize),
        text: String,
        pieces: Vec<(usize, usize)>,
        last_line: usize,
        last: (usize, usize),
    }
    let mut taken = vec![Vec::<bool>::new(); lines.len()];
    for (i, (_, toks)) in lines.iter().enumerate() {
        taken[i] = vec![false; toks.len()];
    }
    let mut open: Vec<Wrap> = Vec::new();
    let mut done: Vec<Wrap> = Vec::new();
    for i in 0..lines.len() {
        let continues = i > 0 && lines[i - 1].0.no + 1 == lines[i].0.no && !lines[i].0.page_break;
        // Every amount still open ended its last piece on the line above.
        if !continues {
            done.append(&mut open);
        }
        let mut live = std::mem::take(&mut open);
        let mut started = Vec::new();
        for (k, t) in lines[i].1.iter().enumerate() {
            if !is_amount_piece(&t.text) {
                continue;
            }
            let joins = live.iter().position(|w| {
                t.start <= w.last.1 + 1
                    && w.last.0 < t.end
                    && is_piece_after(&t.text)
                    && is_amount_in_making(&format!("{}{}", w.text, t.text))
            });
            match joins {
                Some(j) => {
                    let w = &mut live[j];
                    w.text.push_str(&t.text);
                    w.pieces.push((i, k));
                    w.last_line = i;
                    w.last = (t.start, t.end);
                    if is_whole_amount(&w.text) {
                        done.push(live.remove(j));
                    }
                }
                None if !is_whole_amount(&t.text) && is_amount_in_making(&t.text) => {
                    started.push(Wrap {
                        first: (i, k),
                        text: t.text.clone(),
                        pieces: Vec::new(),
                        last_line: i,
                        last: (t.start, t.end),
                    });
                }
                None => {}
            }
        }
        // Amounts left open on the line above and not continued here end here.
        let (kept, ended): (Vec<Wrap>, Vec<Wrap>) =
            live.into_iter().partition(|w| w.last_line == i);
        done.extend(ended);
        open = kept;
        open.extend(started);
    }
    done.extend(open);
    done.retain(|w| !w.pieces.is_empty() && is_whole_amount(&w.text));
    for w in done {
        let end = w
            .pieces
            .iter()
            .map(|&(l, k)| lines[l].1[k].end)
            .max()
            .unwrap_or(0);
        let (l, k) = w.first;
        let t = &mut lines[l].1[k];
        t.text = w.text;
        t.end = t.end.max(end);
        for (l, k) in w.pieces {
            taken[l][k] = true;
        }
    }
    let mut emptied = vec![false; lines.len()];
    for (i, (_, toks)) in lines.iter_mut().enumerate() {
        if taken[i].iter().any(|&x| x) {
            let mut flags = taken[i].iter();
            toks.retain(|_| !flags.next().copied().unwrap_or(false));
            emptied[i] = toks.is_empty();
        }
    }
    let mut emptied = emptied.into_iter();
    lines.retain(|_| !emptied.next().unwrap_or(false));
}

/// ".84 一、一般公共服务支出": a wrapped fraction merged with the label after it;
/// ".34147,502": one glued to the next column's amount. Each is cut in two.
fn split_glued_fractions(lines: &mut [(RLine, Vec<Tok>)]) {
    let is_fraction =
        |t: &str| t.len() >= 2 && t.starts_with('.') && t[1..].bytes().all(|b| b.is_ascii_digit());
    for (_, toks) in lines.iter_mut() {
        let mut k = 0;
        while k < toks.len() {
            let t = toks[k].clone();
            let cut = match t.text.split_once(' ') {
                Some((head, rest)) if is_fraction(head) && !rest.is_empty() => {
                    Some((head.len(), head.len() + 1))
                }
                _ => {
                    let b = t.text.as_bytes();
                    let glued = b.len() > 4
                        && b[0] == b'.'
                        && b[1..4].iter().all(u8::is_ascii_digit)
                        && t.text.contains(',')
                        && is_amount_in_making(&t.text[3..]);
                    glued.then_some((3, 3))
                }
            };
            if let Some((head_len, rest_at)) = cut {
                let head = &t.text[..head_len];
                let rest = &t.text[rest_at..];
                let head_end = t.start + head.chars().count();
                let rest_start = t.start + t.text[..rest_at].chars().count();
                toks[k] = Tok {
                    start: t.start,
                    end: head_end,
                    text: head.to_string(),
                };
                toks.insert(
                    k + 1,
                    Tok {
                        start: rest_start,
                        end: t.end,
                        text: rest.to_string(),
                    },
                );
            }
            k += 1;
        }
    }
}

/// Digits, group commas and a decimal point only: a piece of an amount.
fn is_amount_piece(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
}

/// A piece that can continue an amount: not itself an amount with its two-place
/// fraction ("1,935.36" under a column number is the row's own amount), unless it is
/// the fraction alone.
fn is_piece_after(t: &str) -> bool {
    t.starts_with('.') || !is_whole_amount(t)
}

/// "101,833.84", "16604.23": grouped (or ungrouped) digits and a two-place fraction.
fn is_whole_amount(t: &str) -> bool {
    is_amount_in_making(t) && t.split_once('.').is_some_and(|(_, f)| f.len() == 2)
}

/// The beginning of an amount: "1", "101,", "101,8", "101,833.8" — groups of three after
/// the first, at most two places after the point.
fn is_amount_in_making(t: &str) -> bool {
    if !is_amount_piece(t) || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if frac.is_some_and(|f| f.len() > 2 || f.contains(['.', ','])) {
        return false;
    }
    let groups: Vec<&str> = int.split(',').collect();
    let n = groups.len();
    groups.iter().enumerate().all(|(g, digits)| {
        let len = digits.len();
        if n == 1 {
            len >= 1
        } else if g == 0 {
            (1..=3).contains(&len)
        } else if g + 1 < n || frac.is_some() {
            len == 3
        } else {
            len <= 3
        }
    })
}

/// The line under a header that numbers its columns ("**  **  **  1  2  3 … 9",
/// "栏次  1  2  3"): no amounts. Read as a row it would put 1 in the 合计 column.
fn is_column_numbers(toks: &[Tok]) -> bool {
    let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    is_column_numbering(&texts)
}

/// [`is_column_numbers`] on a line's tokens as text (the coverage count reads them so).
pub(crate) fn is_column_numbering(texts: &[&str]) -> bool {
    let mut marks = 0;
    let mut numbers: Vec<u32> = Vec::new();
    for t in texts {
        let c = compact(t);
        let stars = !c.is_empty() && c.chars().all(|ch| ch == '*' || ch == '＊');
        if stars || matches!(c.as_str(), "栏次" | "行次" | "甲" | "乙" | "丙") {
            marks += 1;
        } else if let Ok(n) = c.parse::<u32>()
            && c.len() <= 2
        {
            numbers.push(n);
        } else {
            return false;
        }
    }
    marks > 0 && numbers.len() >= 2 && numbers.windows(2).all(|w| w[1] == w[0] + 1)
}

/// A 序号 column: rows that begin 1, 2, 3, … before their code or label. The numbers
/// are not amounts; left in, they would be a value column that takes the 合计 label.
/// (A 类 code — 201… by function, 301… or 501… by economic class — is never taken for
/// one: 301, 302, 303 follow each other too.)
fn drop_row_numbers(lines: &mut [(RLine, Vec<Tok>)]) {
    let candidate = |toks: &[Tok]| -> Option<u32> {
        let first = toks.first()?;
        let next = toks.get(1)?;
        let t = first.text.as_str();
        let plausible = is_digits(t)
            && (1..=3).contains(&t.len())
            && !t.starts_with('0')
            && !(t.len() == 3 && matches!(t.as_bytes()[0], b'2' | b'3' | b'5'));
        (plausible && (is_digits(&next.text) || is_texty(&next.text)))
            .then(|| t.parse().ok())
            .flatten()
    };
    let numbered: Vec<(usize, u32)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, (_, toks))| candidate(toks).map(|n| (i, n)))
        .collect();
    let in_sequence: Vec<usize> = numbered
        .iter()
        .enumerate()
        .filter(|(k, (_, n))| {
            let before = k.checked_sub(1).and_then(|p| numbered.get(p));
            let after = numbered.get(k + 1);
            before.is_some_and(|(_, m)| m + 1 == *n) || after.is_some_and(|(_, m)| *m == n + 1)
        })
        .map(|(_, (i, _))| *i)
        .collect();
    if in_sequence.len() < 3 {
        return;
    }
    for i in in_sequence {
        lines[i].1.remove(0);
    }
}

/// The columns of right-aligned amounts whose right edges are `ends`: tight groups of
/// edges (each within 3 cells) standing well apart (8 cells or more), a group being a
/// column when two amounts or more end in it. `None` when the edges do not fall in such
/// groups (amounts centred or left-aligned).
fn right_aligned_columns(mut ends: Vec<usize>) -> Option<Vec<f64>> {
    ends.sort_unstable();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for e in ends {
        match groups.last_mut() {
            Some(g) if e - g[g.len() - 1] <= 1 || e - g[0] <= 3 => g.push(e),
            Some(g) if e - g[g.len() - 1] < 8 => return None,
            _ => groups.push(vec![e]),
        }
    }
    let columns: Vec<f64> = groups
        .iter_mut()
        .map(|g| {
            let mut v: Vec<f64> = g.iter().map(|&e| e as f64).collect();
            median(&mut v)
        })
        .collect();
    (!columns.is_empty()).then_some(columns)
}

/// A page whose rows leave a column empty throughout may print its columns drawn
/// together (北京's 支出总表: on a page of projects only, 项目支出 stands where 基本支出
/// stands on the other pages), so its amounts cannot be placed by where they stand.
/// Where such a page's amounts fall in fewer tight columns than the table has and the
/// table's total row does not equal the sum of its rows as placed, the placing of those
/// pages' columns under which every column sums to the total is taken, when exactly one
/// placing does.
fn settle_pages_drawn_together(
    dlines: &[DLine],
    col_of: &mut [Vec<Vec<usize>>],
    page_columns: &[Option<Vec<f64>>],
    k: usize,
) {
    use rust_decimal::Decimal;
    let text_of = |d: &DLine| -> String {
        d.blocks
            .iter()
            .flat_map(|b| b.texts.iter().map(|t| compact(&t.text)))
            .collect()
    };
    let has_nums = |d: &DLine| d.blocks.iter().any(|b| !b.nums.is_empty());
    // One side only, one total row.
    if dlines
        .iter()
        .any(|d| d.blocks.iter().filter(|b| !b.nums.is_empty()).count() > 1)
    {
        return;
    }
    let totals: Vec<usize> = (0..dlines.len())
        .filter(|&i| has_nums(&dlines[i]))
        .filter(|&i| {
            let t = text_of(&dlines[i]);
            t.contains("合计") || t.contains("总计") || t.contains("小计")
        })
        .collect();
    let [total] = totals[..] else {
        return;
    };
    let amounts = |i: usize| -> Option<Vec<(usize, Decimal, usize)>> {
        let d = &dlines[i];
        d.blocks
            .iter()
            .zip(col_of[i].iter())
            .flat_map(|(b, cs)| b.nums.iter().zip(cs.iter()))
            .map(|(t, &c)| parse_amount(&t.text).map(|v| (c, v, t.end)))
            .collect()
    };
    let Some(total_row) = amounts(total) else {
        return;
    };
    let mut target = vec![Decimal::ZERO; k];
    for (c, v, _) in &total_row {
        target[*c] += v;
    }
    let total_page = dlines[total].page;
    let pages = page_columns.len();
    let candidate =
        |p: usize| p != total_page && page_columns[p].as_ref().is_some_and(|c| c.len() < k);
    // Sums of the rows as placed (fixed pages) and per tight column (candidate pages).
    let mut fixed = vec![Decimal::ZERO; k];
    let mut per_page: Vec<Vec<Decimal>> = (0..pages)
        .map(|p| vec![Decimal::ZERO; page_columns[p].as_ref().map_or(0, Vec::len)])
        .collect();
    let nearest = |p: usize, end: usize| -> usize {
        let cols = page_columns[p].as_deref().unwrap_or(&[]);
        (0..cols.len())
            .min_by(|&a, &b| {
                let (da, db) = ((cols[a] - end as f64).abs(), (cols[b] - end as f64).abs());
                da.partial_cmp(&db).unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or(0)
    };
    // A classified table's 类 and 款 rows are sums of the rows under them: only the
    // rows no later code refines add up to the total.
    let code_of = |d: &DLine| d.blocks.first().and_then(|b| b.codes.first()).cloned();
    let coded: Vec<(usize, String)> = (0..dlines.len())
        .filter_map(|i| code_of(&dlines[i]).map(|c| (i, c)))
        .collect();
    let mut parent = vec![false; dlines.len()];
    for pair in coded.windows(2) {
        let ((i, code), (_, next)) = (&pair[0], &pair[1]);
        parent[*i] = next.len() > code.len() && next.starts_with(code.as_str());
    }
    let is_parent = |i: usize| parent[i];
    let mut current = vec![Decimal::ZERO; k];
    for (i, d) in dlines.iter().enumerate() {
        if i == total || !has_nums(d) || is_parent(i) {
            continue;
        }
        let Some(row) = amounts(i) else {
            return;
        };
        let p = d.page;
        for (c, v, end) in row {
            current[c] += v;
            if candidate(p) {
                per_page[p][nearest(p, end)] += v;
            } else {
                fixed[c] += v;
            }
        }
    }
    if current == target {
        return;
    }
    let cand: Vec<usize> = (0..pages).filter(|&p| candidate(p)).collect();
    // Placings of a page's tight columns: increasing choices of table columns.
    fn placings(n: usize, k: usize) -> Vec<Vec<usize>> {
        fn go(from: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if cur.len() == n {
                out.push(cur.clone());
                return;
            }
            for c in from..k {
                cur.push(c);
                go(c + 1, n, k, cur, out);
                cur.pop();
            }
        }
        let mut out = Vec::new();
        go(0, n, k, &mut Vec::new(), &mut out);
        out
    }
    let options: Vec<Vec<Vec<usize>>> = cand
        .iter()
        .map(|&p| placings(per_page[p].len(), k))
        .collect();
    let combos = options
        .iter()
        .try_fold(1usize, |acc, o| acc.checked_mul(o.len()))
        .unwrap_or(usize::MAX);
    if cand.is_empty() || combos > 100_000 {
        return;
    }
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut pick = vec![0usize; cand.len()];
    loop {
        let mut sums = fixed.clone();
        for (j, &p) in cand.iter().enumerate() {
            for (i, &c) in options[j][pick[j]].iter().enumerate() {
                sums[c] += per_page[p][i];
            }
        }
        if sums == target {
            found.push(pick.clone());
            if found.len() > 1 {
                return;
            }
        }
        // Next combination.
        let mut j = 0;
        while j < pick.len() {
            pick[j] += 1;
            if pick[j] < options[j].len() {
                break;
            }
            pick[j] = 0;
            j += 1;
        }
        if j == pick.len() {
            break;
        }
    }
    let [choice] = &found[..] else {
        return;
    };
    for (i, d) in dlines.iter().enumerate() {
        let Some(j) = cand.iter().position(|&p| p == d.page) else {
            continue;
        };
        if i == total {
            continue;
        }
        let placing = &options[j][choice[j]];
        for (b, cs) in d.blocks.iter().zip(col_of[i].iter_mut()) {
            for (t, c) in b.nums.iter().zip(cs.iter_mut()) {
                *c = placing[nearest(d.page, t.end)];
            }
        }
    }
}

fn build(region: Region, last_line: u32, out: &mut Layout) {
    // Unit and meta tokens.
    let mut unit: Option<Unit> = None;
    let mut lines: Vec<(RLine, Vec<Tok>)> = Vec::new();
    let mut page = 0usize;
    for l in region.lines {
        let toks = tokenize(&l.text, true);
        let mut kept = Vec::new();
        for t in toks {
            if is_meta_token(&t.text) {
                if unit.is_none() {
                    unit = parse_unit(&t.text);
                }
            } else {
                kept.push(t);
            }
        }
        lines.push((l, kept));
    }
    let performance = region.title.contains("绩效");
    let source: Vec<(u32, String)> = lines.iter().map(|(l, _)| (l.no, l.text.clone())).collect();
    join_wrapped_amounts(&mut lines);
    drop_row_numbers(&mut lines);
    let end_line = lines.last().map_or(region.start, |(l, _)| l.no);
    // Coded: several lines start with a code followed by a label or a 2-digit code.
    let coded = lines
        .iter()
        .filter(|(_, t)| {
            t.first()
                .is_some_and(|a| is_digits(&a.text) && matches!(a.text.len(), 3 | 5 | 7))
                && t.get(1)
                    .is_none_or(|b| is_texty(&b.text) || (is_digits(&b.text) && b.text.len() <= 2))
        })
        .count()
        >= 2
        // A continuation page may carry one row, its 项 code then its amounts, the name
        // wrapped above and below (深圳: "用于体育事业的彩票公" / "2296003  17,435.00 …" /
        // "益金支出").
        || lines.iter().any(|(_, t)| {
            t.first()
                .is_some_and(|a| a.text.len() == 7 && is_plausible_code(&a.text))
                && t.get(1)
                    .is_some_and(|b| b.text.contains('.') && parse_amount(&b.text).is_some())
        });

    // Data lines and header lines, per page.
    let mut dlines: Vec<DLine> = Vec::new();
    let mut headers: Vec<Vec<Vec<Tok>>> = Vec::new(); // per page
    let mut seen_data_on_page = false;
    let mut blank = false;
    let mut first = true;
    for (l, toks) in &lines {
        if l.page_break && !first {
            page += 1;
            seen_data_on_page = false;
        }
        first = false;
        if headers.len() <= page {
            headers.resize(page + 1, Vec::new());
        }
        if toks.is_empty() || is_page_furniture(&l.text) {
            blank = true;
            continue;
        }
        // The header's column numbers ("** 1 2 3 …") are no row. Printed under the
        // header, not under the amounts, they would not tell where the columns stand.
        if is_column_numbers(toks) {
            continue;
        }
        let bl = blocks(toks, coded);
        let is_data = bl.iter().any(|b| !b.nums.is_empty() || !b.codes.is_empty());
        if !is_data && !seen_data_on_page && (page == 0 || looks_like_header(toks)) {
            // A header line: re-tokenise without merging words.
            let raw: Vec<Tok> = tokenize(&l.text, false)
                .into_iter()
                .filter(|t| !is_meta_token(&t.text))
                .collect();
            headers[page].push(raw);
            blank = false;
            continue;
        }
        seen_data_on_page |= is_data;
        dlines.push(DLine {
            no: l.no,
            page,
            blocks: bl,
            blank_before: blank,
        });
        blank = false;
    }
    // Trailing text lines after the last amount are not the table's.
    let has_data = dlines
        .iter()
        .any(|d| d.blocks.iter().any(|b| !b.nums.is_empty()));
    if has_data && !performance {
        while let Some(d) = dlines.last() {
            let text_only = |d: &DLine| {
                d.blocks
                    .iter()
                    .all(|b| b.nums.is_empty() && b.codes.is_empty())
            };
            // The last line of a name wrapped below the last row stays.
            let n = dlines.len();
            let wrapped_tail = n >= 2
                && !text_only(&dlines[n - 2])
                && dlines[n - 2].no + 1 == d.no
                && d.blocks
                    .iter()
                    .flat_map(|b| b.texts.iter())
                    .map(|t| t.text.chars().count())
                    .sum::<usize>()
                    <= 8;
            if text_only(d) && !wrapped_tail {
                let d = dlines.pop().expect("last line");
                let text: Vec<String> = d
                    .blocks
                    .iter()
                    .flat_map(|b| b.texts.iter().map(|t| t.text.clone()))
                    .collect();
                out.prose.push(ProseLine {
                    line: d.no,
                    text: text.join(" "),
                });
            } else {
                break;
            }
        }
    }
    // A table prints its header before its rows: rows with no header before them are
    // not a table (a contents entry followed by a heading with a year in it).
    if !performance && headers.first().is_none_or(|h| h.is_empty()) && !dlines.is_empty() {
        for d in &dlines {
            let text: Vec<String> = d
                .blocks
                .iter()
                .flat_map(|b| {
                    b.codes
                        .iter()
                        .cloned()
                        .chain(b.texts.iter().map(|t| t.text.clone()))
                        .chain(b.nums.iter().map(|t| t.text.clone()))
                })
                .collect();
            out.prose.push(ProseLine {
                line: d.no,
                text: text.join(" "),
            });
        }
        return;
    }
    let end_line = dlines.last().map_or(end_line, |d| d.no.max(region.start));
    let at_eof = end_line >= last_line;

    let mut grid = TableGrid {
        title: region.title.clone(),
        start_line: region.start,
        end_line,
        pieces: Vec::new(),
        unit: unit.unwrap_or(Unit::Yuan),
        unit_printed: unit.is_some(),
        at_eof,
        source,
    };
    if performance || dlines.is_empty() {
        // Forms (绩效目标) are read from the source lines; an empty table has no pieces.
        if !dlines.is_empty() || headers.iter().any(|h| !h.is_empty()) || performance {
            out.tables.push(grid);
        }
        return;
    }

    // Number of value columns: most amounts on one line.
    let nums_of = |d: &DLine| -> Vec<Tok> {
        d.blocks
            .iter()
            .flat_map(|b| b.nums.iter().cloned())
            .collect()
    };
    let k_per_line = dlines.iter().map(|d| nums_of(d).len()).max().unwrap_or(0);
    let pages = dlines.iter().map(|d| d.page).max().unwrap_or(0) + 1;
    // Where no line fills every column (北京's 支出总表 page: 合计 with 基本支出 on some
    // rows, 合计 with 项目支出 on others), the amounts' right edges still stand in as many
    // tight columns as the page has.
    let page_columns: Vec<Option<Vec<f64>>> = (0..pages)
        .map(|p| {
            let ends: Vec<usize> = dlines
                .iter()
                .filter(|d| d.page == p)
                .flat_map(|d| nums_of(d).into_iter().map(|t| t.end))
                .collect();
            right_aligned_columns(ends)
        })
        .collect();
    let k = page_columns
        .iter()
        .flatten()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(k_per_line);
    let anchors_for = |p: Option<usize>| -> Option<Vec<f64>> {
        if k > k_per_line {
            let of_page = |p: usize| page_columns[p].clone().filter(|c| c.len() == k);
            return match p {
                Some(p) => of_page(p),
                None => (0..pages).find_map(of_page),
            };
        }
        let full: Vec<Vec<Tok>> = dlines
            .iter()
            .filter(|d| p.is_none_or(|p| d.page == p))
            .map(nums_of)
            .filter(|n| n.len() == k)
            .collect();
        if full.is_empty() || k == 0 {
            return None;
        }
        Some(
            (0..k)
                .map(|j| {
                    let mut v: Vec<f64> = full.iter().map(|n| n[j].end as f64).collect();
                    median(&mut v)
                })
                .collect(),
        )
    };
    let table_anchors = anchors_for(None).unwrap_or_default();
    let mut page_anchors: Vec<Vec<f64>> = Vec::with_capacity(pages);
    for p in 0..pages {
        if let Some(a) = anchors_for(Some(p)) {
            page_anchors.push(a);
            continue;
        }
        // No line with every column on this page: shift the reference columns to fit
        // this page's amounts best (a continuation page's columns move), then take each
        // column's position from this page where it has amounts.
        let reference = page_anchors
            .last()
            .cloned()
            .unwrap_or_else(|| table_anchors.clone());
        let rows: Vec<Vec<f64>> = dlines
            .iter()
            .filter(|d| d.page == p)
            .map(|d| {
                nums_of(d)
                    .iter()
                    .map(|t| t.end as f64)
                    .collect::<Vec<f64>>()
            })
            .filter(|v| !v.is_empty())
            .collect();
        // A row that leaves the first column (合计) empty costs half a column's width: a
        // continuation page may print its columns closer together, and a row with amounts
        // nearly always fills its total.
        let gap = match (reference.first(), reference.last()) {
            (Some(a), Some(b)) if reference.len() > 1 => (b - a) / (reference.len() - 1) as f64,
            _ => 0.0,
        };
        let mut best = (f64::INFINITY, 0i32);
        for off in -30i32..=30 {
            let a: Vec<f64> = reference.iter().map(|x| x + f64::from(off)).collect();
            let skips_first =
                |r: &Vec<f64>| r.len() < a.len() && assign(r, &a).first().is_some_and(|c| *c > 0);
            let cost: f64 = rows
                .iter()
                .map(|r| assign_cost(r, &a) + if skips_first(r) { gap / 2.0 } else { 0.0 })
                .sum::<f64>()
                + 0.01 * f64::from(off.abs());
            if cost < best.0 {
                best = (cost, off);
            }
        }
        let shifted: Vec<f64> = reference.iter().map(|x| x + f64::from(best.1)).collect();
        let mut per_col: Vec<Vec<f64>> = vec![Vec::new(); shifted.len()];
        for r in &rows {
            for (x, c) in r.iter().zip(assign(r, &shifted)) {
                if let Some(v) = per_col.get_mut(c) {
                    v.push(*x);
                }
            }
        }
        let refined = shifted
            .iter()
            .zip(per_col.iter_mut())
            .map(|(a, v)| if v.is_empty() { *a } else { median(v) })
            .collect();
        page_anchors.push(refined);
    }
    // Column of every amount: (line index, block, num index) -> column.
    let mut col_of: Vec<Vec<Vec<usize>>> = Vec::with_capacity(dlines.len());
    for d in &dlines {
        let nums = nums_of(d);
        let pos: Vec<f64> = nums.iter().map(|t| t.end as f64).collect();
        let cols = assign(&pos, &page_anchors[d.page]);
        let mut it = cols.into_iter();
        col_of.push(
            d.blocks
                .iter()
                .map(|b| b.nums.iter().map(|_| it.next().unwrap_or(0)).collect())
                .collect(),
        );
    }
    settle_pages_drawn_together(&dlines, &mut col_of, &page_columns, k);
    // Sides: blocks with amounts on one line.
    let sides = dlines
        .iter()
        .map(|d| d.blocks.iter().filter(|b| !b.nums.is_empty()).count())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut side_of_col: Vec<Option<usize>> = vec![None; k];
    let mut label_starts: Vec<Vec<f64>> = vec![Vec::new(); sides];
    if sides > 1 {
        let mut votes = vec![vec![0usize; sides]; k];
        for (d, cols) in dlines.iter().zip(col_of.iter()) {
            let numbered: Vec<usize> = (0..d.blocks.len())
                .filter(|&b| !d.blocks[b].nums.is_empty())
                .collect();
            if numbered.len() != sides {
                continue;
            }
            for (s, &b) in numbered.iter().enumerate() {
                for &c in &cols[b] {
                    votes[c][s] += 1;
                }
                if !d.blocks[b].texts.is_empty() || !d.blocks[b].codes.is_empty() {
                    label_starts[s].push(d.blocks[b].start as f64);
                }
            }
        }
        for c in 0..k {
            let best = (0..sides).max_by_key(|&s| votes[c][s]).unwrap_or(0);
            if votes[c][best] > 0 {
                side_of_col[c] = Some(best);
            }
        }
        // Columns never seen on a full line: the side of the nearest column left of it.
        for c in 0..k {
            if side_of_col[c].is_none() {
                side_of_col[c] = (0..c).rev().find_map(|x| side_of_col[x]).or(Some(0));
            }
        }
    } else {
        side_of_col = vec![Some(0); k];
    }
    let side_starts: Vec<f64> = label_starts.iter_mut().map(|v| median(v)).collect();
    let side_by_pos = |pos: usize| -> usize {
        if sides == 1 {
            return 0;
        }
        (0..sides)
            .min_by(|&a, &b| {
                let da = (side_starts[a] - pos as f64).abs();
                let db = (side_starts[b] - pos as f64).abs();
                da.partial_cmp(&db).unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or(0)
    };
    // Entries per side, per page.
    let mut per_side: Vec<Vec<(usize, Entry)>> = vec![Vec::new(); sides];
    for (d, cols) in dlines.iter().zip(col_of.iter()) {
        // Blocks of one side on one line are one entry.
        let mut by_side: Vec<Option<Entry>> = vec![None; sides];
        for (b, block) in d.blocks.iter().enumerate() {
            let s = if let Some(&c) = cols[b].first() {
                side_of_col.get(c).copied().flatten().unwrap_or(0)
            } else {
                side_by_pos(block.start)
            };
            let e = by_side[s].get_or_insert_with(|| Entry {
                no: d.no,
                codes: Vec::new(),
                name: String::new(),
                vals: Vec::new(),
                frag: true,
                blank_before: d.blank_before,
            });
            e.codes.extend(block.codes.iter().cloned());
            let name: String = block
                .texts
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join("");
            e.name.push_str(&name);
            for (t, &c) in block.nums.iter().zip(cols[b].iter()) {
                e.vals.push((c, t.text.clone()));
            }
            if !block.codes.is_empty() || !block.nums.is_empty() {
                e.frag = false;
            }
        }
        for (s, e) in by_side.into_iter().enumerate() {
            if let Some(e) = e {
                per_side[s].push((d.page, e));
            }
        }
    }
    let side_coded: Vec<bool> = per_side
        .iter()
        .map(|v| v.iter().any(|(_, e)| !e.codes.is_empty()))
        .collect();
    let code_width: Vec<usize> = per_side
        .iter()
        .map(|v| {
            v.iter()
                .map(|(_, e)| e.codes.len())
                .max()
                .unwrap_or(0)
                .min(4)
        })
        .collect();
    let side_cols: Vec<Vec<usize>> = (0..sides)
        .map(|s| (0..k).filter(|&c| side_of_col[c] == Some(s)).collect())
        .collect();
    // Where each value column stands among its side's columns.
    let index_in_side: Vec<Option<usize>> = {
        let mut index = vec![None; k];
        for cols in &side_cols {
            for (i, &c) in cols.iter().enumerate() {
                index[c] = Some(i);
            }
        }
        index
    };
    let unpivot = sides > 1
        && side_coded.iter().all(|c| *c)
        && side_cols.iter().all(|c| c.len() == side_cols[0].len());

    // Header paths per page (value columns), from that page's header or the previous.
    let mut paths_by_page: Vec<Vec<Vec<String>>> = Vec::with_capacity(pages);
    // `p` indexes several per-page vectors (headers, anchors, rows) at once.
    #[allow(clippy::needless_range_loop)]
    for p in 0..pages {
        let h = headers.get(p).cloned().unwrap_or_default();
        if h.is_empty() {
            let prev = paths_by_page
                .last()
                .cloned()
                .unwrap_or_else(|| vec![Vec::new(); k]);
            paths_by_page.push(prev);
            continue;
        }
        let (labels, groups) = header_labels(&h);
        // Value-column centres on this page, the amounts gathered in one pass (a pass per
        // column would be quadratic in a row's width).
        let mut by_col: Vec<Vec<f64>> = vec![Vec::new(); k];
        for (d, cols) in dlines
            .iter()
            .zip(col_of.iter())
            .filter(|(d, _)| d.page == p)
        {
            for (b, cs) in d.blocks.iter().zip(cols.iter()) {
                for (t, &c) in b.nums.iter().zip(cs.iter()) {
                    if let Some(v) = by_col.get_mut(c) {
                        v.push(t.center());
                    }
                }
            }
        }
        let centers: Vec<f64> = by_col
            .iter_mut()
            .enumerate()
            .map(|(c, v)| {
                if v.is_empty() {
                    page_anchors[p].get(c).copied().unwrap_or(0.0) - 2.0
                } else {
                    median(v)
                }
            })
            .collect();
        let m = match_labels(&labels, &centers);
        let paths: Vec<Vec<String>> = (0..k)
            .map(|c| {
                let Some(li) = m[c] else {
                    return Vec::new();
                };
                let leaf = &labels[li];
                let mut path: Vec<String> = groups
                    .iter()
                    .filter(|g| {
                        let w = g.text.chars().count().max(6) as f64;
                        let lo = g.start as f64 - w;
                        let hi = g.end as f64 + w;
                        leaf.center() >= lo && leaf.center() <= hi
                    })
                    .map(|g| g.text.clone())
                    .collect();
                path.push(leaf.text.clone());
                path
            })
            .collect();
        paths_by_page.push(paths);
    }

    // Emit the pieces.
    let header_line = region.start;
    let mk_header = |cells_paths: Vec<Vec<String>>| -> Vec<Row> {
        let depth = cells_paths.iter().map(Vec::len).max().unwrap_or(0);
        (0..depth)
            .map(|level| {
                let cells: Vec<String> = cells_paths
                    .iter()
                    .map(|p| {
                        if p.is_empty() {
                            String::new()
                        } else {
                            let pad = depth - p.len();
                            p[level.saturating_sub(pad)].clone()
                        }
                    })
                    .collect();
                Row {
                    line: header_line,
                    raw_cells: cells.len(),
                    cells,
                }
            })
            .collect()
    };
    let name_label = |coded: bool| if coded { "科目名称" } else { "项目" };
    // `p` indexes several per-page vectors (paths, anchors, rows) at once.
    #[allow(clippy::needless_range_loop)]
    for p in 0..pages {
        let paths = &paths_by_page[p];
        if unpivot {
            let cw = code_width.iter().copied().max().unwrap_or(1);
            let width = cw + 1 + side_cols[0].len();
            let mut hp: Vec<Vec<String>> = vec![vec!["科目编码".into()]; cw];
            hp.push(vec!["科目名称".into()]);
            for &c in &side_cols[0] {
                hp.push(paths.get(c).cloned().unwrap_or_default());
            }
            let mut data = Vec::new();
            for (s, entries) in per_side.iter().enumerate() {
                let es: Vec<Entry> = entries
                    .iter()
                    .filter(|(pg, _)| *pg == p)
                    .map(|(_, e)| e.clone())
                    .collect();
                for e in join_rows(es) {
                    let mut cells = vec![String::new(); width];
                    for (i, c) in e.codes.iter().take(cw).enumerate() {
                        cells[i] = c.clone();
                    }
                    cells[cw] = e.name.clone();
                    for (c, v) in &e.vals {
                        if side_of_col.get(*c).copied().flatten() == Some(s)
                            && let Some(i) = index_in_side.get(*c).copied().flatten()
                        {
                            cells[cw + 1 + i] = v.clone();
                        }
                    }
                    data.push(Row {
                        line: e.no,
                        raw_cells: width,
                        cells,
                    });
                }
            }
            if !data.is_empty() {
                grid.pieces.push(Piece {
                    header: mk_header(hp),
                    data,
                });
            }
            continue;
        }
        // Side by side: [code?] name values… per side.
        let mut offsets = Vec::with_capacity(sides);
        let mut hp: Vec<Vec<String>> = Vec::new();
        for s in 0..sides {
            for _ in 0..code_width[s] {
                hp.push(vec!["科目编码".into()]);
            }
            offsets.push(hp.len());
            hp.push(vec![name_label(side_coded[s]).into()]);
            for &c in &side_cols[s] {
                hp.push(paths.get(c).cloned().unwrap_or_default());
            }
        }
        let width = hp.len();
        let mut rows: Vec<(u32, usize, Vec<String>)> = Vec::new();
        for (s, entries) in per_side.iter().enumerate() {
            let es: Vec<Entry> = entries
                .iter()
                .filter(|(pg, _)| *pg == p)
                .map(|(_, e)| e.clone())
                .collect();
            for e in join_rows(es) {
                let nc = offsets[s];
                let mut cells = vec![String::new(); width];
                let cw = code_width[s];
                for (i, c) in e.codes.iter().take(cw).enumerate() {
                    cells[nc - cw + i] = c.clone();
                }
                cells[nc] = e.name.clone();
                for (c, v) in &e.vals {
                    if side_of_col.get(*c).copied().flatten() == Some(s)
                        && let Some(i) = index_in_side.get(*c).copied().flatten()
                    {
                        cells[nc + 1 + i] = v.clone();
                    }
                }
                rows.push((e.no, s, cells));
            }
        }
        // One row per source line: sides of the same line are merged.
        rows.sort_by_key(|(no, s, _)| (*no, *s));
        let mut data: Vec<Row> = Vec::new();
        for (no, _, cells) in rows {
            if let Some(last) = data.last_mut()
                && last.line == no
            {
                for (i, c) in cells.into_iter().enumerate() {
                    if !c.is_empty() && last.cells[i].is_empty() {
                        last.cells[i] = c;
                    }
                }
                continue;
            }
            data.push(Row {
                line: no,
                raw_cells: width,
                cells,
            });
        }
        if !data.is_empty() {
            grid.pieces.push(Piece {
                header: mk_header(hp),
                data,
            });
        }
    }
    out.tables.push(grid);
}

#[cfg(test)]
mod title_tests {
    use super::names_a_table;

    #[test]
    fn titles_name_tables() {
        for t in [
            "2023年部门财务收支预算总表",
            "2022年部门综合预算政府采购（资产配置、购买服务）预算表（不含上年结转）",
            "表11.2026年市级部门项目支出绩效表",
            "预算01表收支总表",
            "公开01表收支总表",
            "公开表一",
            "表1：2026年市级部门收支预算总表",
            "支出决算表（续）",
        ] {
            assert!(names_a_table(t), "{t}");
        }
        for t in [
            "（3）发表Q1区SCI论文2篇；",
            "发表论文数",
            "调查表、死亡人口",
            "表的中国传统文化",
            "测报告（表）的合格率",
        ] {
            assert!(!names_a_table(t), "{t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::text::lines;

    #[test]
    fn row_numbers_are_not_a_value_column() {
        // 西安 2022 基本支出明细表: 序号 | 功能科目编码 | 名称 | 合计 …
        let rows = |texts: &[&str]| -> Vec<(RLine, Vec<Tok>)> {
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let line = RLine {
                        no: i as u32 + 1,
                        text: t.to_string(),
                        page_break: false,
                    };
                    (line, tokenize(t, true))
                })
                .collect()
        };
        let firsts = |lines: &[(RLine, Vec<Tok>)]| -> Vec<String> {
            lines.iter().map(|(_, t)| t[0].text.clone()).collect()
        };
        let mut xian = rows(&[
            "1                       合计                  48032297.20        44686355.45",
            "2    201                一般公共服务支出            22835663.29        20955094.30",
            "3          20113        商贸事务                22835663.29        20955094.30",
            "4             2011301   行政运行                20938520.75        19199223.58",
        ]);
        drop_row_numbers(&mut xian);
        assert_eq!(firsts(&xian), ["合计", "201", "20113", "2011301"]);
        // 301, 302, 303 are economic classes, not row numbers.
        let mut classes = rows(&[
            "301   工资福利支出   83,847,385",
            "302   商品和服务支出   15,381,432",
            "303   对个人和家庭的补助   177,480",
        ]);
        drop_row_numbers(&mut classes);
        assert_eq!(firsts(&classes), ["301", "302", "303"]);
    }

    #[test]
    fn a_second_code_alone_after_a_code_is_a_code() {
        // 西安 2022 基本支出明细表: "11  30108  50102" over "机关事业单位基本养老保险  社会保障缴费
        // 1040490.82 …": both codes open the row whose name and amounts follow.
        let bl = blocks(&tokenize("         30108              50102", true), true);
        let codes: Vec<&str> = bl
            .iter()
            .flat_map(|b| b.codes.iter().map(String::as_str))
            .collect();
        assert_eq!(codes, ["30108", "50102"]);
        assert!(bl.iter().all(|b| b.nums.is_empty()));
        // An amount of whole yuan after a function code stays an amount.
        let bl = blocks(&tokenize("2010101     23000", true), true);
        assert_eq!(bl[0].nums.len(), 1);
        // Last after amounts, "31200" has no 款 00: it is the 公用经费 amount.
        let line = "      30202   印刷费              50502        商品和服务支出          31200          0        31200";
        let bl = blocks(&tokenize(line, true), true);
        let nums: Vec<&str> = bl
            .iter()
            .flat_map(|b| b.nums.iter().map(|t| t.text.as_str()))
            .collect();
        assert_eq!(nums, ["31200", "0", "31200"]);
    }

    #[test]
    fn a_name_run_into_its_amount_is_cut_before_the_amount() {
        // 西安市气象局 2022 一般公共预算支出明细表 (元), line 444.
        let toks = tokenize(
            "4             2080506   机关事业单位职业年金缴费支出43608.96         43608.96",
            true,
        );
        let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "4",
                "2080506",
                "机关事业单位职业年金缴费支出",
                "43608.96",
                "43608.96"
            ]
        );
        for word in ["2023年", "第3.5", "增长12.5%", "支出43608"] {
            assert_eq!(tokenize(word, true).len(), 1, "{word}");
        }
    }

    #[test]
    fn a_page_of_one_coded_row_reads_its_code() {
        // 深圳市文化广电旅游体育局（本级）2026 支出总表 (万元), its last page.
        let text = "                                                        支出总表
部门名称：深圳市文化广电旅游体育局（本级）                                         单位：万元
      预算单位         科目编码       科目名称      支出总计        基本支出       项目支出
                           用于体育事业的彩票公
                 2296003                17,435.00      0.00     17,435.00
                           益金支出
";
        let rows = rows_of_one_table(text);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(rows[0].starts_with("2296003|"), "{rows:?}");
        assert!(rows[0].ends_with("|17,435.00|0.00|17,435.00"), "{rows:?}");
    }

    #[test]
    fn page_numbers_and_table_numbers_alone_are_not_rows() {
        for t in [
            "公开表 04",
            "公开04表",
            "表 8",
            "预算03表",
            "- 12 -",
            "—3—",
            "第 3 页",
            "第 4 页，共 40 页",
            "第4页/共40页",
            "共 40 页 第 4 页",
        ] {
            assert!(is_page_furniture(t), "{t}");
        }
        for t in [
            "公开表 04 收支总表",
            "合计 04",
            "表一",
            "12",
            "-",
            "- 12 - 3",
            "第 4 页，共 40 页 合计",
            "第 4 页，共",
        ] {
            assert!(!is_page_furniture(t), "{t}");
        }
    }

    #[test]
    fn the_leftmost_value_label_is_not_left_out() {
        // 北京 预算03表 支出总表: the header is printed about five places right of the
        // numbers and the three right-hand labels (事业单位经营支出, 上缴上级支出, 对附属单位
        // 补助支出) have no numbers; the three columns are 合计, 基本支出, 项目支出.
        let label = |text: &str, center: f64| HLabel {
            text: text.into(),
            start: center.floor() as usize,
            end: center.ceil() as usize,
        };
        let labels = [
            label("合计", 62.0),
            label("基本支出", 77.0),
            label("项目支出", 92.0),
            label("事业单位经营支出", 104.5),
            label("其中上缴上", 108.5),
            label("对附属单位补助支出", 112.5),
        ];
        assert_eq!(
            match_labels(&labels, &[67.5, 82.5, 95.5]),
            vec![Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn tokens() {
        let t = tokenize(
            "一、财政拨款收入     164,978,640 一、一般公共服务支出",
            true,
        );
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["一、财政拨款收入", "164,978,640", "一、一般公共服务支出"]
        );
        let t = tokenize("  30207邮电费   信息 网络 及软件 购置", true);
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, vec!["30207", "邮电费", "信息 网络 及软件 购置"]);
        assert_eq!(t[0].start, 2);
        assert_eq!(tokenize("2023年部门", true).len(), 1);
    }

    #[test]
    fn monotone_assignment() {
        assert_eq!(assign(&[31.0, 49.0], &[29.0, 37.0, 47.0]), vec![0, 2]);
        assert_eq!(assign(&[38.0], &[29.0, 37.0, 47.0]), vec![1]);
        assert_eq!(assign(&[10.0, 30.0], &[10.0, 20.0, 30.0, 40.0]), vec![0, 2]);
        assert_eq!(assign(&[25.0, 45.0], &[10.0, 20.0, 30.0, 40.0]), vec![1, 3]);
        // Leaves room for the positions after it: 11 cannot take the nearest anchor 10.
        assert_eq!(
            assign(&[11.0, 12.0, 13.0], &[10.0, 20.0, 30.0]),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn a_row_of_a_hundred_thousand_amounts_is_read_whole() {
        // Hostile input: one table row 100,000 amounts wide. Reading it took memory and
        // time quadratic in the width (17 GB after 30 s); every amount is now read once.
        let mut text = String::from(
            "                 预算01表 收支总表\n                      金额单位：万元\n    项目     预算数\n一般公共服务支出",
        );
        for _ in 0..100_000 {
            text.push_str("   1,234.56");
        }
        text.push('\n');
        let l = lines(&text);
        let lay = layout(&l);
        let row = lay.tables[0].data_rows().next().expect("the row");
        let amounts = row.cells.iter().filter(|c| *c == "1,234.56").count();
        assert_eq!(amounts, 100_000);
    }

    #[test]
    fn assignment_of_huge_rows_is_linear() {
        // A full row of 200,000 amounts: one way to place them, found in linear time and
        // memory (the full table of costs would be 40 billion cells).
        let anchors: Vec<f64> = (0..200_000).map(|i| f64::from(i) * 10.0).collect();
        assert_eq!(assign(&anchors, &anchors), (0..200_000).collect::<Vec<_>>());
        // Half of them against all columns: past the table's bound, placed greedily,
        // each on its own column.
        let half: Vec<f64> = (0..100_000).map(|i| f64::from(i) * 20.0 + 1.0).collect();
        let placed = assign(&half, &anchors);
        assert_eq!(placed.len(), 100_000);
        assert!(placed.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(placed[..3], [0, 2, 4]);
        assert_eq!(
            assign_greedily(&[11.0, 12.0, 13.0], &[10.0, 20.0, 30.0]),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn a_code_before_the_last_line_of_a_wrapped_name() {
        // 重庆市水利局 2026 部门收入总体情况表 (万元): the name over three lines, its
        // amounts on the middle one, its code before the last.
        let text = "                            2026年部门收入总体情况表
单位名称：重庆市水利局                                 单位：万元
科目编码      科目名称           总计      一般公共预算拨款收入
 20805    行政事业单位养老支出        4,833.12   3,721.31

              行政单位离退休         12.50      12.50
2080501
           机关事业单位基本养老保
                            3,043.23   2,468.91
2080505   险缴费支出
           机关事业单位职业年金缴
                            1,777.39   1,239.90
2080506   费支出
";
        let l = lines(text);
        let lay = layout(&l);
        let rows: Vec<(String, String)> = lay.tables[0]
            .data_rows()
            .map(|r| {
                let cells: Vec<&str> = r.cells.iter().map(String::as_str).collect();
                (cells[0].to_string(), cells[1..].join("|"))
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "20805".into(),
                    "行政事业单位养老支出|4,833.12|3,721.31".into()
                ),
                ("2080501".into(), "行政单位离退休|12.50|12.50".into()),
                (
                    "2080505".into(),
                    "机关事业单位基本养老保险缴费支出|3,043.23|2,468.91".into()
                ),
                (
                    "2080506".into(),
                    "机关事业单位职业年金缴费支出|1,777.39|1,239.90".into()
                ),
            ]
        );
    }

    #[test]
    fn an_amount_wrapped_after_its_integer_part_is_one_amount() {
        // 重庆市商务委员会 2026 部门收支总体情况表 (万元): ".64" under "174,900", ".84" before
        // the next row's label.
        let text = "                     2026 年部门收支总体情况表
单位名称:重庆市商务委员会                                                           单位:万元
      项    目           预 算 数                     项    目        预 算 数

       合   计                   174,900
                                     .64         合    计                174,900
                                                                             .64
一、一般公共预算资金                     101,833
                                     .84 一、一般公共服务支出                    23,103
                                                                            .76
";
        let l = lines(text);
        let lay = layout(&l);
        let cells: Vec<String> = lay.tables[0]
            .data_rows()
            .flat_map(|r| r.cells.iter().cloned())
            .filter(|c| c.starts_with(|ch: char| ch.is_ascii_digit()))
            .collect();
        assert_eq!(
            cells,
            ["174,900.64", "174,900.64", "101,833.84", "23,103.76"]
        );
    }

    #[test]
    fn an_amount_wrapped_over_many_lines_is_one_amount() {
        // 重庆市商务委员会 2026 一般公共预算支出情况表 (万元): the 合计 row's amounts
        // run down a staircase of pieces, "1" / "01," / "833" / ".84" being 101,833.84.
        let text = "                                 2026 年一般公共预算支出情况表
单位名称:重庆市商务委员会                                                                         单位:万元

                       功能分类科目                                   基本支出
                                          总   计                                       项目支出
  科目编码                          科目名称                 小计         人员经费       公用经费

                        合   计             1
                                          01,
                                            833
                                              .84    4
                                                     3,4
                                                       36.0
                                                          9     3
                                                                4,4
                                                                  11.1
                                                                     2      9
                                                                            ,02
                                                                              4.9
                                                                                8     5
                                                                                      8,3
                                                                                        97.7
                                                                                           5

201             一般公共服务支出                  16,604
                                               .23   8,964
                                                         .13     7,038
                                                                     .54    1,925
                                                                                .58    7,640
                                                                                           .10

 20113           商贸事务                     16,604
                                               .23   8,964
                                                         .13     7,038
                                                                     .54    1,925
                                                                                .58    7,640
                                                                                           .10
";
        let l = lines(text);
        let lay = layout(&l);
        let cells: Vec<String> = lay.tables[0]
            .data_rows()
            .flat_map(|r| r.cells.iter().cloned())
            .filter(|c| c.contains('.'))
            .collect();
        // 43,436.09 + 58,397.75 = 101,833.84; 8,964.13 + 7,640.10 = 16,604.23.
        assert_eq!(
            cells[..10],
            [
                "101,833.84",
                "43,436.09",
                "34,411.12",
                "9,024.98",
                "58,397.75",
                "16,604.23",
                "8,964.13",
                "7,038.54",
                "1,925.58",
                "7,640.10"
            ]
        );
        assert_eq!(cells.len(), 15);
    }

    #[test]
    fn the_column_numbers_under_a_header_are_no_row() {
        // 长沙市信访局 2026 部门支出总体情况表 (万元).
        let text = "                                      2026年部门支出总体情况表
部门名称：长沙市信访局                                                          单位：万元
       科目编码
                               功能科目        总       计        基本支出        项目支出
  类     款     项
  **    **    **                **             1             2           3

                   合计                          1,935.36      1,517.95        417.41

 201               一般公共服务支出                    1,935.36      1,517.95        417.41
";
        let l = lines(text);
        let lay = layout(&l);
        let rows: Vec<String> = lay.tables[0]
            .data_rows()
            .map(|r| {
                r.cells
                    .iter()
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(
            rows,
            [
                "合计|1,935.36|1,517.95|417.41",
                "201|一般公共服务支出|1,935.36|1,517.95|417.41"
            ]
        );
        assert!(is_column_numbering(&["**", "**", "1", "2", "3"]));
        assert!(is_column_numbering(&["栏次", "1", "2"]));
        assert!(!is_column_numbering(&["**", "1", "3"]));
        assert!(!is_column_numbering(&["合计", "1", "2"]));
    }

    #[test]
    fn long_qualified_titles_and_titles_broken_inside_their_bracket() {
        // 西安 2021 / 2022: "表7" alone, then the table's title; read as the title, its
        // qualifier says the rows are by function (not the economic class the 人员经费 |
        // 公用经费 header suggests).
        let text = "表7

2021年部门综合预算一般公共预算基本支出明细表（按支出功
         能分类科目-不含上年结转）
                                                                                单位：元
 功能科目编码             功能科目名称        合计            人员经费支出          公用经费支出
              合计              258,596.79    21,914.48    236,682.31
表7

              2022年部门综合预算一般公共预算基本支出明细表（按支出功能分类科目-不含上年结转）
                                                                                  单位：元
        功能科目编码              功能科目名称    合计                  人员经费支出            公用经费支出
                   合计                      214391987.01      199513987.09      14877999.92
";
        let l = lines(text);
        let lay = layout(&l);
        let titles: Vec<&str> = lay
            .tables
            .iter()
            .map(|t| t.title.as_str())
            .filter(|t| t.len() > 10)
            .collect();
        assert_eq!(
            titles,
            [
                "2021年部门综合预算一般公共预算基本支出明细表（按支出功能分类科目-不含上年结转）",
                "2022年部门综合预算一般公共预算基本支出明细表（按支出功能分类科目-不含上年结转）"
            ]
        );
    }

    #[test]
    fn a_whole_yuan_amount_last_on_its_line_is_no_code() {
        // 西安市医疗保障局 2022 一般公共预算支出明细表 (元, whole yuan): 3600000 is the row's
        // 专项业务经费支出, 390000 the 教育支出 row's.
        for (line, amounts) in [
            (
                "2101103   公务员医疗补助    3795026.26    195026.26    0    3600000",
                vec!["3795026.26", "195026.26", "0", "3600000"],
            ),
            (
                "205                教育支出    390000     0     0    390000",
                vec!["390000", "0", "0", "390000"],
            ),
        ] {
            let toks = tokenize(line, true);
            let bl = blocks(&toks, true);
            let codes: Vec<&str> = bl
                .iter()
                .flat_map(|b| b.codes.iter().map(String::as_str))
                .collect();
            let nums: Vec<&str> = bl
                .iter()
                .flat_map(|b| b.nums.iter().map(|t| t.text.as_str()))
                .collect();
            assert_eq!(codes.len(), 1, "{line}");
            assert_eq!(nums, amounts, "{line}");
        }
        assert!(is_plausible_code("3021101") && is_plausible_code("50101"));
        assert!(!is_plausible_code("3600000") && !is_plausible_code("390000"));
    }

    #[test]
    fn a_title_wrapped_over_two_lines_is_one_title() {
        // 西安市民政局 2021 表13: the title's first line ends with 及.
        let text = "表13

                 2021年部门综合预算一般公共预算拨款“三公”经费及
                     会议费、培训费支出预算表（不含上年结转）
预算单位：西安市民政局                                 单位：元
 序号  单位名称       合计      会议费      培训费
 1     合计       1,633,304.00   299,250.00 1,023,214.00
";
        let l = lines(text);
        let lay = layout(&l);
        let titles: Vec<&str> = lay.tables.iter().map(|t| t.title.as_str()).collect();
        assert!(
            titles.contains(
                &"2021年部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表（不含上年结转）"
            ),
            "{titles:?}"
        );
    }

    #[test]
    fn a_qualifier_under_the_title_and_a_spaced_table_number_belong_to_the_title() {
        let text = "                 2022年部门综合预算一般公共预算支出明细表
                           （按经济分类科目分）
预算单位：西安市交通运输局                            金额单位：万元
 科目编码   科目名称       合计     人员经费支出
 301        工资福利支出   17067.93   17067.93
                                       预算02表   收入总表
                                                     金额单位：万元
 单位编码   合计       小计
   015    9,151.309668   9,142.554971
";
        let l = lines(text);
        let lay = layout(&l);
        let titles: Vec<&str> = lay.tables.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "2022年部门综合预算一般公共预算支出明细表（按经济分类科目分）",
                "预算02表收入总表"
            ]
        );
        assert!(is_table_number("预算02表") && is_table_number("表3"));
        assert!(!is_table_number("收入总表") && !is_table_number("2026"));
    }

    #[test]
    fn wrapped_names_and_shifted_columns() {
        let text = "                                   支出决算表
                                                                    单位：万元
          项目
                                                                    对附属单位补
  功能分类                  本年支出合计    基本支出     项目支出     上缴上级支出   经营支出
               科目名称                                                   助支出
  科目编码

          合计             307.82   105.58   202.24

201       一般公共服务支出       264.87   62.63    202.24

20139     社会工作事务         264.87   62.63    202.24

2013901   行政运行           51.32    51.32

2013950   事业运行           11.31    11.31

2013999   其他社会工作事务支出     202.24            202.24

208       社会保障和就业支出      10.82    10.82

20805     行政事业单位养老支出     10.82    10.82
          机关事业单位基本养老保
2080505                   6.18     6.18
          险缴费支出
          机关事业单位职业年金缴
2080506                   4.64     4.64
注：本表反映。
";
        let l = lines(text);
        let lay = layout(&l);
        assert_eq!(lay.tables.len(), 1);
        let t = &lay.tables[0];
        assert_eq!(t.unit, Unit::Wan);
        let rows: Vec<&Row> = t.data_rows().collect();
        assert_eq!(rows.len(), 10);
        assert_eq!(
            rows[5].cells,
            vec!["2013999", "其他社会工作事务支出", "202.24", "", "202.24"]
        );
        assert_eq!(rows[8].cells[1], "机关事业单位基本养老保险缴费支出");
        assert_eq!(rows[8].cells[2], "6.18");
        let h = &t.pieces[0].header;
        assert_eq!(
            h.last().unwrap().cells[2..],
            ["本年支出合计", "基本支出", "项目支出"]
        );
    }
    /// The data rows of a text holding one table, cells joined by `|`.
    fn rows_of_one_table(text: &str) -> Vec<String> {
        let l = lines(text);
        let lay = layout(&l);
        assert_eq!(lay.tables.len(), 1);
        lay.tables[0]
            .data_rows()
            .map(|r| r.cells.join("|"))
            .collect()
    }

    #[test]
    fn three_coded_rows_wrapped_and_pages_without_a_full_line() {
        // 北京 预算03表 支出总表 (万元; lines from 北京市 2026 budgets): every row carries
        // a function, a government and a department economic code; no line fills all of
        // 合计 / 基本支出 / 项目支出, a row fills 合计 and one of the other two. A long
        // function name wraps with its code above the amounts and its end below them.
        let text = "                                                     预算03表 支出总表
                                                                                                                              金额单位：万元

                                                                                                                         其中
       支出功能分类科目           政府支出经济分类科目        部门支出经济分类科目              合计            基本支出            项目支出
                                                                                                                 事业单位经营        对附属单位补
                                                                                                                        上缴上级支出
                                                                                                                   支出           助支出
2019999-其他一般公共服务支出   50402-基础设施建设      30905-基础设施建设                 223.750000                      223.750000
2040201-行政运行         50101-工资奖金津补贴     30101-基本工资                 29,441.570400   29,441.570400
2010399-其他政府办公厅（室）及相关机
                       50502-商品和服务支出       30213-维修（护）费            9,603.630033                   9,603.630033
构事务支出
2010405-日常经济运行调节   50502-商品和服务支出     30213-维修（护）费                   953.210375                      953.210375
2080506-机关事业单位职业年金缴费支出 50102-社会保障缴费      30109-职业年金缴费               706.175148      706.175148
2040202-一般行政管理事务     50201-办公经费        30202-印刷费                    101.993600                      101.993600
";
        let rows = rows_of_one_table(text);
        assert_eq!(
            rows,
            [
                "2019999|50402|30905|其他一般公共服务支出基础设施建设基础设施建设|223.750000||223.750000",
                "2040201|50101|30101|行政运行工资奖金津补贴基本工资|29,441.570400|29,441.570400|",
                "2010399|50502|30213|其他政府办公厅（室）及相关机构事务支出商品和服务支出维修（护）费|9,603.630033||9,603.630033",
                "2010405|50502|30213|日常经济运行调节商品和服务支出维修（护）费|953.210375||953.210375",
                "2080506|50102|30109|机关事业单位职业年金缴费支出社会保障缴费职业年金缴费|706.175148|706.175148|",
                "2040202|50201|30202|一般行政管理事务办公经费印刷费|101.993600||101.993600",
            ]
        );
    }
    #[test]
    fn a_page_drawn_together_is_placed_by_the_total_row() {
        // The second page prints projects only, its 项目支出 where the first page has
        // 基本支出 (北京 支出总表 pages). 基本支出 110.00 = 100 + 10 (first page);
        // 项目支出 97.169 = 20 + 5 + 8.9 + 63.269: the second page's amounts are projects.
        let text = "                                    预算03表 支出总表
                                                                 金额单位：万元
       支出功能分类科目        部门支出经济分类科目     合计        基本支出       项目支出
2040601-行政运行     30101-基本工资             100.000000     100.000000
2040601-行政运行     30299-其他商品和服务支出         30.000000      10.000000      20.000000
2040602-一般行政管理事务 30227-委托业务费              5.000000                      5.000000
\u{c}2040604-基层司法业务   30202-印刷费               8.900000       8.900000
2040604-基层司法业务   30227-委托业务费             63.269000      63.269000
\u{c}2101101-行政单位医疗   30110-职工基本医疗保险缴费     12.000000      12.000000
      合      计                            219.169000     122.000000      97.169000
";
        let rows = rows_of_one_table(text);
        assert_eq!(
            rows[3..5],
            [
                "2040604|30202|基层司法业务印刷费|8.900000||8.900000",
                "2040604|30227|基层司法业务委托业务费|63.269000||63.269000",
            ]
        );
        assert_eq!(
            rows[1],
            "2040601|30299|行政运行其他商品和服务支出|30.000000|10.000000|20.000000"
        );
    }
}
