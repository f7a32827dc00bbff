//! 绩效目标 forms in layout text (Shanghai's 财政项目支出绩效目标填报表): one project per
//! form, key/value cells rather than a grid.
//!
//! Amounts (元): 年度资金申请总额 -> measure `total`; 其中：当年财政拨款 -> `amount`, fund
//! `general_budget`; 上年结转资金 -> `amount`, fund `carryover`; the year's 其他资金 ->
//! `amount`, fund `other`. The project's whole-life amounts (项目资金总额 and its 其中：
//! 财政资金 / 其他资金, left half of the form) are measure `project_total` with fund NULL /
//! `general_budget` / `other`, so they never add into the year's figures. `item` is the
//! 项目名称. Indicators (一级 / 二级 / 三级指标, 指标值) go to `targets`, levels carried down.

use crate::document::grid::TableGrid;
use crate::document::layout::{Tok, tokenize};
use crate::document::number::parse_amount;
use crate::document::text::compact;
use crate::model::Target;

use super::{Ctx, new_fact};

fn label_value(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks.get(i + 1).filter(|t| parse_amount(&t.text).is_some())
}

pub fn handle(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let lines: Vec<(u32, Vec<Tok>)> = table
        .source
        .iter()
        .map(|(no, t)| (*no, tokenize(t, true)))
        .collect();
    // The project.
    let project = lines
        .iter()
        .find_map(|(_, toks)| {
            toks.iter()
                .position(|t| compact(&t.text) == "项目名称")
                .and_then(|i| toks.get(i + 1))
                .map(|t| t.text.clone())
        })
        .unwrap_or_default();
    // Left/right halves: the start of 年度资金申请总额.
    let split = lines
        .iter()
        .flat_map(|(_, t)| t.iter())
        .find(|t| compact(&t.text).contains("年度资金申请总额"))
        .map_or(usize::MAX, |t| t.start.saturating_sub(4));
    let mut indicator_header: Option<(u32, Vec<(String, f64)>)> = None;
    for (no, toks) in &lines {
        for (i, t) in toks.iter().enumerate() {
            let c = compact(&t.text);
            let annual = t.start >= split;
            let (measure, fund): (&str, Option<&str>) = if c.contains("年度资金申请总额") {
                ("total", None)
            } else if c.contains("项目资金总额") {
                ("project_total", None)
            } else if c.contains("当年财政拨款") {
                ("amount", Some("general_budget"))
            } else if c.contains("上年结转") {
                ("amount", Some("carryover"))
            } else if c.contains("财政资金") {
                (
                    if annual { "amount" } else { "project_total" },
                    Some("general_budget"),
                )
            } else if c == "其他资金" {
                (
                    if annual { "amount" } else { "project_total" },
                    Some("other"),
                )
            } else {
                continue;
            };
            let Some(v) = label_value(toks, i) else {
                continue;
            };
            let Some(amount) = parse_amount(&v.text) else {
                continue;
            };
            let mut f = new_fact(ctx, table, id, *no, amount);
            f.item = project.clone();
            f.measure = measure.to_string();
            f.fund = fund.map(str::to_string);
            f.measure_label = c.trim_start_matches("其中：").to_string();
            ctx.facts.push(f);
        }
        if toks.iter().any(|t| compact(&t.text).contains("三级指标")) {
            indicator_header = Some((
                *no,
                toks.iter()
                    .map(|t| (compact(&t.text), t.center_pos()))
                    .collect(),
            ));
        }
    }
    // Indicators.
    let Some((hline, hcols)) = indicator_header else {
        return;
    };
    let col = |name: &str| hcols.iter().position(|(t, _)| t.contains(name));
    let (Some(c1), Some(c2), Some(c3)) = (col("一级指标"), col("二级指标"), col("三级指标"))
    else {
        return;
    };
    let c4 = col("指标值");
    let centers: Vec<f64> = hcols.iter().map(|(_, c)| *c).collect();
    let left_edge = centers[c1] - 8.0;
    let mut level1: Option<String> = None;
    let mut level2: Option<String> = None;
    // The line of a value attached to the indicator printed just above it.
    let mut wrapped_value_line: Option<u32> = None;
    for (no, toks) in lines.iter().filter(|(no, _)| *no > hline) {
        let mut cells: [Vec<String>; 4] = Default::default();
        for t in toks {
            let x = t.center_pos();
            if x < left_edge {
                continue;
            }
            let nearest = (0..centers.len())
                .min_by(|&a, &b| {
                    (centers[a] - x)
                        .abs()
                        .partial_cmp(&(centers[b] - x).abs())
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .unwrap_or(c3);
            let slot = if nearest == c1 {
                0
            } else if nearest == c2 {
                1
            } else if Some(nearest) == c4 {
                3
            } else {
                2
            };
            cells[slot].push(t.text.clone());
        }
        if let Some(l) = cells[0].first() {
            level1 = Some(compact(l));
        }
        if let Some(l) = cells[1].first() {
            level2 = Some(compact(l));
        }
        // A cell wrapped over three lines prints its text above and below the line that
        // carries the value: "提升居民…提升驻区企" / "提升" / "业，依法统计意识…".
        let recent = |t: &Target| no.saturating_sub(t.src_line) <= 2 && t.project == project;
        if cells[2].is_empty() {
            if !cells[3].is_empty()
                && let Some(last) = ctx.targets.last_mut()
                && recent(last)
                && last.target.is_none()
            {
                last.target = Some(cells[3].join(" "));
                wrapped_value_line = Some(*no);
            }
            continue;
        }
        if cells[3].is_empty()
            && let Some(last) = ctx.targets.last_mut()
            && wrapped_value_line.is_some_and(|v| v + 1 == *no && recent(last))
        {
            last.indicator.push_str(&cells[2].join(""));
            wrapped_value_line = None;
            continue;
        }
        wrapped_value_line = None;
        ctx.targets.push(Target {
            project: project.clone(),
            level1: level1.clone(),
            level2: level2.clone(),
            indicator: cells[2].join(""),
            target: (!cells[3].is_empty()).then(|| cells[3].join(" ")),
            src_line: *no,
        });
    }
}
