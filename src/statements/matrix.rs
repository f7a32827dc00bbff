//! The columns of a function × economic matrix (the 一般公共预算支出预算表 that prints
//! 工资福利支出 / 基本工资 / 津贴补贴 / … as columns): each column's 部门预算支出经济分类
//! code, from the merged multi-row header.
//!
//! A group label names an economic 类 (cut at a page break: "工资福" then "利支出" on the
//! next piece); the columns under it are its 款, found by name among the 类's children in
//! the economic catalog (exact, then cut names, then the longest shared beginning). The
//! group's 小计 column gets the 类 code and is a subtotal; a second 小计 inside a group
//! that already had one belongs to the next 类 (whose detail columns the document
//! omitted, as the seed's 商品和服务支出). State carries over from piece to piece.

use crate::catalog::{Catalog, Classification};
use crate::document::header::{Columns, is_structural};
use crate::document::text::compact;

use super::codes::name_matches;
use super::registry::is_ratio_label;

/// What one column of a matrix holds.
#[derive(Debug, Clone, PartialEq)]
pub struct EconColumn {
    /// `total` for the 合计 column, else `amount`.
    pub measure: &'static str,
    pub label: String,
    pub econ: Option<String>,
    /// The column is a group subtotal (小计).
    pub subtotal: bool,
}

#[derive(Debug, Clone, Default)]
pub struct MatrixState {
    group: Option<Group>,
}

#[derive(Debug, Clone)]
struct Group {
    code: String,
    printed: String,
    has_subtotal: bool,
}

fn econ() -> &'static Catalog {
    Catalog::shipped(Classification::Economic)
}

fn classes() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = econ()
        .all()
        .filter(|e| e.level == 1)
        .map(|e| (e.code.clone(), e.name.clone()))
        .collect();
    v.sort();
    v
}

/// A 类 the label names: exactly, or as the beginning of its name (a cut label).
fn class_by_label(label: &str) -> Option<String> {
    let l = compact(label);
    if l.chars().count() < 2 {
        return None;
    }
    let all = classes();
    all.iter()
        .find(|(_, n)| compact(n) == l)
        .or_else(|| {
            (l.chars().count() >= 3)
                .then(|| all.iter().find(|(_, n)| compact(n).starts_with(&l)))
                .flatten()
        })
        .map(|(c, _)| c.clone())
}

/// The 款 of a 类 a column label names.
fn item_in_class(class: &str, label: &str) -> Option<String> {
    let l = compact(label);
    let kids: Vec<(String, String)> = econ()
        .children(class)
        .into_iter()
        .filter_map(|c| econ().name(c, None).map(|n| (c.to_string(), n.to_string())))
        .collect();
    if let Some((c, _)) = kids.iter().find(|(_, n)| compact(n) == l) {
        return Some(c.clone());
    }
    let pref: Vec<&(String, String)> = kids.iter().filter(|(_, n)| name_matches(&l, n)).collect();
    if pref.len() == 1 {
        return Some(pref[0].0.clone());
    }
    // Longest shared beginning of at least 4 characters, unique.
    let lc: Vec<char> = l.chars().collect();
    let mut best: Option<(usize, &String)> = None;
    let mut tie = false;
    for (c, n) in &kids {
        let common = compact(n)
            .chars()
            .zip(lc.iter())
            .take_while(|(a, b)| a == *b)
            .count();
        if common >= 4 {
            match best {
                Some((b, _)) if common == b => tie = true,
                Some((b, _)) if common < b => {}
                _ => {
                    best = Some((common, c));
                    tie = false;
                }
            }
        }
    }
    match best {
        Some((_, c)) if !tie => Some(c.clone()),
        _ => None,
    }
}

/// Any 款 of the catalog with this exact name.
fn item_anywhere(label: &str) -> Option<String> {
    let l = compact(label);
    let mut hits: Vec<String> = econ()
        .all()
        .filter(|e| e.level == 2 && compact(&e.name) == l)
        .map(|e| e.code.clone())
        .collect();
    hits.sort();
    hits.into_iter().next()
}

/// Whether a piece's columns are economic items (a matrix) rather than measures.
pub fn is_matrix(cols: &Columns) -> bool {
    cols.paths.iter().flatten().any(|l| {
        let t = compact(&l.text);
        !is_structural(&t)
            && !matches!(t.as_str(), "合计" | "小计" | "其他支出")
            && (item_anywhere(&t).is_some() || class_by_label(&t).is_some())
    })
}

/// The columns of one piece of a matrix.
pub fn columns(cols: &Columns, width: usize, state: &mut MatrixState) -> Vec<Option<EconColumn>> {
    let mut out = Vec::with_capacity(width);
    for c in 0..width {
        let labels: Vec<String> = cols
            .path(c)
            .iter()
            .map(|l| compact(&l.text))
            .filter(|t| !t.is_empty() && !is_structural(t))
            .collect();
        let Some(leaf) = labels.last().cloned() else {
            out.push(None);
            continue;
        };
        if labels.iter().any(|l| is_ratio_label(l)) {
            out.push(None);
            continue;
        }
        let group_label = (labels.len() >= 2).then(|| labels[0].clone());
        if group_label.is_none() && matches!(leaf.as_str(), "合计" | "总计") {
            out.push(Some(EconColumn {
                measure: "total",
                label: leaf,
                econ: None,
                subtotal: false,
            }));
            continue;
        }
        if let Some(g) = &group_label {
            let same = state.group.as_ref().is_some_and(|cur| &cur.printed == g);
            if !same {
                let resolved = class_by_label(g).or_else(|| {
                    // The rest of a group label cut at a page break.
                    state.group.as_ref().and_then(|cur| {
                        let joined = format!("{}{}", cur.printed, g);
                        econ()
                            .name(&cur.code, None)
                            .filter(|n| name_matches(&joined, n))
                            .map(|_| cur.code.clone())
                    })
                });
                let resolved = resolved.or_else(|| {
                    classes()
                        .into_iter()
                        .find(|(_, n)| g.chars().count() >= 2 && compact(n).ends_with(g.as_str()))
                        .map(|(c, _)| c)
                });
                match resolved {
                    Some(code) => {
                        let keep = state.group.as_ref().filter(|cur| cur.code == code);
                        let has_subtotal = keep.is_some_and(|k| k.has_subtotal);
                        state.group = Some(Group {
                            code,
                            printed: g.clone(),
                            has_subtotal,
                        });
                    }
                    None => state.group = None,
                }
            }
        }
        if leaf == "小计" {
            let code = match state.group.as_mut() {
                Some(g) if g.has_subtotal => {
                    // A second 小计: the next 类, whose details were not printed.
                    let next = classes()
                        .into_iter()
                        .map(|(c, _)| c)
                        .find(|c| c.as_str() > g.code.as_str());
                    if let Some(n) = &next {
                        g.code = n.clone();
                    }
                    next
                }
                Some(g) => {
                    g.has_subtotal = true;
                    Some(g.code.clone())
                }
                None => None,
            };
            out.push(Some(EconColumn {
                measure: "amount",
                label: leaf,
                econ: code,
                subtotal: true,
            }));
            continue;
        }
        // A detail column.
        let econ_code = match state.group.as_ref() {
            Some(g) => item_in_class(&g.code, &leaf).or_else(|| item_anywhere(&leaf)),
            None => item_anywhere(&leaf).or_else(|| class_by_label(&leaf)),
        };
        let subtotal = econ_code.as_ref().is_some_and(|e| e.len() == 3);
        out.push(Some(EconColumn {
            measure: "amount",
            label: leaf,
            econ: econ_code,
            subtotal,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn econ_names() {
        assert_eq!(class_by_label("工资福").as_deref(), Some("301"));
        assert_eq!(class_by_label("其他支出").as_deref(), Some("399"));
        assert_eq!(
            item_in_class("301", "机关事业单位基本养老保险缴费").as_deref(),
            Some("30108")
        );
        assert_eq!(item_in_class("301", "住房公积金").as_deref(), Some("30113"));
        assert_eq!(item_in_class("399", "其他支出").as_deref(), Some("39999"));
        assert_eq!(
            item_in_class("399", "对民间非营利性组织和群众性自治组织补助").as_deref(),
            Some("39908")
        );
    }
}
