//! Document metadata read from the document itself: fiscal year and phase (the first
//! "2021 年…预算/决算" in a heading, else anywhere), the organisation (the top heading),
//! the issuing government (the place name the organisation's name starts with) and the
//! title (the first heading naming the budget).

use std::path::Path;

use crate::document::grid::Layout;
use crate::document::text::{Line, clean_heading, compact, heading_level};
use crate::model::{DocumentMeta, ParseError, Phase};

/// Reads the metadata; `org_code` and `units` are filled in from the tables later.
pub fn read(path: &Path, lines: &[Line<'_>], layout: &Layout) -> Result<DocumentMeta, ParseError> {
    let headings: Vec<(u32, String)> = lines
        .iter()
        .filter(|l| heading_level(l.text).is_some())
        .map(|l| (l.no, clean_heading(l.text)))
        .collect();
    let titles: Vec<(u32, String)> = layout
        .tables
        .iter()
        .filter(|t| !t.title.is_empty())
        .map(|t| (t.start_line, t.title.clone()))
        .collect();

    // The cover: the first non-empty lines joined (layout text prints the title over
    // several lines: "中共上海市普陀区委" / "社会工作部 2024 年度" / "部门决算").
    let cover: String = lines
        .iter()
        .map(|l| compact(&l.text.replace('\u{c}', "")))
        .filter(|t| !t.is_empty())
        .take(4)
        .scan(false, |done, t| {
            if *done {
                return None;
            }
            *done = t.contains("预算") || t.contains("决算");
            Some(t)
        })
        .collect();

    // Fiscal year and phase.
    let mut found = None;
    for (_, h) in headings.iter().chain(titles.iter()) {
        if let Some(yp) = year_phase(h) {
            found = Some(yp);
            break;
        }
    }
    if found.is_none() {
        found = year_phase(&cover);
    }
    if found.is_none() {
        found = lines.iter().find_map(|l| year_phase(l.text));
    }
    let Some((fiscal_year, phase)) = found else {
        return Err(ParseError::new(
            path,
            None,
            "fiscal year not found: no \"20xx 年…预算/决算\" in the document",
        ));
    };

    // Organisation.
    let org_name = headings
        .iter()
        .map(|(_, h)| h)
        .find(|h| is_org_name(h))
        .cloned()
        .or_else(|| labelled_org(lines))
        .or_else(|| org_before_year(&cover))
        .or_else(|| {
            lines
                .iter()
                .map(|l| clean_heading(l.text))
                .find(|t| !t.is_empty())
                .filter(|t| is_org_name(t))
        })
        .or_else(|| {
            headings
                .iter()
                .chain(titles.iter())
                .find_map(|(_, h)| org_before_year(h))
        });
    let Some(org_name) = org_name else {
        return Err(ParseError::new(
            path,
            None,
            "organisation not found: no heading names the department",
        ));
    };

    let title = headings
        .iter()
        .map(|(_, h)| h)
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
    let region = region_of(&org_name).unwrap_or_default();
    Ok(DocumentMeta {
        title,
        fiscal_year,
        phase,
        region,
        org_name,
        org_code: None,
        units: units_listed(lines),
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
    ];
    for key in KEYS {
        for l in lines {
            let t = l.text.replace('\u{c}', "");
            let Some(pos) = t.find(key) else {
                continue;
            };
            let rest = t[pos + key.len()..].trim_start();
            let Some(rest) = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':')) else {
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
        let is_year = chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && chars[i + 4] == '年';
        if is_year {
            let year: String = chars[i..i + 4].iter().collect();
            let rest: String = chars[i + 5..].iter().take(14).collect();
            let Ok(year) = year.parse::<i32>() else {
                i += 1;
                continue;
            };
            if (1990..=2100).contains(&year) {
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
    let c = compact(h);
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

/// "上海市普陀区人民政府万里街道办事处2023年部门预算" -> the part before the year.
fn org_before_year(h: &str) -> Option<String> {
    let c = compact(h);
    let c = c.strip_prefix("关于").unwrap_or(&c).to_string();
    let pos = c.char_indices().find(|(_, ch)| ch.is_ascii_digit())?.0;
    let org = &c[..pos];
    is_org_name(org).then(|| org.to_string())
}

/// The issuing government: the leading place name of the organisation, ending at the
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
    }
}
