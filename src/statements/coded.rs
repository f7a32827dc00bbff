//! Tables whose rows are classification codes: 部门支出总表 (`expenditure_by_func`),
//! 部门收入总表 (`income_by_func`), 一般公共预算支出表 (`gpb_by_func`, plain or a function ×
//! economic matrix), 一般公共预算基本支出表 (`gpb_basic_by_econ`, economic codes),
//! 项目支出表 (`gpb_projects`), 政府性基金 and 国有资本经营 支出表.
//!
//! Codes are read from the 类 | 款 | 项 cells (or one cell), the 单位代码 becomes
//! `org_code`; rows printing only the 项 code or a cut name get their codes rebuilt
//! (`codes::FuncResolver`). A row is a total when it is 合计/总计, a unit row (单位代码
//! without a code), a row without code in a table of coded rows (a function-name row of
//! the project table), or a code other rows extend (类/款 subtotals). Columns map to
//! measures through the registry (合计 -> total, 基本支出 -> basic, 项目支出 -> project,
//! 上缴上级支出 -> remit_upper, 对附属单位补助支出 -> subsidiary, 人员经费 -> personnel,
//! 公用经费 -> public_use, 金额 -> amount); in a matrix, through `matrix` (econ_code set,
//! `amount`; 合计 -> `total` with econ NULL; group 小计 -> the 类 code, is_total).
//! The 一般公共预算 / 政府性基金 / 国有资本经营 tables carry the fund their title names.

use crate::catalog::Classification;
use crate::document::grid::{Row, TableGrid};
use crate::document::header::{self, Columns, is_structural};
use crate::document::text::compact;
use crate::model::{Direction, Period, Repair, statement};

use super::codes::{FuncResolver, LeadCodes, RowCode, lead_codes, parts};
use super::matrix::{self, EconColumn, MatrixState};
use super::registry::{
    fund_for_title, is_ratio_label, is_total_label, measure_for_label_in, period_for_label,
};
use super::{Ctx, new_fact};

/// What a value column holds.
#[derive(Debug, Clone)]
struct Spec {
    measure: String,
    label: String,
    fund: Option<String>,
    period: Period,
    econ: Option<String>,
    subtotal: bool,
}

fn measure_specs(
    cols: &Columns,
    width: usize,
    title_fund: Option<&str>,
    phase: crate::model::Phase,
) -> Vec<Option<Spec>> {
    let path_of = |c: usize| -> Vec<String> {
        cols.path(c)
            .iter()
            .map(|l| l.text.clone())
            .filter(|t| !is_structural(t))
            .collect()
    };
    // The measure a group over a 合计/小计 column names, if any ("基本支出 | 小计").
    let group_part = |c: usize| {
        path_of(c)
            .iter()
            .rev()
            .filter_map(|l| measure_for_label_in(l, phase))
            .find(|m| *m != ("total", None))
    };
    let leaf_is_total =
        |c: usize| measure_for_label_in(cols.leaf(c).unwrap_or(""), phase) == Some(("total", None));
    // A row total of its own (支出总计, 总计) beside the grouped 小计 columns.
    let plain_total = (0..width).any(|c| leaf_is_total(c) && group_part(c).is_none());
    let mut specs: Vec<Option<Spec>> = (0..width)
        .map(|c| {
            let path = path_of(c);
            if path.iter().any(|l| is_ratio_label(l)) {
                return None;
            }
            let leaf = cols.leaf(c).filter(|l| !is_structural(l)).unwrap_or("");
            // "2026年政府采购项目 | 小计 | 其中：…中小企业": a memo of how much of the
            // row is procured, not a part of its total.
            if path.iter().any(|l| compact(l).contains("政府采购")) {
                let l = compact(leaf);
                let measure = if l.contains("小型") || l.contains("微型") {
                    "procurement_small_micro"
                } else if l.contains("中小企业") {
                    "procurement_sme"
                } else {
                    "procurement"
                };
                return Some(Spec {
                    measure: measure.to_string(),
                    label: leaf.to_string(),
                    fund: None,
                    period: period_for_label(&cols.joined(c)),
                    econ: None,
                    subtotal: false,
                });
            }
            let mapped = measure_for_label_in(leaf, phase).or_else(|| {
                path.iter()
                    .rev()
                    .find_map(|l| measure_for_label_in(l, phase))
            });
            // "财政拨款 | 小计" beside a 总计 column: a 小计 under a group that names a part
            // (a column of expenditure, a source of funds) is that part's subtotal, not
            // the row's total. (With no other total, "基本支出 | 合计" is the row's.)
            let mapped = match mapped {
                Some(("total", None)) if plain_total => group_part(c).or(mapped),
                other => other,
            };
            let (measure, fund) = match mapped.unwrap_or(("amount", None)) {
                // "公共预算拨款 | 其中：专项资金列入部门预算的项目": the group's source of
                // funds, a part of the column before it.
                ("amount", fund) if compact(leaf).starts_with("其中") => ("of_which", fund),
                other => other,
            };
            Some(Spec {
                measure: measure.to_string(),
                label: leaf.to_string(),
                fund: fund.or(title_fund).map(str::to_string),
                period: period_for_label(&cols.joined(c)),
                econ: None,
                subtotal: false,
            })
        })
        .collect();
    // One row total per period: a later 小计 whose group the header places too far to
    // reach ("合计 | 小计 人员经费 公用经费" under a 基本支出 over the last two) is the
    // subtotal of the group the next column belongs to, or of a group not named.
    let mut seen_total: Vec<Period> = Vec::new();
    for (c, slot) in specs.iter_mut().enumerate() {
        let Some(spec) = slot.as_mut() else {
            continue;
        };
        if spec.measure != "total" || spec.fund.as_deref() != title_fund {
            continue;
        }
        if !seen_total.contains(&spec.period) {
            seen_total.push(spec.period);
            continue;
        }
        // The groups over the next column, not its own label.
        let next_part = (c + 1 < width)
            .then(|| {
                let path = path_of(c + 1);
                let groups = &path[..path.len().saturating_sub(1)];
                groups
                    .iter()
                    .rev()
                    .filter_map(|l| measure_for_label_in(l, phase))
                    .find(|(m, f)| f.is_none() && !matches!(*m, "total" | "amount"))
            })
            .flatten();
        spec.measure = next_part.map_or("subtotal", |(m, _)| m).to_string();
    }
    specs
}

fn matrix_specs(
    cols: &Columns,
    width: usize,
    state: &mut MatrixState,
    title_fund: Option<&str>,
) -> Vec<Option<Spec>> {
    matrix::columns(cols, width, state)
        .into_iter()
        .map(|c| {
            c.map(
                |EconColumn {
                     measure,
                     label,
                     econ,
                     subtotal,
                 }| Spec {
                    measure: measure.to_string(),
                    label,
                    fund: title_fund.map(str::to_string),
                    period: Period::Current,
                    econ,
                    subtotal,
                },
            )
        })
        .collect()
}

struct RowInfo<'r> {
    row: &'r Row,
    name: String,
    lead: LeadCodes,
    values: Vec<(usize, rust_decimal::Decimal)>,
    code: Option<String>,
}

pub fn handle(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    let before = ctx.facts.len();
    handle_pieces(ctx, table, id);
    // A 类 or 款 row is a subtotal when rows of the table (on any page) extend its code.
    let econ = id == statement::GPB_BASIC_BY_ECON
        || ctx.facts[before..]
            .iter()
            .all(|f| f.func_code.is_none() && f.econ_code.is_some());
    let row_code = |f: &crate::model::Fact| -> Option<String> {
        if econ {
            f.econ_code.clone()
        } else {
            f.func_code.clone()
        }
    };
    let codes: Vec<String> = ctx.facts[before..].iter().filter_map(row_code).collect();
    for f in &mut ctx.facts[before..] {
        if let Some(c) = row_code(f)
            && codes.iter().any(|o| o.len() > c.len() && o.starts_with(&c))
        {
            f.is_total = true;
        }
    }
}

/// A code part that lost its leading zero at the source ("301 2" for 301 02): padded
/// to two digits when it follows a 类 (or 款) part; the catalog name confirms it where it
/// knows the code. Returns the repair made.
fn restore_leading_zero(
    lead: &mut [String],
    name: &str,
    class: Classification,
    line: u32,
) -> Option<Repair> {
    let i = (1..lead.len()).find(|&i| {
        lead[i].len() == 1 && matches!(lead[i - 1].len(), 3 | 5) && is_digits_str(&lead[i])
    })?;
    let printed = lead.join(" ");
    let parent: String = lead[..i].concat();
    let code = format!("{parent}0{}", lead[i]);
    let cat = crate::catalog::Catalog::shipped(class);
    let confirmed = cat
        .entries(&code)
        .iter()
        .any(|e| super::codes::name_matches(name, &e.name));
    lead[i] = format!("0{}", lead[i]);
    Some(Repair {
        src_line: line,
        printed,
        repaired: code,
        reason: if confirmed {
            format!(
                "leading zero restored: {parent} + 0{}, the catalog's name matches the row's",
                lead[i].trim_start_matches('0')
            )
        } else {
            format!("leading zero restored under its parent {parent} (name not in the catalog)")
        },
    })
}

fn is_digits_str(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn handle_pieces(ctx: &mut Ctx<'_>, table: &TableGrid, id: &str) {
    // "一般公共预算支出表（按经济分类）": rows by economic class, whatever the statement.
    // Xi'an prints its basic table twice, "（按功能科目分）" and "（按经济分类科目分）": the
    // title decides before the statement does.
    let (by_econ_title, by_func_title) = {
        let t = compact(&table.title);
        let econ = t.contains("经济分类") || t.contains("经济科目");
        let func = t.contains("功能分类") || t.contains("功能科目");
        (econ && !func, func && !econ)
    };
    let class = if (id == statement::GPB_BASIC_BY_ECON && !by_func_title) || by_econ_title {
        Classification::Economic
    } else {
        Classification::Function
    };
    let title_fund = match id {
        statement::GPB_BY_FUNC
        | statement::GPB_BASIC_BY_ECON
        | statement::GPB_PROJECTS
        | statement::GOV_FUND_BY_FUNC
        | statement::SOE_CAPITAL_BY_FUNC => fund_for_title(&table.title),
        _ => None,
    };
    let direction = if id == statement::INCOME_BY_FUNC {
        Direction::Income
    } else {
        Direction::Expenditure
    };
    let mut cols_model: Option<Columns> = None;
    let mut mstate = MatrixState::default();
    let mut matrix_mode = false;
    for piece in &table.pieces {
        if !piece.header.is_empty() || cols_model.is_none() {
            let cols = header::columns(&piece.header, &piece.data);
            if id == statement::GPB_BY_FUNC && matrix::is_matrix(&cols) {
                matrix_mode = true;
            }
            cols_model = Some(cols);
        }
        let Some(cols) = cols_model.as_ref() else {
            continue;
        };
        let width = piece
            .data
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0)
            .max(cols.paths.len());
        let specs = if matrix_mode {
            matrix_specs(cols, width, &mut mstate, title_fund)
        } else {
            measure_specs(cols, width, title_fund, ctx.phase)
        };

        // Codes of every row.
        let mut rows: Vec<RowInfo<'_>> = piece
            .data
            .iter()
            .map(|row| {
                let mut p = parts(row);
                if let Some(r) = restore_leading_zero(&mut p.lead, &p.name, class, row.line) {
                    ctx.repairs.push(r);
                }
                let lead = lead_codes(&p.lead, class);
                RowInfo {
                    row,
                    name: p.name,
                    code: lead.code.clone(),
                    lead,
                    values: p.values,
                }
            })
            .collect();
        // 2080505-机关事业单位基本养老保险缴费 printed alone, its economic codes and amounts
        // on the next line: that line is the function's.
        for i in 1..rows.len() {
            if rows[i].code.is_none()
                && rows[i].lead.econ_only
                && !rows[i].values.is_empty()
                && rows[i - 1].values.is_empty()
                && let Some(code) = rows[i - 1].code.clone()
            {
                rows[i].code = Some(code);
                rows[i].name = format!("{}{}", rows[i - 1].name, rows[i].name);
            }
        }
        let repairs = rebuild_codes(ctx, class, &mut rows);
        ctx.repairs.extend(repairs);
        let any_coded = rows.iter().any(|r| r.code.is_some());

        // A function-name row without code: its code by name, where the document prints
        // it elsewhere.
        let mut named_codes: Vec<Option<String>> = rows
            .iter()
            .map(|r| {
                let wanted = r.code.is_none()
                    && class == Classification::Function
                    && !is_total_label(&r.name)
                    && r.lead.org.is_none();
                if !wanted {
                    return None;
                }
                let hits = ctx.doc_codes.find_by_name(&r.name);
                (hits.len() == 1 && compact(&r.name).chars().count() >= 2)
                    .then(|| hits[0].to_string())
            })
            .collect();
        // Names of a list (深圳's 项目支出 by 项目类别: "食品安全监管事务" before
        // "市场监督管理事务") are no tree: a 类 or 款 comes before the rows under it, so a
        // named code whose parent is named after it drops both names' codes.
        let last_named: std::collections::HashMap<&str, usize> = named_codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_deref().map(|c| (c, i)))
            .collect();
        let mut out_of_order: Vec<usize> = Vec::new();
        for (i, code) in named_codes.iter().enumerate() {
            let Some(code) = code else { continue };
            for len in (3..code.len()).step_by(2) {
                if let Some(&j) = code.get(..len).and_then(|p| last_named.get(p))
                    && j > i
                {
                    out_of_order.extend([i, j]);
                }
            }
        }
        for i in out_of_order {
            named_codes[i] = None;
        }
        for (i, r) in rows.iter().enumerate() {
            let code = r.code.as_deref();
            let is_total = match code {
                Some(c) => rows.iter().enumerate().any(|(j, o)| {
                    j != i
                        && o.code
                            .as_deref()
                            .is_some_and(|oc| oc.len() > c.len() && oc.starts_with(c))
                }),
                None if r.lead.econ.is_some() && !is_total_label(&r.name) => false,
                None => {
                    is_total_label(&r.name)
                        || r.lead.org.is_some()
                        || any_coded
                        || r.name.is_empty()
                }
            };
            if code.is_none()
                && let Some(org) = &r.lead.org
            {
                if !r.name.is_empty() && !ctx.units.contains(&r.name) {
                    ctx.units.push(r.name.clone());
                }
                ctx.org_codes.push(org.clone());
            } else if let Some(org) = &r.lead.org {
                ctx.org_codes.push(org.clone());
            }
            let named_code = named_codes[i].clone();
            for (col, v) in &r.values {
                let spec = specs.get(*col).cloned().flatten();
                if spec.is_none() && cols.path(*col).iter().any(|l| is_ratio_label(&l.text)) {
                    continue;
                }
                let mut f = new_fact(ctx, table, id, r.row.line, *v);
                f.direction = direction;
                f.item = r.name.clone();
                f.org_code = r.lead.org.clone();
                match class {
                    Classification::Function => {
                        f.func_code = code.map(str::to_string).or_else(|| named_code.clone());
                        f.econ_code = r.lead.econ.clone();
                    }
                    Classification::Economic => f.econ_code = code.map(str::to_string),
                }
                match spec {
                    Some(s) => {
                        f.measure = s.measure;
                        f.measure_label = s.label;
                        f.fund = s.fund;
                        f.period = s.period;
                        if s.econ.is_some() {
                            f.econ_code = s.econ;
                        }
                        f.is_total = is_total || s.subtotal;
                    }
                    None => {
                        f.measure = "amount".into();
                        f.fund = title_fund.map(str::to_string);
                        f.is_total = is_total;
                    }
                }
                ctx.facts.push(f);
            }
        }
    }
}

/// Completes partial codes: function codes through the resolver, economic 款 codes
/// printed alone under their 类 row.
fn rebuild_codes(ctx: &Ctx<'_>, class: Classification, rows: &mut [RowInfo<'_>]) -> Vec<Repair> {
    match class {
        Classification::Function => {
            let needs = rows.iter().any(|r| {
                r.code.as_ref().is_some_and(|c| c.len() == 2)
                    || (r.code.is_none()
                        && r.lead.org.is_none()
                        && !r.name.is_empty()
                        && !is_total_label(&r.name))
            });
            if !needs {
                return Vec::new();
            }
            // Rows without codes in a table that prints full codes elsewhere (project
            // table's function-name rows) are left alone.
            let prints_full = rows
                .iter()
                .any(|r| r.code.as_ref().is_some_and(|c| c.len() >= 3));
            if prints_full
                && !rows
                    .iter()
                    .any(|r| r.code.as_ref().is_some_and(|c| c.len() == 2))
            {
                return Vec::new();
            }
            let inputs: Vec<RowCode<'_>> = rows
                .iter()
                .map(|r| RowCode {
                    line: r.row.line,
                    code: r.code.as_deref(),
                    name: &r.name,
                })
                .collect();
            let mut resolver = FuncResolver::new(ctx.year, &ctx.doc_codes);
            let (codes, repairs) = resolver.resolve(&inputs);
            drop(inputs);
            for (r, c) in rows.iter_mut().zip(codes) {
                if r.lead.org.is_none() || r.code.is_some() {
                    r.code = c;
                }
            }
            repairs
        }
        Classification::Economic => {
            let mut repairs = Vec::new();
            let mut lei: Option<String> = None;
            for r in rows.iter_mut() {
                match r.code.clone() {
                    Some(c) if c.len() == 3 => lei = Some(c),
                    Some(c) if c.len() == 5 => lei = Some(c[..3].to_string()),
                    Some(c) if c.len() == 2 => {
                        if let Some(l) = &lei {
                            let full = format!("{l}{c}");
                            repairs.push(Repair {
                                src_line: r.row.line,
                                printed: c.clone(),
                                repaired: full.clone(),
                                reason: format!("款 code printed alone, completed with its 类 {l} from the rows above"),
                            });
                            r.code = Some(full);
                        } else {
                            r.code = None;
                        }
                    }
                    _ => {}
                }
            }
            repairs
        }
    }
}
