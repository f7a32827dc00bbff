//! Document metadata, read from the document itself and never a reason to refuse a
//! document that has tables: fiscal year and phase, the organisation, the issuing
//! government and the title. Each field is looked for in order of trust — the title
//! (a heading or a table title, also when wrapped over lines), the cover (the first
//! lines joined), the labelled lines of the tables (部门名称：, 单位名称：, 编制单位：,
//! 部门（单位）：), the prose, and last the file name — and records where it came from
//! ([`MetaSources`]). The user's flags override all of them. Only a document whose fiscal
//! year is nowhere is refused, with a message that says to pass `--year`.

use std::path::Path;

use crate::catalog::division::{Divisions, Place};
use crate::document::grid::Layout;
use crate::document::text::{Line, clean_heading, compact, heading_level};
use crate::model::{DocumentMeta, MetaOverrides, MetaSource, MetaSources, ParseError, Phase};

/// Reads the metadata; `org_code` and `units` are filled in from the tables later.
pub fn read(
    path: &Path,
    lines: &[Line<'_>],
    layout: &Layout,
    overrides: &MetaOverrides,
) -> Result<DocumentMeta, ParseError> {
    let headings: Vec<String> = lines
        .iter()
        .filter(|l| heading_level(l.text).is_some())
        .map(|l| clean_heading(l.text))
        .collect();
    let titles: Vec<String> = layout
        .tables
        .iter()
        .filter(|t| !t.title.is_empty())
        .map(|t| t.title.clone())
        .collect();
    let cover = cover_of(lines);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prose: Vec<String> = layout.prose.iter().map(|p| compact(&p.text)).collect();

    // Fiscal year and phase, found together where a title says "2021 年…预算".
    let mut sources = MetaSources::default();
    let mut found: Option<(i32, Phase, MetaSource)> = headings
        .iter()
        .chain(titles.iter())
        .find_map(|h| year_phase(h))
        .map(|(y, p)| (y, p, MetaSource::Title))
        .or_else(|| year_phase(&cover).map(|(y, p)| (y, p, MetaSource::Cover)))
        .or_else(|| {
            most_named_year_phase(prose.iter().map(String::as_str))
                .or_else(|| most_named_year_phase(lines.iter().map(|l| l.text)))
                .map(|(y, p)| (unless_far_more_named(lines, y), p, MetaSource::Prose))
        })
        .or_else(|| year_phase(&stem).map(|(y, p)| (y, p, MetaSource::FileName)));
    if found.is_none() {
        // A year alone ("2026年度") in the title or cover, the phase from the words used.
        let year = headings
            .iter()
            .chain(titles.iter())
            .chain(std::iter::once(&cover))
            .find_map(|h| year_in(h).map(|y| (y, MetaSource::Title)))
            .or_else(|| year_in(&stem).map(|y| (y, MetaSource::FileName)))
            .map(|(y, src)| (y, phase_by_words(lines, &stem), src))
            .or_else(|| {
                most_common_year(lines)
                    .map(|y| (y, phase_by_words(lines, &stem), MetaSource::Prose))
            });
        if let Some(yps) = year {
            found = Some(yps);
        }
    }
    let phase_from_flag = overrides.phase;
    let (fiscal_year, phase) = match (overrides.fiscal_year, found) {
        (Some(y), Some((_, p, _))) => {
            sources.fiscal_year = MetaSource::Flag;
            sources.phase = MetaSource::Title;
            (y, p)
        }
        (Some(y), None) => {
            sources.fiscal_year = MetaSource::Flag;
            sources.phase = MetaSource::Prose;
            (y, phase_by_words(lines, &stem))
        }
        (None, Some((y, p, src))) => {
            sources.fiscal_year = src;
            sources.phase = src;
            (y, p)
        }
        (None, None) => {
            return Err(ParseError::new(
                path,
                None,
                "fiscal year not found: no \"20xx 年\" in the title, the cover, the tables, \
                 the prose or the file name; pass --year",
            ));
        }
    };
    let phase = match phase_from_flag {
        Some(p) => {
            sources.phase = MetaSource::Flag;
            p
        }
        None => phase,
    };

    // Organisation.
    let org = if let Some(o) = overrides.org_name.clone() {
        Some((o, MetaSource::Flag))
    } else {
        org_from_titles(&headings, &titles, &cover)
            .or_else(|| labelled_org(lines).map(|o| (o, MetaSource::TableLabel)))
            .or_else(|| {
                // A sentence naming the budget: "X2026年部门预算…".
                prose
                    .iter()
                    .filter(|t| year_phase(t).is_some())
                    .find_map(|t| org_near_year(t))
                    .map(|o| (o, MetaSource::Prose))
            })
            .or_else(|| org_near_year(&stem).map(|o| (o, MetaSource::FileName)))
    };
    let (org_name, org_source) = match org {
        Some(found) => found,
        // Never a reason to refuse: the file name stands in, and coverage says so.
        None => (stem.clone(), MetaSource::Missing),
    };
    sources.org_name = org_source;

    let title = headings
        .iter()
        .find(|h| h.contains("预算") || h.contains("决算"))
        .cloned()
        .or_else(|| (cover.contains("预算") || cover.contains("决算")).then(|| cover.clone()))
        .unwrap_or_else(|| {
            format!(
                "{}{}年部门{}",
                org_name,
                fiscal_year,
                if phase == Phase::Final {
                    "决算"
                } else {
                    "预算"
                }
            )
        });
    // The place: the issuer's name read with the division catalog, the document's first
    // lines settling a name that several provinces use; the text alone where the issuer
    // names no place.
    let context: String = std::iter::once(cover.as_str())
        .chain(headings.iter().map(String::as_str))
        .chain(lines.iter().take(200).map(|l| l.text))
        .map(compact)
        .collect::<String>();
    let context = truncate_chars(&context, 8000);
    let divisions = Divisions::shipped();
    let (region, place) = match overrides.region.clone() {
        Some(r) => {
            sources.region = MetaSource::Flag;
            let place = divisions.resolve_issuer(&compact(&r), context);
            (r, place)
        }
        None if org_source != MetaSource::Missing => {
            match divisions.resolve_issuer(&compact(&org_name), context) {
                Some(place) => {
                    sources.region = MetaSource::Derived;
                    (place.name.clone(), Some(place))
                }
                None => match region_of(&org_name) {
                    Some(r) => {
                        sources.region = MetaSource::Derived;
                        (r, divisions.first_in_text(context))
                    }
                    None => place_from_text(divisions, context, &mut sources),
                },
            }
        }
        None => place_from_text(divisions, context, &mut sources),
    };
    Ok(DocumentMeta {
        title,
        fiscal_year,
        phase,
        region,
        place,
        org_name,
        org_code: None,
        units: units_listed(lines),
        sources,
    })
}

/// The cover: the first non-empty lines joined, up to the one that names the budget
/// (layout text prints the title over several lines: "中共上海市普陀区委" / "社会工作部
/// 2024 年度" / "部门决算", or "2026 年深圳市统计局（本级）部门预" / "算").
fn cover_of(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    for t in lines
        .iter()
        .map(|l| compact(&clean_heading(&l.text.replace('\u{c}', ""))))
        .filter(|t| !t.is_empty())
        .take(5)
    {
        // A line of prose or a table row is past the cover.
        if t.chars().count() > 40 || t.contains('。') {
            break;
        }
        out.push_str(&t);
        if out.contains("预算") || out.contains("决算") {
            break;
        }
    }
    out
}

/// The organisation a heading, a table title or the cover names.
fn org_from_titles(
    headings: &[String],
    titles: &[String],
    cover: &str,
) -> Option<(String, MetaSource)> {
    if let Some(h) = headings.iter().find(|h| is_org_name(h)) {
        return Some((compact(h), MetaSource::Title));
    }
    if let Some(o) = headings.iter().find_map(|h| org_near_year(h)) {
        return Some((o, MetaSource::Title));
    }
    if let Some(o) = org_near_year(cover) {
        return Some((o, MetaSource::Cover));
    }
    if is_org_name(cover) {
        return Some((cover.to_string(), MetaSource::Cover));
    }
    titles
        .iter()
        .find_map(|h| org_near_year(h))
        .map(|o| (o, MetaSource::Title))
}

/// The year and phase the prose names most often with a 预算 or 决算 ("2026年度部门预算",
/// "2026年预算安排"), on a tie the first named: a report on last year's 预算 mentioned
/// once in passing ("2025年部门预算项目绩效自评") does not make the document last year's.
fn most_named_year_phase<'a>(texts: impl Iterator<Item = &'a str>) -> Option<(i32, Phase)> {
    let found: Vec<(i32, Phase)> = texts.filter_map(year_phase).collect();
    let count = |y: i32| found.iter().filter(|(k, _)| *k == y).count();
    let best = found.iter().map(|(y, _)| count(*y)).max()?;
    found.iter().find(|(y, _)| count(*y) == best).copied()
}

/// The phase from the words of the document when no title says it: 决算 documents
/// speak of 决算 more than of 预算.
fn phase_by_words(lines: &[Line<'_>], stem: &str) -> Phase {
    let (mut b, mut f) = (0usize, 0usize);
    for l in lines.iter().map(|l| l.text).chain(std::iter::once(stem)) {
        b += l.matches("预算").count();
        f += l.matches("决算").count();
    }
    if f > b { Phase::Final } else { Phase::Budget }
}

/// The year the text names most often ("2026年度", "我局2026年继续…"), not counting
/// the previous year's figures (上年, 比2025年).
fn most_common_year(lines: &[Line<'_>]) -> Option<i32> {
    most_common(&year_counts(lines))
}

/// The year named most often; on a tie the later one. A year named once is no evidence.
fn most_common(counts: &[(i32, usize)]) -> Option<i32> {
    counts
        .iter()
        .filter(|(_, n)| *n >= 2)
        .max_by_key(|(y, n)| (*n, *y))
        .map(|(y, _)| *y)
}

/// `year`, unless the text names another year at least three times as often: a table-only
/// document whose one "20xx年…预算" is a project's history ("2025年部门预算项目绩效自评")
/// while its forms name 2026 throughout is 2026's.
fn unless_far_more_named(lines: &[Line<'_>], year: i32) -> i32 {
    let counts = year_counts(lines);
    let n = |y: i32| counts.iter().find(|(k, _)| *k == y).map_or(0, |c| c.1);
    match most_common(&counts) {
        Some(common) if common != year && n(common) >= 3 * n(year).max(1) => common,
        _ => year,
    }
}

/// How often the text names each year (a "20xx年度" counts twice).
fn year_counts(lines: &[Line<'_>]) -> Vec<(i32, usize)> {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for l in lines {
        let c = compact(l.text);
        let chars: Vec<char> = c.chars().collect();
        for i in 0..chars.len().saturating_sub(4) {
            let digits = chars[i..i + 4].iter().all(|c| c.is_ascii_digit());
            // Beijing's 部门整体支出绩效目标表 prints "2026（年度）".
            let bracketed = year_in_brackets(&chars[i + 4..]);
            if !digits
                || (chars[i + 4] != '年' && !bracketed)
                || (i > 0 && chars[i - 1].is_ascii_digit())
            {
                continue;
            }
            let compared = i > 0 && matches!(chars[i - 1], '比' | '较' | '与');
            let Ok(y) = chars[i..i + 4].iter().collect::<String>().parse::<i32>() else {
                continue;
            };
            if compared || !(1990..=2100).contains(&y) {
                continue;
            }
            // "2026年度" frames the whole document: it counts as two mentions.
            let weight = if chars.get(i + 5) == Some(&'度') || bracketed {
                2
            } else {
                1
            };
            match counts.iter_mut().find(|(k, _)| *k == y) {
                Some((_, n)) => *n += weight,
                None => counts.push((y, weight)),
            }
        }
    }
    counts
}

/// "（年度）" after a year's digits.
fn year_in_brackets(after: &[char]) -> bool {
    let s: String = after.iter().take(4).collect();
    s == "（年度）" || s.starts_with("(年度)")
}

/// The first "20xx 年" of a text.
fn year_in(s: &str) -> Option<i32> {
    let chars: Vec<char> = compact(s).chars().collect();
    (0..chars.len().saturating_sub(4)).find_map(|i| {
        let digits = chars[i..i + 4].iter().all(|c| c.is_ascii_digit());
        let bounded = (i == 0 || !chars[i - 1].is_ascii_digit()) && chars[i + 4] == '年';
        if !(digits && bounded) {
            return None;
        }
        let y: i32 = chars[i..i + 4].iter().collect::<String>().parse().ok()?;
        (1990..=2100).contains(&y).then_some(y)
    })
}

/// "预算主管部门：X", "编制部门：X", "部门名称：X": the department a layout document names.
fn labelled_org(lines: &[Line<'_>]) -> Option<String> {
    const KEYS: &[&str] = &[
        "预算主管部门",
        "主管部门",
        "编制部门",
        "编制单位",
        "部门名称",
        "单位名称",
        "部门（单位）",
        "部门(单位)",
        "部门（单位）名称",
        "填报单位",
        "预算单位",
        "部门",
    ];
    for key in KEYS {
        for l in lines {
            // Letter-spaced labels: "部 门:X", "单 位 名 称：X".
            let t = l
                .text
                .replace('\u{c}', "")
                .replace("部 门", "部门")
                .replace("单 位", "单位")
                .replace("名 称", "名称");
            let Some(pos) = t.find(key) else {
                continue;
            };
            let after_key = &t[pos + key.len()..];
            let rest = after_key.trim_start();
            // "部门名称：X", or a table cell "部门名称      X".
            let Some(rest) = rest
                .strip_prefix('：')
                .or_else(|| rest.strip_prefix(':'))
                .or_else(|| after_key.starts_with("  ").then_some(rest))
            else {
                continue;
            };
            // The value ends at a run of spaces (the next cell).
            let value = rest.trim_start().split("  ").next().unwrap_or("").trim();
            let value = compact(value);
            if is_org_name(&value) {
                return Some(value);
            }
        }
    }
    None
}

/// The units a department document lists (本部 and subordinate units): numbered lines
/// naming an organisation after "具体包括" / "单位包括" / "单位构成" / "单位名称".
pub fn units_listed(lines: &[Line<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut active = 0usize;
    for l in lines {
        let t = compact(&l.text.replace('\u{c}', ""));
        if t.contains("具体包括") || t.contains("单位包括") || t.contains("单位名称") {
            active = 12;
            continue;
        }
        if active == 0 || t.is_empty() {
            continue;
        }
        active -= 1;
        // "1.X。", "1X（本级）", "1、X"
        let body = t.trim_start_matches(|c: char| c.is_ascii_digit());
        if body.len() == t.len() {
            continue;
        }
        let body = body
            .trim_start_matches(['.', '、', '．', ' '])
            .trim_end_matches('。');
        let bare = body
            .trim_end_matches("（本部）")
            .trim_end_matches("（本级）")
            .trim_end_matches("(本部)")
            .trim_end_matches("(本级)");
        if is_org_name(bare) && !out.iter().any(|u| u == body) {
            out.push(body.to_string());
            active = 12;
        }
    }
    out
}

/// "2021 年部门预算", "2024年度部门决算", "2021年“三公”经费预算": (year, phase).
pub fn year_phase(s: &str) -> Option<(i32, Phase)> {
    let chars: Vec<char> = compact(s).chars().collect();
    let mut i = 0;
    while i + 4 < chars.len() {
        let after: String = chars[i + 4..].iter().take(2).collect();
        // "2021年", or a title that leaves 年 out: "2026 部门预算情况的说明".
        let year_word = chars[i + 4] == '年'
            || ["部门", "单位", "预算", "决算"]
                .iter()
                .any(|w| after.starts_with(w));
        // "比2025年初预算数", "较2025年预算": a year compared with, not the document's.
        let compared =
            i > 0 && matches!(chars[i - 1], '比' | '较' | '与' | '同') || after == "年初";
        let is_year = chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && year_word
            && !compared;
        if is_year {
            let year: String = chars[i..i + 4].iter().collect();
            let skip = if chars[i + 4] == '年' { 5 } else { 4 };
            // The name between year and 预算 can be long ("2026年中共深圳市委宣传部（本级）
            // 部门预算"); a sentence's clause break ends the search.
            let rest: String = chars[i + skip..]
                .iter()
                .take(30)
                .take_while(|c| !matches!(c, '，' | '。' | '；' | '：' | ',' | ';' | ':'))
                .collect();
            let Ok(year) = year.parse::<i32>() else {
                i += 1;
                continue;
            };
            if (1990..=2100).contains(&year) {
                // "预决算" names both phases: neither.
                let rest = rest.replace("预决算", "");
                let b = rest.find("预算");
                let f = rest.find("决算");
                match (b, f) {
                    (Some(b), Some(f)) => {
                        return Some((year, if f < b { Phase::Final } else { Phase::Budget }));
                    }
                    (Some(_), None) => return Some((year, Phase::Budget)),
                    (None, Some(_)) => return Some((year, Phase::Final)),
                    (None, None) => {}
                }
            }
        }
        i += 1;
    }
    None
}

const ORG_ENDINGS: &[&str] = &[
    "局", "委", "办", "部", "院", "厅", "会", "处", "中心", "所", "站", "馆", "队", "社", "团",
    "室", "政府", "校", "学", "园", "科", "署", "台", "报", "联", "协", "庭", "组",
];

fn is_org_name(h: &str) -> bool {
    let c = bare_org(&compact(h));
    let n = c.chars().count();
    (2..=40).contains(&n)
        && !c.contains("预算")
        && !c.contains("决算")
        && !c.contains("说明")
        && !c.contains('表')
        && !c.contains("目录")
        && !c.contains("情况")
        && !c.contains('、')
        && !c.contains('。')
        && !c
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_digit() || ch == '（' || ch == '(')
        && ORG_ENDINGS.iter().any(|e| c.ends_with(e))
}

/// "附件2：X" -> "X": the attachment number of a disclosure published in parts.
fn strip_attachment(c: &str) -> String {
    let Some(rest) = c.strip_prefix("附件").or_else(|| c.strip_prefix("附表")) else {
        return c.to_string();
    };
    let rest = rest
        .trim_start_matches(|ch: char| ch.is_ascii_digit() || "一二三四五六七八九十".contains(ch));
    rest.trim_start_matches(['：', ':', '、', '.', '．', ' ', '_', '-'])
        .to_string()
}

/// "（本级）", "（汇总）", "(部门汇总)": the part of a name that says which accounts of
/// the organisation a document covers. Kept in `org_name` (a department's own accounts
/// and its consolidated ones are different documents), ignored when judging a name.
fn bare_org(c: &str) -> String {
    let mut s = c.to_string();
    while let Some(open) = s.rfind(['（', '(']) {
        let inner = &s[open..];
        let closed = inner.ends_with('）') || inner.ends_with(')');
        if closed && inner.chars().count() <= 8 && open > 0 {
            s.truncate(open);
        } else {
            break;
        }
    }
    s
}

/// "上海市普陀区人民政府万里街道办事处2023年部门预算" -> the part before the year;
/// "2026年深圳市统计局（本级）部门预算" -> the part between the year and 部门预算.
fn org_near_year(h: &str) -> Option<String> {
    let c = compact(h);
    let c = c.strip_prefix("关于").unwrap_or(&c).to_string();
    let c = strip_attachment(&c);
    let pos = c.char_indices().find(|(_, ch)| ch.is_ascii_digit())?.0;
    let before = &c[..pos];
    let before = before.trim_end_matches(['：', ':', '_', '-', '—']);
    if is_org_name(before) {
        return Some(before.to_string());
    }
    // Beijing's "北京市信访办公室部门 2026 年度部门预算": the department, then the word 部门.
    if let Some(org) = before.strip_suffix("部门")
        && is_org_name(org)
    {
        return Some(org.to_string());
    }
    // After the year: "2026年(度)X部门预算", "2026年X单位预算", "2026年X预算".
    let after_year = c[pos..].trim_start_matches(|ch: char| ch.is_ascii_digit());
    let after_year = after_year.strip_prefix('年')?;
    let after_year = after_year.strip_prefix('度').unwrap_or(after_year);
    let end = [
        "部门预算",
        "部门决算",
        "单位预算",
        "单位决算",
        "预算",
        "决算",
    ]
    .iter()
    .filter_map(|k| after_year.find(k))
    .min()?;
    let org = &after_year[..end];
    is_org_name(org).then(|| org.to_string())
}

/// The region and place named first in the document's opening lines.
fn place_from_text(
    divisions: &Divisions,
    context: &str,
    sources: &mut MetaSources,
) -> (String, Option<Place>) {
    match divisions.first_in_text(context) {
        Some(place) => {
            sources.region = MetaSource::Prose;
            (place.name.clone(), Some(place))
        }
        None => (String::new(), None),
    }
}

fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The issuing government where the division catalog does not know it: the leading place name of the organisation, ending at the
/// first 市/县/区/州/旗/盟 after any province (省, 自治区) or municipality prefix.
pub fn region_of(org: &str) -> Option<String> {
    let mut s = compact(org);
    for p in ["中国共产党", "中共", "共青团", "中国"] {
        if let Some(r) = s.strip_prefix(p) {
            s = r.to_string();
            break;
        }
    }
    let mut start = 0usize;
    for m in ["北京市", "天津市", "上海市", "重庆市"] {
        if s.starts_with(m) {
            start = m.len();
        }
    }
    if start == 0 {
        for p in ["自治区", "省"] {
            if let Some(pos) = s.find(p)
                && s[..pos].chars().count() <= 8
            {
                start = pos + p.len();
                break;
            }
        }
    }
    let rest = &s[start..];
    let end = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '市' | '县' | '区' | '州' | '旗' | '盟'))
        .map(|(i, c)| {
            let e = i + c.len_utf8();
            // 达州市: a 州 or 县 that is part of the city's name.
            if rest[e..].starts_with('市') {
                e + '市'.len_utf8()
            } else {
                e
            }
        });
    match end {
        Some(e) if rest[..e].chars().count() <= 10 => Some(s[..start + e].to_string()),
        _ if start > 0 => Some(s[..start].to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        assert_eq!(
            region_of("万源市社会保险事业管理局").as_deref(),
            Some("万源市")
        );
        assert_eq!(
            region_of("上海市普陀区人民政府万里街道办事处").as_deref(),
            Some("上海市普陀区")
        );
        assert_eq!(
            region_of("中共上海市普陀区委社会工作部").as_deref(),
            Some("上海市普陀区")
        );
        assert_eq!(
            region_of("四川省达州市财政局").as_deref(),
            Some("四川省达州市")
        );
        assert_eq!(region_of("上海市财政局").as_deref(), Some("上海市"));
        assert_eq!(region_of("社会保险事业管理局"), None);
    }

    #[test]
    fn years() {
        assert_eq!(
            year_phase("关于 2021 年部门预算编制的说明"),
            Some((2021, Phase::Budget))
        );
        assert_eq!(year_phase("2024年度部门决算"), Some((2024, Phase::Final)));
        assert_eq!(year_phase("截止 2020 年，我市"), None);
        assert_eq!(
            year_phase("2026 年中共深圳市委宣传部（本级）部门预算"),
            Some((2026, Phase::Budget))
        );
        assert_eq!(year_phase("2025年，我部完成了年度预算"), None);
        assert_eq!(
            year_phase("2026 部门预算情况的说明"),
            Some((2026, Phase::Budget))
        );
        assert_eq!(
            year_phase("收入 19,828.57 万元比 2025 年初预算数 20,292.85 万元减"),
            None
        );
    }

    #[test]
    fn organisations_around_the_year() {
        assert_eq!(
            org_near_year("2026 年深圳市统计局（本级）部门预算").as_deref(),
            Some("深圳市统计局（本级）")
        );
        assert_eq!(
            org_near_year("上海市普陀区人民政府万里街道办事处2023年部门预算").as_deref(),
            Some("上海市普陀区人民政府万里街道办事处")
        );
        assert_eq!(
            org_near_year("附件2：中共北京市委军民融合发展委员会办公室2026年度部门预算报表")
                .as_deref(),
            Some("中共北京市委军民融合发展委员会办公室")
        );
        assert_eq!(org_near_year("2026年部门预算"), None);
        assert_eq!(
            org_near_year("北京市信访办公室部门 2026 年度部门预算").as_deref(),
            Some("北京市信访办公室")
        );
        assert_eq!(org_near_year("部门2026年度部门预算"), None);
        assert!(year_in_brackets(&"（年度）".chars().collect::<Vec<_>>()));
        assert!(is_org_name("西安市统计局（汇总）"));
    }
}

/// Each metadata source, on small documents with one table, and the flags over them.
#[cfg(test)]
mod source_tests {
    use std::path::Path;

    use crate::model::{MetaOverrides, MetaSource, Phase};
    use crate::statements::{parse, parse_with};

    const TABLE: &str = "## 部门收支总表\n\n单位：元\n项目\t金额\n总计\t1.00\n";

    fn sources(path: &str, text: &str) -> (String, i32, Phase, [MetaSource; 4]) {
        let doc = parse(Path::new(path), text).expect("parses");
        let s = doc.meta.sources;
        (
            doc.meta.org_name,
            doc.meta.fiscal_year,
            doc.meta.phase,
            [s.org_name, s.fiscal_year, s.phase, s.region],
        )
    }

    #[test]
    fn from_the_title() {
        let text = format!("# 某某县教育局2021年部门预算\n\n{TABLE}");
        let (org, year, phase, s) = sources("a.txt", &text);
        assert_eq!(
            (org.as_str(), year, phase),
            ("某某县教育局", 2021, Phase::Budget)
        );
        assert_eq!(
            s,
            [
                MetaSource::Title,
                MetaSource::Title,
                MetaSource::Title,
                MetaSource::Derived
            ]
        );
    }

    #[test]
    fn from_a_title_wrapped_on_the_cover() {
        // pdftotext cuts a long title: "2026 年深圳市统计局（本级）部门预" / "算".
        let text = format!("2026 年深圳市统计局（本级）部门预\n算\n\n{TABLE}");
        let (org, year, _, s) = sources("a.txt", &text);
        assert_eq!((org.as_str(), year), ("深圳市统计局（本级）", 2026));
        assert_eq!(s[0], MetaSource::Cover);
        assert_eq!(s[1], MetaSource::Cover);
    }

    #[test]
    fn from_a_labelled_line_of_the_tables() {
        let text = format!(
            "2021年部门预算公开表\n\n部门名称：某某县教育局    单位：元\n{}",
            TABLE.replace("单位：元\n", "")
        );
        let (org, _, _, s) = sources("a.txt", &text);
        assert_eq!(org, "某某县教育局");
        assert_eq!(s[0], MetaSource::TableLabel);
        // Letter-spaced, with an ASCII colon.
        let text = format!("2019年部门预算\n\n部 门:江苏省政协办公厅\n{TABLE}");
        assert_eq!(sources("a.txt", &text).0, "江苏省政协办公厅");
    }

    #[test]
    fn from_the_prose() {
        let text = format!(
            "说明\n\n某某县教育局2021年部门预算情况说明如下，本文所列金额均为年初数，请审阅。\n\n{TABLE}"
        );
        let (org, year, _, s) = sources("a.txt", &text);
        assert_eq!((org.as_str(), year), ("某某县教育局", 2021));
        assert_eq!(s[0], MetaSource::Prose);
    }

    #[test]
    fn from_the_file_name() {
        let text = format!("说明\n\n{TABLE}");
        let (org, year, phase, s) = sources("附件2：某某县教育局2022年部门决算报表.txt", &text);
        assert_eq!(
            (org.as_str(), year, phase),
            ("某某县教育局", 2022, Phase::Final)
        );
        assert_eq!(s[0], MetaSource::FileName);
        assert_eq!(s[1], MetaSource::FileName);
    }

    #[test]
    fn a_table_only_document_takes_the_year_its_forms_name() {
        // Beijing's 报表 part: no year in any title; its 部门整体支出绩效目标表 says
        // "2026（年度）".
        let text = format!("{TABLE}\n部门整体支出绩效目标表\n2026（年度）\n");
        let doc = parse(Path::new("a.txt"), &text).expect("parses");
        assert_eq!(doc.meta.fiscal_year, 2026);
        // One project recalls "2025年部门预算项目绩效自评"; the forms name 2026 throughout.
        let text = format!(
            "{TABLE}\n2025年部门预算项目绩效自评完成\n保障2026年度工作\n2026年度目标\n2026年汛期\n"
        );
        let doc = parse(Path::new("a.txt"), &text).expect("parses");
        assert_eq!(doc.meta.fiscal_year, 2026);
    }

    #[test]
    fn missing_year_is_the_only_refusal() {
        let text = format!("说明\n\n{TABLE}");
        let err = parse(Path::new("a.txt"), &text).unwrap_err();
        assert!(err.message.contains("pass --year"), "{}", err.message);
        // Given on the command line, the rest comes from the file name or stands in.
        let flags = MetaOverrides {
            fiscal_year: Some(2023),
            ..MetaOverrides::default()
        };
        let doc = parse_with(Path::new("a.txt"), &text, &flags).unwrap();
        assert_eq!(doc.meta.fiscal_year, 2023);
        assert_eq!(doc.meta.sources.fiscal_year, MetaSource::Flag);
        assert_eq!(doc.meta.org_name, "a");
        assert_eq!(doc.meta.sources.org_name, MetaSource::Missing);
    }

    #[test]
    fn flags_override_the_document() {
        let text = format!("# 某某县教育局2021年部门预算\n\n{TABLE}");
        let flags = MetaOverrides {
            org_name: Some("某某县教育局机关".into()),
            fiscal_year: Some(2022),
            phase: Some(Phase::Final),
            region: Some("某某县".into()),
        };
        let doc = parse_with(Path::new("a.txt"), &text, &flags).unwrap();
        let m = &doc.meta;
        assert_eq!(
            (
                m.org_name.as_str(),
                m.fiscal_year,
                m.phase,
                m.region.as_str()
            ),
            ("某某县教育局机关", 2022, Phase::Final, "某某县")
        );
        let s = m.sources;
        assert_eq!(
            [s.org_name, s.fiscal_year, s.phase, s.region],
            [MetaSource::Flag; 4]
        );
    }
}
