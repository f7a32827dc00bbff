//! 绩效目标 tables (`performance`): the project table (项目绩效目标: one row per project
//! with 资金总额 / 财政拨款 / 其他资金 and pairs of 三级指标 + 指标值 under 项目完成指标 /
//! 效益指标 / 满意度指标, continued on rows whose first cell is empty) and the department
//! table (部门整体支出绩效目标表: 年度主要任务 rows with amounts, 金额合计, then the
//! 年度绩效指标 rows 一级 / 二级 / 三级 / 指标值).
//!
//! Amounts: 资金总额 / 总额 -> measure `total` (fund NULL), 财政拨款 -> `amount` with fund
//! general_budget, 其他资金 -> `amount` with fund other. Unit rows ("203-万源市社保局",
//! "203101-万源市社保局") print the unit's code (`org_code`) and are totals, as is 金额合计.
//! `item` is the project (or, in the department table, the 主要内容). Indicators go to
//! `targets` as printed (text such as "37637元" or "≥100%" is kept as text, not money),
//! with blank 一级/二级 cells carried down from the rows above.

use crate::document::grid::{Row, TableGrid};
use crate::document::header::{self, Columns};
use crate::document::number::{CellValue, classify, is_digits};
use crate::document::text::compact;
use crate::model::{Period, Target};

use super::codes::parts;
use super::registry::{is_total_label, measure_for_label};
use super::{Ctx, new_fact};

pub fn handle(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let overall = table.rows().any(|r| {
        r.cells.iter().any(|c| {
            let c = compact(c);
            c.contains("年度主要任务") || c.contains("任务名称") || c.contains("年度绩效指标")
        })
    });
    if overall {
        department(ctx, table, id);
    } else {
        projects(ctx, table, id);
    }
}

/// "203101-万源市社保局" -> (203101, 万源市社保局).
fn unit_label(label: &str) -> Option<(String, String)> {
    let (code, name) = label
        .split_once('-')
        .or_else(|| label.split_once('－'))
        .or_else(|| label.split_once(' '))?;
    let code = code.trim();
    (is_digits(code) && (3..=12).contains(&code.len()))
        .then(|| (code.to_string(), name.trim().to_string()))
}

fn measure_of(cols: &Columns, c: usize) -> (String, Option<String>, String) {
    let leaf = cols.leaf(c).unwrap_or("").to_string();
    let m = measure_for_label(&leaf).or_else(|| {
        cols.path(c)
            .iter()
            .rev()
            .find_map(|l| measure_for_label(&l.text))
    });
    let (measure, fund) = m.unwrap_or(("amount", None));
    (measure.to_string(), fund.map(str::to_string), leaf)
}

fn projects(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let mut cols_model: Option<Columns> = None;
    let mut project: Option<String> = None;
    for piece in &table.pieces {
        if !piece.header.is_empty() || cols_model.is_none() {
            cols_model = Some(header::columns(&piece.header, &piece.data));
        }
        let Some(cols) = cols_model.as_ref() else {
            continue;
        };
        let width = cols.paths.len();
        // Indicator pairs: a 三级指标 column followed by its 指标值 column.
        let pairs: Vec<(usize, usize)> = (0..width)
            .filter(|c| {
                cols.leaf(*c)
                    .is_some_and(|l| compact(l).contains("三级指标"))
            })
            .filter_map(|c| {
                cols.leaf(c + 1)
                    .is_some_and(|l| compact(l).contains("指标值"))
                    .then_some((c, c + 1))
            })
            .collect();
        let money_cols: Vec<usize> = (0..width)
            .filter(|c| {
                let leaf = cols.leaf(*c).unwrap_or("");
                measure_for_label(leaf).is_some()
                    || cols
                        .path(*c)
                        .iter()
                        .any(|l| compact(&l.text).contains("资金"))
            })
            .filter(|c| !pairs.iter().any(|(a, b)| a == c || b == c))
            .collect();
        for row in &piece.data {
            let first = row.cell(0).to_string();
            let mut org = None;
            let mut is_unit = false;
            if !first.is_empty() {
                if let Some((code, name)) = unit_label(&first) {
                    is_unit = true;
                    if !ctx.units.contains(&name) {
                        ctx.units.push(name.clone());
                    }
                    ctx.org_codes.push(code.clone());
                    org = Some(code);
                    project = None;
                } else {
                    project = Some(first.clone());
                }
            }
            let item = if is_unit {
                first.clone()
            } else {
                project.clone().unwrap_or_default()
            };
            let p = parts(row);
            for (c, v) in &p.values {
                if !money_cols.is_empty() && !money_cols.contains(c) {
                    continue;
                }
                let (measure, fund, label) = measure_of(cols, *c);
                let mut f = new_fact(ctx, table, id, row.line, *v);
                f.item = item.clone();
                f.measure = measure;
                f.fund = fund;
                f.measure_label = label;
                f.org_code = org.clone();
                f.is_total = is_unit || is_total_label(&item);
                ctx.facts.push(f);
            }
            if let Some(proj) = &project {
                for (ic, vc) in &pairs {
                    let indicator = row.cell(*ic);
                    if indicator.is_empty() {
                        continue;
                    }
                    let level1 = cols
                        .path(*ic)
                        .iter()
                        .rev()
                        .skip(1)
                        .map(|l| l.text.clone())
                        .find(|t| t.contains("指标") && !t.contains("绩效指标"));
                    let value = row.cell(*vc);
                    ctx.targets.push(Target {
                        project: proj.clone(),
                        level1,
                        level2: None,
                        indicator: indicator.to_string(),
                        target: (!value.is_empty()).then(|| value.to_string()),
                        src_line: row.line,
                    });
                }
            }
        }
    }
}

fn department(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    // The department's name: the cell after 部门名称.
    let dept = table
        .rows()
        .find_map(|r| {
            let pos = r
                .cells
                .iter()
                .position(|c| compact(c).starts_with("部门名称"))?;
            let own = compact(&r.cells[pos]);
            let rest = own
                .trim_start_matches("部门名称")
                .trim_start_matches(['：', ':']);
            if !rest.is_empty() {
                return Some(rest.to_string());
            }
            r.cells[pos + 1..].iter().find(|c| !c.is_empty()).cloned()
        })
        .unwrap_or_else(|| ctx.org_name.clone());
    let mut cols_model: Option<Columns> = None;
    let mut indicators = false;
    let mut level1: Option<String> = None;
    let mut level2: Option<String> = None;
    for piece in &table.pieces {
        if !piece.header.is_empty() || cols_model.is_none() {
            cols_model = Some(header::columns(&piece.header, &piece.data));
        }
        let Some(cols) = cols_model.as_ref() else {
            continue;
        };
        for row in &piece.data {
            if row.cells.iter().any(|c| compact(c).contains("三级指标")) {
                indicators = true;
                continue;
            }
            if indicators {
                indicator_row(ctx, row, &dept, &mut level1, &mut level2);
                continue;
            }
            money_row(ctx, table, id, cols, row);
        }
    }
}

fn money_row(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str, cols: &Columns, row: &Row) {
    let p = parts(row);
    let Some(first_value) = p.values.first().map(|(c, _)| *c) else {
        return;
    };
    // The item: the last text cell before the amounts (主要内容).
    let item = row.cells[..first_value.min(row.cells.len())]
        .iter()
        .rev()
        .find(|c| matches!(classify(c), CellValue::Text))
        .cloned()
        .unwrap_or_default();
    let total_row = is_total_label(&item);
    // The first money column of the header (总额).
    let total_col = (0..cols.paths.len()).find(|c| {
        cols.leaf(*c)
            .and_then(measure_for_label)
            .is_some_and(|(m, _)| m == "total")
    });
    for (c, v) in &p.values {
        let (measure, fund, label) = if total_row && p.values.len() == 1 {
            let label = total_col
                .and_then(|t| cols.leaf(t))
                .unwrap_or("总额")
                .to_string();
            ("total".to_string(), None, label)
        } else {
            measure_of(cols, *c)
        };
        let mut f = new_fact(ctx, table, id, row.line, *v);
        f.item = item.clone();
        f.measure = measure;
        f.fund = fund;
        f.measure_label = label;
        f.is_total = total_row;
        f.period = Period::Current;
        ctx.facts.push(f);
    }
}

fn indicator_row(
    ctx: &mut Ctx<'_>,
    row: &Row,
    dept: &str,
    level1: &mut Option<String>,
    level2: &mut Option<String>,
) {
    let vals: Vec<&str> = row
        .cells
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty() && compact(c) != "年度绩效指标")
        .collect();
    let n = vals.len();
    let (l1, l2, ind, val) = match n {
        0 => return,
        1 => (None, None, vals[0], None),
        2 => (None, None, vals[0], Some(vals[1])),
        3 => (None, Some(vals[0]), vals[1], Some(vals[2])),
        _ => (
            Some(vals[n - 4]),
            Some(vals[n - 3]),
            vals[n - 2],
            Some(vals[n - 1]),
        ),
    };
    if let Some(l) = l1 {
        *level1 = Some(l.to_string());
        *level2 = None;
    }
    if let Some(l) = l2 {
        *level2 = Some(l.to_string());
    }
    ctx.targets.push(Target {
        project: dept.to_string(),
        level1: level1.clone(),
        level2: level2.clone(),
        indicator: ind.to_string(),
        target: val.map(str::to_string),
        src_line: row.line,
    });
}
