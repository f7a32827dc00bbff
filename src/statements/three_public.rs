//! The “三公”经费 tables (`three_public`): the统计表 with items as rows (单位：万元), the
//! 一般公共预算 / 政府性基金预算 “三公”经费支出预算表 with units as rows and items as
//! columns under a multi-row header, and the “三公经费”情况统计表 with 上年预算数 /
//! 本年预算数 column pairs per item.
//!
//! `item` is the canonical item of the column (or, where columns are not items, of the
//! row): 因公出国（境）费 (econ 30212), 公务接待费 (30217), 公务用车购置费 (31013),
//! 公务用车运行维护费 (30231), 其他交通费用 (30239), and the totals 公务用车购置及运行维护费
//! and 合计 (is_total). Measure `amount`, or `basic` / `project` under 基本支出 / 项目支出;
//! 上年预算数 columns are period `prior`; ratio columns (下降%) are not money and are
//! skipped. Rows print the unit's code (`org_code`); the 合计 row and a unit whose code
//! begins another unit's code (the department over its units) are totals. In a 决算 the
//! 预算数 / 决算数 columns are measures `budget` / `final`. Shanghai's budget table adds a
//! 机关运行经费 column: item 机关运行经费 (not a 三公 item, not a total). The fund is
//! the one the title names (一般公共预算 -> general_budget, 政府性基金 -> gov_fund).

use crate::document::grid::TableGrid;
use crate::document::header::{self, Columns, is_structural};
use crate::document::text::{compact, strip_ordinal};
use crate::model::Period;

use super::codes::parts;
use super::registry::{fund_for_title, is_ratio_label, is_total_label, period_for_label};
use super::{Ctx, new_fact};

/// A canonical 三公 item: (name, econ code, is a total).
pub fn canonical_item(label: &str) -> Option<(&'static str, Option<&'static str>, bool)> {
    let l = compact(&strip_ordinal(label));
    if l.contains("出国") {
        Some(("因公出国（境）费", Some("30212"), false))
    } else if l.contains("接待") {
        Some(("公务接待费", Some("30217"), false))
    } else if l.contains("其他交通") {
        Some(("其他交通费用", Some("30239"), false))
    } else if l.contains("公务用车") || l.contains("公车") {
        let run = l.contains("运行");
        let buy = l.contains("购置");
        if run && buy {
            Some(("公务用车购置及运行维护费", None, true))
        } else if run {
            Some(("公务用车运行维护费", Some("30231"), false))
        } else if buy {
            Some(("公务用车购置费", Some("31013"), false))
        } else {
            Some(("公务用车购置及运行维护费", None, true))
        }
    } else {
        None
    }
}

fn column_item(cols: &Columns, c: usize) -> Option<(&'static str, Option<&'static str>, bool)> {
    let path: Vec<&str> = cols
        .path(c)
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| !is_structural(t))
        .collect();
    // A leaf 购置费 / 运行费 under a 公务用车购置及运行费 group.
    if let Some(leaf) = path.last() {
        let l = compact(leaf);
        let under_cars = path.iter().any(|p| compact(p).contains("公务用车"));
        if under_cars && !l.contains("公务用车") {
            if l.contains("购置") && !l.contains("运行") {
                return Some(("公务用车购置费", Some("31013"), false));
            }
            if l.contains("运行") && !l.contains("购置") {
                return Some(("公务用车运行维护费", Some("30231"), false));
            }
        }
        if l.contains("机关运行经费") {
            return Some(("机关运行经费", None, false));
        }
    }
    if let Some(hit) = path.iter().rev().find_map(|l| canonical_item(l)) {
        return Some(hit);
    }
    path.iter()
        .any(|l| is_total_label(l))
        .then_some(("合计", None, true))
}

pub fn handle(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let fund = fund_for_title(&table.title).map(str::to_string);
    // Unit codes of the table, to tell a department row from its units.
    let orgs: Vec<String> = table
        .data_rows()
        .filter_map(|r| parts(r).lead.first().cloned())
        .collect();
    let mut cols_model: Option<Columns> = None;
    for piece in &table.pieces {
        if !piece.header.is_empty() || cols_model.is_none() {
            cols_model = Some(header::columns(&piece.header, &piece.data));
        }
        let Some(cols) = cols_model.as_ref() else {
            continue;
        };
        for row in &piece.data {
            let p = parts(row);
            let org = p.lead.first().cloned();
            let row_item = canonical_item(&p.name);
            let row_total = is_total_label(&p.name)
                || org.as_ref().is_some_and(|o| {
                    orgs.iter()
                        .any(|x| x.len() > o.len() && x.starts_with(o.as_str()))
                });
            for (c, v) in &p.values {
                let joined = cols.joined(*c);
                if is_ratio_label(&joined) {
                    continue;
                }
                let leaf = cols.leaf(*c).unwrap_or("").to_string();
                let (item, econ, total) = match column_item(cols, *c) {
                    Some((i, e, t)) => (i.to_string(), e, t || row_total),
                    None => match row_item {
                        Some((i, e, t)) => (i.to_string(), e, t),
                        None if is_total_label(&p.name) => ("合计".to_string(), None, true),
                        None => (strip_ordinal(&p.name), None, row_total),
                    },
                };
                let cl = compact(&leaf);
                let measure = if cl.contains("基本支出") {
                    "basic"
                } else if cl.contains("项目支出") {
                    "project"
                } else if ctx.phase == crate::model::Phase::Final && cl.contains("决算") {
                    "final"
                } else if ctx.phase == crate::model::Phase::Final && cl.contains("预算") {
                    "budget"
                } else {
                    "amount"
                };
                let mut f = new_fact(ctx, table, id, row.line, *v);
                f.item = item;
                f.econ_code = econ.map(str::to_string);
                f.is_total = total;
                f.measure = measure.to_string();
                f.measure_label = leaf;
                f.period = match period_for_label(&joined) {
                    Period::Prior => Period::Prior,
                    Period::Current => Period::Current,
                };
                f.fund = fund.clone();
                f.org_code = org.clone();
                ctx.facts.push(f);
            }
            if let Some(o) = &org {
                ctx.org_codes.push(o.clone());
                if !p.name.is_empty() && !is_total_label(&p.name) && !ctx.units.contains(&p.name) {
                    ctx.units.push(p.name.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items() {
        assert_eq!(
            canonical_item("1. 因公出国（境）费用").map(|x| x.0),
            Some("因公出国（境）费")
        );
        assert_eq!(
            canonical_item("其中：（1）公务用车运行 维护费").map(|x| x.0),
            Some("公务用车运行维护费")
        );
        assert_eq!(
            canonical_item("（2）公务用车购置").map(|x| x.1),
            Some(Some("31013"))
        );
        assert_eq!(canonical_item("3. 公务用车费").map(|x| x.2), Some(true));
        assert_eq!(canonical_item("合计"), None);
    }
}
