//! Money figures stated in the prose: "收入预算总额为 316.29 万元" becomes a
//! `NarrativeFigure` with its amount in 元, the figure as printed, a label (the nearest
//! known budget item before it in the clause, else the words right before the number)
//! and the sentence. A number and its unit split over a page break ("287.51", blank
//! line, "万元") are joined. Counts (人, 户), percentages, years and dates are not money.

use rust_decimal::Decimal;

use crate::model::{NarrativeFigure, Unit};

use super::grid::ProseLine;
use super::number::parse_amount;
use super::text::normalise_spaces;

/// Budget items the prose talks about, for labelling figures.
const KNOWN_ITEMS: &[&str] = &[
    "公务接待费",
    "因公出国（境）经费",
    "因公出国（境）费用",
    "因公出国(境)经费",
    "因公出国（境）费",
    "公务用车购置及运行维护费",
    "公务用车购置及运行费",
    "公务用车运行维护费",
    "公务用车购置费",
    "公务用车运行费",
    "公务用车购置",
    "“三公”经费",
    "三公经费",
    "机关运行经费",
    "政府采购",
    "收入预算总额",
    "支出预算总额",
    "收入总额",
    "支出总额",
    "收入预算",
    "支出预算",
    "当年财政拨款收入",
    "财政拨款收入",
    "一般公共预算拨款收入",
    "一般公共预算拨款",
    "政府性基金预算拨款收入",
    "政府性基金预算拨款",
    "国有资本经营预算拨款收入",
    "事业单位经营收入",
    "事业收入",
    "经营收入",
    "其他收入",
    "上年结转收入",
    "上年结转",
    "结转下年",
    "基本支出",
    "项目支出",
    "人员经费",
    "公用经费",
    "一般公共服务支出",
    "一般公共服务",
    "社会保障和就业支出",
    "社会保障和就业",
    "卫生健康支出",
    "卫生健康",
    "医疗卫生",
    "住房保障支出",
    "住房保障",
    "教育支出",
    "科学技术支出",
    "文化旅游体育与传媒支出",
    "节能环保支出",
    "城乡社区支出",
    "农林水支出",
    "交通运输支出",
    "工资福利支出",
    "商品和服务支出",
    "对个人和家庭的补助",
    "资本性支出",
];

const CLAUSE_BREAKS: &[char] = &[
    '，', '。', '；', ';', '：', ':', '、', '（', '）', '(', ')', '！', '？', ',', '“', '”',
];
const SENTENCE_BREAKS: &[char] = &['。', '；', ';', '！', '？'];

/// Extracts the money figures of the prose lines.
pub fn figures(prose: &[ProseLine]) -> Vec<NarrativeFigure> {
    let mut out = Vec::new();
    for (idx, pl) in prose.iter().enumerate() {
        let text = pl.text.replace("**", "");
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let prev_ok = i == 0 || !(chars[i - 1].is_ascii_digit() || chars[i - 1] == '.');
            if !(c.is_ascii_digit() && prev_ok) {
                i += 1;
                continue;
            }
            let start = i;
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || ((chars[j] == '.' || chars[j] == ',')
                        && j + 1 < chars.len()
                        && chars[j + 1].is_ascii_digit()))
            {
                j += 1;
            }
            let number: String = chars[start..j].iter().collect();
            i = j;
            let Some(value) = parse_amount(&number) else {
                continue;
            };
            // The unit: right after, or at the start of the next prose line.
            let mut k = j;
            while k < chars.len() && (chars[k] == ' ' || chars[k] == '\u{3000}') {
                k += 1;
            }
            let rest: String = chars[k..].iter().take(2).collect();
            let mut next_line_rest: Option<String> = None;
            let unit = if let Some(u) = unit_at(&rest) {
                Some((u, k + unit_len(&rest)))
            } else if k == chars.len() {
                // Split over a page break.
                let next = prose
                    .get(idx + 1)
                    .filter(|n| n.line > pl.line && n.line <= pl.line + 4);
                next.and_then(|n| {
                    let nt = n.text.replace("**", "");
                    let nt = nt.trim_start();
                    let head: String = nt.chars().take(2).collect();
                    unit_at(&head).map(|u| {
                        next_line_rest = Some(nt.to_string());
                        (u, usize::MAX)
                    })
                })
            } else {
                None
            };
            let Some(((unit, factor), end)) = unit else {
                continue;
            };
            let amount = value * factor;
            let as_printed = if end == usize::MAX {
                format!("{} {}", number, unit_text(factor))
            } else {
                normalise_spaces(&chars[start..end].iter().collect::<String>())
            };
            let label = label_before(&chars[..start]);
            let context = sentence(&chars, start, end, next_line_rest.as_deref());
            out.push(NarrativeFigure {
                label,
                amount,
                as_printed,
                unit,
                context,
                src_line: pl.line,
            });
            if end != usize::MAX {
                i = end;
            }
        }
    }
    out
}

/// The unit at the start of `s`: (unit, multiplier of the printed number to 元).
fn unit_at(s: &str) -> Option<(Unit, Decimal)> {
    if s.starts_with("万元") {
        Some((Unit::Wan, Decimal::from(10_000)))
    } else if s.starts_with("亿元") {
        Some((Unit::Wan, Decimal::from(100_000_000)))
    } else if s.starts_with('元') && !s.starts_with("元/") {
        Some((Unit::Yuan, Decimal::ONE))
    } else {
        None
    }
}

fn unit_len(s: &str) -> usize {
    if s.starts_with("万元") || s.starts_with("亿元") {
        2
    } else {
        1
    }
}

fn unit_text(factor: Decimal) -> &'static str {
    if factor == Decimal::ONE {
        "元"
    } else if factor == Decimal::from(10_000) {
        "万元"
    } else {
        "亿元"
    }
}

/// The label of a figure from the text before it.
fn label_before(before: &[char]) -> String {
    let clause_start = before
        .iter()
        .rposition(|c| CLAUSE_BREAKS.contains(c))
        .map_or(0, |p| p + 1);
    let clause: String = before[clause_start..].iter().collect();
    let mut best: Option<(usize, usize, &str)> = None;
    for item in KNOWN_ITEMS {
        if let Some(pos) = clause.rfind(item) {
            let end = pos + item.len();
            let better = match best {
                None => true,
                Some((e, l, _)) => end > e || (end == e && item.len() > l),
            };
            if better {
                best = Some((end, item.len(), item));
            }
        }
    }
    if let Some((_, _, item)) = best {
        return item.to_string();
    }
    // The words right before the number.
    let trimmed: Vec<char> = clause.trim_end().chars().collect();
    let run_start = trimmed
        .iter()
        .rposition(|c| c.is_whitespace() || c.is_ascii_digit() || c.is_ascii_punctuation())
        .map_or(0, |p| p + 1);
    let mut label: String = trimmed[run_start..].iter().collect();
    // A counter word left from a count before it ("92 名退休人员…").
    if label.chars().count() > 2
        && let Some(rest) = label.strip_prefix(['名', '人', '户', '个', '家', '次', '项'])
    {
        label = rest.to_string();
    }
    for suffix in ["为", "共计", "共", "约", "达", "计", "合计", "总计"] {
        if label.chars().count() > suffix.chars().count()
            && let Some(s) = label.strip_suffix(suffix)
        {
            label = s.to_string();
            break;
        }
    }
    if label.is_empty() {
        normalise_spaces(&clause)
    } else {
        label
    }
}

/// The sentence around a figure.
fn sentence(chars: &[char], start: usize, end: usize, next: Option<&str>) -> String {
    let s = chars[..start]
        .iter()
        .rposition(|c| SENTENCE_BREAKS.contains(c))
        .map_or(0, |p| p + 1);
    let mut out: String;
    if end == usize::MAX {
        out = chars[s..].iter().collect();
        if let Some(n) = next {
            let stop = n
                .char_indices()
                .find(|(_, c)| SENTENCE_BREAKS.contains(c))
                .map_or(n.len(), |(i, c)| i + c.len_utf8());
            out.push_str(&n[..stop]);
        }
    } else {
        let e = chars[end.min(chars.len())..]
            .iter()
            .position(|c| SENTENCE_BREAKS.contains(c))
            .map_or(chars.len(), |p| end + p + 1);
        out = chars[s..e.min(chars.len())].iter().collect();
    }
    let out = normalise_spaces(&out);
    if out.chars().count() > 300 {
        out.chars().take(300).collect()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn pl(line: u32, t: &str) -> ProseLine {
        ProseLine {
            line,
            text: t.to_string(),
        }
    }

    #[test]
    fn figures_with_labels() {
        let f = figures(&[
            pl(
                1,
                "2021 年某局收入预算总额为 316.29 万元，其中：事业收入 0 万元。截止 2020 年参保人数为 47467 人，下降 3%。",
            ),
            pl(2, "社会保障和就业 287.51"),
            pl(4, "万元，医疗卫生 10.35万元。"),
            pl(5, "征缴养老保险 37593 万元。"),
        ]);
        assert_eq!(f.len(), 5, "{f:#?}");
        assert_eq!(f[0].label, "收入预算总额");
        assert_eq!(f[0].amount, Decimal::from_str("3162900").unwrap());
        assert_eq!(f[0].as_printed, "316.29 万元");
        assert_eq!(f[1].label, "事业收入");
        assert_eq!(f[1].amount, Decimal::ZERO);
        assert_eq!(f[2].label, "社会保障和就业");
        assert_eq!(f[2].src_line, 2);
        assert_eq!(f[2].as_printed, "287.51 万元");
        assert_eq!(f[3].label, "医疗卫生");
        assert_eq!(f[4].label, "征缴养老保险");
    }
}
