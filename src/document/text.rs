//! Lines of a document: splitting with 1-based line numbers, cleaning headings
//! (markdown `#`, `**bold**`), normalising spaces, and Chinese ordinal prefixes.

/// One line of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based.
    pub no: u32,
    pub text: &'a str,
}

/// Splits a document into numbered lines (a final newline does not add an empty line).
pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return out;
    }
    for (i, t) in body.split('\n').enumerate() {
        out.push(Line {
            no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: t,
        });
    }
    out
}

/// Collapses runs of whitespace (including the ideographic space) to one ASCII space
/// and trims the ends.
pub fn normalise_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        }
    }
    out
}

/// Removes all whitespace: for comparing labels whose spacing differs
/// ("机关事业单位基本 养老保险缴费", "收 入 总 计").
pub fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{a0}')
        .collect()
}

/// A heading or title line without its markdown: `## **三、收支**` -> `三、收支`.
pub fn clean_heading(s: &str) -> String {
    let t = s.trim().trim_start_matches('#').trim();
    let t = t.replace("**", "").replace("__", "");
    normalise_spaces(&t)
}

/// Markdown heading level (1 for `#`), if the line is a markdown heading.
pub fn heading_level(s: &str) -> Option<usize> {
    let t = s.trim_start();
    let n = t.chars().take_while(|c| *c == '#').count();
    (n > 0 && n <= 6 && t[n..].starts_with([' ', '\t'])).then_some(n)
}

/// Strips a leading ordinal and "其中：" from a row label: "一、", "（一）", "(1)", "1.",
/// "1、", "1．", "其中：（1）". Spaces are normalised.
pub fn strip_ordinal(label: &str) -> String {
    let mut s = normalise_spaces(label);
    loop {
        let before = s.clone();
        for p in ["其中：", "其中:", "其中"] {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim_start().to_string();
            }
        }
        // (一) （1）
        if let Some(rest) = s.strip_prefix(['(', '（']) {
            if let Some(close) = rest.find([')', '）']) {
                let inner = &rest[..close];
                if !inner.is_empty() && inner.chars().all(is_ordinal_char) {
                    let after = &rest[close..];
                    let after = after
                        .strip_prefix(')')
                        .or_else(|| after.strip_prefix('）'))
                        .unwrap_or(after);
                    s = after.trim_start().to_string();
                }
            }
        } else {
            let n: usize = s
                .chars()
                .take_while(|c| is_ordinal_char(*c))
                .map(char::len_utf8)
                .sum();
            if n > 0 {
                let rest = &s[n..];
                let stripped = rest
                    .strip_prefix('、')
                    .or_else(|| rest.strip_prefix('．'))
                    .or_else(|| rest.strip_prefix(". "))
                    .or_else(|| {
                        // "1." but not "1.5"
                        rest.strip_prefix('.')
                            .filter(|r| !r.starts_with(|c: char| c.is_ascii_digit()))
                    });
                if let Some(r) = stripped {
                    s = r.trim_start().to_string();
                }
            }
        }
        if s == before {
            return s;
        }
    }
}

fn is_ordinal_char(c: char) -> bool {
    c.is_ascii_digit() || "一二三四五六七八九十百零〇".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lines() {
        let l = lines("a\nb\n");
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].no, 2);
        assert_eq!(lines("a\n\nb").len(), 3);
        assert!(lines("").is_empty());
    }

    #[test]
    fn ordinals() {
        assert_eq!(
            strip_ordinal("八、社会保障和就业支出"),
            "社会保障和就业支出"
        );
        assert_eq!(
            strip_ordinal("二十九、国有资本经营预算支出"),
            "国有资本经营预算支出"
        );
        assert_eq!(strip_ordinal("1. 因公出国（境）费用"), "因公出国（境）费用");
        assert_eq!(
            strip_ordinal("其中：（1）公务用车运行 维护费"),
            "公务用车运行 维护费"
        );
        assert_eq!(strip_ordinal("（2）公务用车购置"), "公务用车购置");
        assert_eq!(strip_ordinal("合计"), "合计");
        assert_eq!(
            strip_ordinal("一般公共预算拨款收入"),
            "一般公共预算拨款收入"
        );
        assert_eq!(strip_ordinal("十"), "十");
    }

    #[test]
    fn headings() {
        assert_eq!(clean_heading("## **二、部门概况**"), "二、部门概况");
        assert_eq!(heading_level("# 万源市"), Some(1));
        assert_eq!(heading_level("#标签"), None);
        assert_eq!(compact("收 入 总\u{3000}计"), "收入总计");
    }
}
