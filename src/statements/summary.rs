//! 部门收支总表 (`summary`) and 财政拨款收支总表 (`grant_summary`): income on the left,
//! expenditure on the right, each side a label column (项目) and its value columns.
//!
//! Income rows: measure `total` (the column 2021年预算数), fund from the row label
//! (一般公共预算拨款收入 -> general_budget, 事业收入 -> business, 上年结转 -> carryover, …;
//! rows under 上年结转 in the grant summary -> carryover). Expenditure rows by 类: func_code
//! looked up by name in the function catalog; measure from the column (合计 -> `total`
//! with fund NULL, 一般公共预算 -> `amount`/general_budget, 政府性基金预算 -> gov_fund,
//! 国有资本经营预算 -> soe_capital, 上年财政拨款资金 -> carryover). `item` is the row label
//! without its ordinal ("八、"). Rows 合计/总计/本年收入/本年支出 (and the grant summary's
//! 上年结转 section row) are totals.

use crate::catalog::{Catalog, Classification};
use crate::document::grid::TableGrid;
use crate::document::header::{self, is_structural};
use crate::document::number::{CellValue, classify};
use crate::document::text::{compact, strip_ordinal};
use crate::model::{Direction, statement};

use super::registry::{
    fund_for_label, is_ratio_label, is_total_label, measure_for_label_in, period_for_label,
};
use super::{Ctx, new_fact};

pub fn handle(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let grant = id == statement::GRANT_SUMMARY;
    let mut cols_model = None;
    for piece in &table.pieces {
        if !piece.header.is_empty() || cols_model.is_none() {
            cols_model = Some(header::columns(&piece.header, &piece.data));
        }
        let Some(cols) = cols_model.as_ref() else {
            continue;
        };
        let width = piece.data.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        // Label columns: header says 项目 (or another structural label).
        let mut name_cols: Vec<usize> = (0..width.max(cols.paths.len()))
            .filter(|c| cols.leaf(*c).is_some_and(is_structural))
            .collect();
        if name_cols.is_empty() {
            name_cols.push(0);
        }
        let second_side = name_cols.get(1).copied().unwrap_or(usize::MAX);
        let mut carry_section = false;
        for row in &piece.data {
            // Track the grant summary's sections on the income side.
            let income_label = compact(&strip_ordinal(row.cell(name_cols[0])));
            if income_label == "上年结转" {
                carry_section = true;
            } else if income_label == "本年收入" {
                carry_section = false;
            }
            for (c, cell) in row.cells.iter().enumerate() {
                let CellValue::Number(v) = classify(cell) else {
                    continue;
                };
                let Some(&name_col) = name_cols.iter().rfind(|n| **n < c) else {
                    continue;
                };
                let joined = cols.joined(c);
                if is_ratio_label(&joined) {
                    continue;
                }
                let label = cols.leaf(c).unwrap_or("").to_string();
                let direction = if joined.contains("支出") {
                    Direction::Expenditure
                } else if joined.contains("收入") {
                    Direction::Income
                } else if c > second_side {
                    Direction::Expenditure
                } else {
                    Direction::Income
                };
                let item = strip_ordinal(row.cell(name_col));
                let ci = compact(&item);
                let is_total = is_total_label(&ci)
                    || ci == "本年收入"
                    || ci == "本年支出"
                    || (grant && direction == Direction::Income && ci == "上年结转");
                let mut f = new_fact(ctx, table, id, row.line, v);
                f.direction = direction;
                f.measure_label = label.clone();
                f.period = period_for_label(&joined);
                let (measure, col_fund) =
                    measure_for_label_in(&label, ctx.phase).unwrap_or(("total", None));
                f.measure = measure.to_string();
                match direction {
                    Direction::Income => {
                        f.fund = if is_total {
                            None
                        } else if grant && carry_section {
                            Some("carryover".into())
                        } else {
                            fund_for_label(&ci).map(str::to_string)
                        };
                    }
                    Direction::Expenditure => {
                        f.fund = col_fund.map(str::to_string);
                        if !is_total {
                            f.func_code = lei_code(&ci, ctx.year);
                        }
                    }
                }
                f.item = item;
                f.is_total = is_total;
                ctx.facts.push(f);
            }
        }
    }
}

/// The 类 code of a function class name ("社会保障和就业支出" -> 208).
pub fn lei_code(name: &str, year: i32) -> Option<String> {
    let cat = Catalog::shipped(Classification::Function);
    let n = compact(name);
    let mut hits: Vec<&str> = cat
        .all()
        .filter(|e| e.level == 1 && compact(&e.name) == n)
        .map(|e| e.code.as_str())
        .collect();
    hits.sort_unstable();
    hits.dedup();
    // Prefer the code whose name is valid that year.
    hits.iter()
        .find(|c| cat.name(c, Some(year)).is_some_and(|nm| compact(nm) == n))
        .or(hits.first())
        .map(|c| c.to_string())
}
