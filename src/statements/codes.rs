//! Classification codes in table rows: reading the code cells of a row (类 | 款 | 项 split
//! over columns, or whole, plus a 单位代码), collecting the full codes a document prints
//! with their names, and rebuilding the codes of rows that print only the 项 code ("09")
//! or no code and a cut name ("社会保障和就业支") from the rows above, the document's
//! other tables and the catalog. Every rebuilt code is reported as a `Repair`.

use crate::catalog::{Catalog, Classification};
use crate::document::grid::Row;
use crate::document::number::{CellValue, classify, is_digits};
use crate::document::text::compact;
use crate::model::Repair;

/// A row cut into its code cells, label and amounts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowParts {
    /// Digit cells before the label, in order ("208", "01", "09", "203101").
    pub lead: Vec<String>,
    pub name_col: Option<usize>,
    /// The label as printed (spaces normalised).
    pub name: String,
    /// Amount cells after the label: (column, printed amount).
    pub values: Vec<(usize, rust_decimal::Decimal)>,
}

/// Cuts a row into code cells, label and amounts.
pub fn parts(row: &Row) -> RowParts {
    let name_col = row.name_col();
    let mut lead = Vec::new();
    let mut values = Vec::new();
    for (i, c) in row.cells.iter().enumerate() {
        let before_name = name_col.is_none_or(|n| i < n);
        if before_name {
            if is_code_cell(c) && (name_col.is_some() || values.is_empty()) {
                lead.extend(c.split(' ').filter(|p| !p.is_empty()).map(str::to_string));
                continue;
            }
            if name_col.is_some() {
                continue;
            }
        }
        if let CellValue::Number(d) = classify(c) {
            values.push((i, d));
        }
    }
    RowParts {
        lead,
        name_col,
        name: name_col
            .map(|n| row.cell(n).to_string())
            .unwrap_or_default(),
        values,
    }
}

/// "208", "01", "2080109", "208 01 09".
fn is_code_cell(c: &str) -> bool {
    !c.is_empty() && c.split(' ').all(is_digits) && c.len() <= 24
}

/// The code and 单位代码 read from a row's code cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadCodes {
    /// As assembled from the cells: full (3/5/7 digits) or partial (2 digits).
    pub code: Option<String>,
    /// The printed cells of the code, joined with spaces.
    pub printed: String,
    pub org: Option<String>,
    /// In a table by function, the 部门 economic code printed beside the function code
    /// (支出功能分类科目 | 政府支出经济分类科目 | 部门支出经济分类科目): 3/5 digits; a
    /// sub-item (3021101 差旅费) as its 款.
    pub econ: Option<String>,
    /// The cells begin with economic codes and no function code: the continuation of
    /// a function whose name was printed on the line before.
    pub econ_only: bool,
}

/// An economic code where a function code is expected: function codes begin with 2,
/// 政府 economic codes with 5 and 部门 ones with 3 (a 7-digit 3021101 is a sub-item).
fn econ_beside_function(cell: &str) -> Option<&str> {
    let n = cell.len();
    let first = cell.as_bytes().first().copied()?;
    match (n, first) {
        (5, b'3' | b'5') => Some(cell),
        (7, b'3') => Some(&cell[..5]),
        _ => None,
    }
}

/// Assembles a classification code from code cells; the cell that does not continue the
/// code (a 6-digit 单位代码) is the unit's code.
pub fn lead_codes(lead: &[String], class: Classification) -> LeadCodes {
    let max = match class {
        Classification::Function => 7,
        Classification::Economic => 5,
    };
    let mut code = String::new();
    let mut printed = Vec::new();
    let mut org = None;
    let mut econ: Option<String> = None;
    let mut econ_only = false;
    for (i, cell) in lead.iter().enumerate() {
        let n = cell.len();
        if class == Classification::Function
            && org.is_none()
            && (code.len() == 7 || (code.is_empty() && (econ_only || i == 0)))
            && let Some(e) = econ_beside_function(cell)
        {
            econ_only |= code.is_empty();
            // The 部门 code (3…) is the one facts carry; a 政府 one (5…) only without it.
            if e.starts_with('3') || econ.is_none() {
                econ = Some(e.to_string());
            }
            continue;
        }
        let fits = if code.is_empty() {
            n == 3 || n == 2 || (n == 5 && max >= 5) || (n == 7 && max >= 7)
        } else {
            n == 2 && (code.len() == 3 || (code.len() == 5 && max == 7))
        };
        if fits && org.is_none() && !econ_only {
            code.push_str(cell);
            printed.push(cell.as_str());
        } else if org.is_none() {
            org = Some(cell.clone());
        }
    }
    LeadCodes {
        code: (!code.is_empty()).then_some(code),
        printed: printed.join(" "),
        org,
        econ: econ.filter(|e| e.starts_with('3')),
        econ_only,
    }
}

/// Full function codes printed in the document with their names.
#[derive(Debug, Clone, Default)]
pub struct DocCodes {
    pub entries: Vec<(String, String)>,
}

impl DocCodes {
    /// The codes, without their names.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(c, _)| c.as_str())
    }

    pub fn add(&mut self, code: &str, name: &str) {
        if !self.entries.iter().any(|(c, _)| c == code) {
            self.entries.push((code.to_string(), name.to_string()));
        }
    }

    fn name(&self, code: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.as_str())
    }

    /// Codes with a name matching the (cut) printed name.
    pub fn find_by_name(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(_, n)| name_matches(name, n))
            .map(|(c, _)| c.as_str())
            .collect()
    }
}

/// The printed (possibly cut) name is the catalog/document name or its beginning.
pub fn name_matches(printed: &str, full: &str) -> bool {
    let p = normalise_name(printed);
    let f = normalise_name(full);
    !p.is_empty() && (f.starts_with(&p) || (p.starts_with(&f) && !f.is_empty()))
}

fn normalise_name(s: &str) -> String {
    compact(s)
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            _ => c,
        })
        .collect()
}

fn catalog_names(cat: &Catalog, code: &str) -> Vec<String> {
    cat.entries(code).iter().map(|e| e.name.clone()).collect()
}

/// Rebuilds the function codes of a run of rows (one piece of a table).
pub struct FuncResolver<'a> {
    year: i32,
    doc: &'a DocCodes,
    cat: &'static Catalog,
    lei: Option<String>,
    kuan: Option<String>,
}

/// One row's input to the resolver.
pub struct RowCode<'a> {
    pub line: u32,
    /// The code as printed (possibly partial).
    pub code: Option<&'a str>,
    pub name: &'a str,
}

impl<'a> FuncResolver<'a> {
    pub fn new(year: i32, doc: &'a DocCodes) -> Self {
        FuncResolver {
            year,
            doc,
            cat: Catalog::shipped(Classification::Function),
            lei: None,
            kuan: None,
        }
    }

    fn known(&self, code: &str) -> bool {
        self.doc.name(code).is_some()
            || !self.cat.entries(code).is_empty()
            || self.doc.entries.iter().any(|(c, _)| c.starts_with(code))
    }

    fn names(&self, code: &str) -> Vec<String> {
        let mut n = catalog_names(self.cat, code);
        if let Some(d) = self.doc.name(code) {
            n.push(d.to_string());
        }
        n
    }

    fn matches(&self, code: &str, name: &str) -> bool {
        self.names(code).iter().any(|n| name_matches(name, n))
    }

    /// 款 under the current 类 whose name the printed name begins.
    fn child_kuan(&self, name: &str) -> Option<String> {
        let lei = self.lei.as_deref()?;
        let mut cands: Vec<String> = self
            .cat
            .children(lei)
            .into_iter()
            .filter(|c| c.len() == 5)
            .map(str::to_string)
            .collect();
        for (c, _) in &self.doc.entries {
            if c.len() >= 5 && c.starts_with(lei) && !cands.iter().any(|x| x == &c[..5]) {
                cands.push(c[..5].to_string());
            }
        }
        let mut hits: Vec<String> = cands
            .into_iter()
            .filter(|c| self.matches(c, name))
            .collect();
        // Prefer codes the document uses.
        hits.sort_by_key(|c| {
            !self
                .doc
                .entries
                .iter()
                .any(|(d, _)| d.starts_with(c.as_str()))
        });
        hits.into_iter().next()
    }

    /// A 类 whose name the printed name begins.
    fn lei_by_name(&self, name: &str) -> Option<String> {
        if compact(name).chars().count() < 2 {
            return None;
        }
        let mut hits: Vec<String> = self
            .cat
            .all()
            .filter(|e| e.level == 1 && name_matches(name, &e.name))
            .map(|e| e.code.clone())
            .collect();
        hits.sort();
        hits.dedup();
        hits.sort_by_key(|c| {
            !self
                .doc
                .entries
                .iter()
                .any(|(d, _)| d.starts_with(c.as_str()))
        });
        hits.into_iter().next()
    }

    /// Resolves every row; returns the full code of each row (None for 合计 and rows that
    /// cannot be placed) and the repairs made.
    pub fn resolve(&mut self, rows: &[RowCode<'_>]) -> (Vec<Option<String>>, Vec<Repair>) {
        let mut out: Vec<Option<String>> = vec![None; rows.len()];
        let mut repairs = Vec::new();
        let mut pending_kuan: Option<usize> = None;
        for (i, r) in rows.iter().enumerate() {
            let name = compact(r.name);
            match r.code {
                Some(c) if c.len() == 3 => {
                    self.lei = Some(c.to_string());
                    self.kuan = None;
                    out[i] = Some(c.to_string());
                }
                Some(c) if c.len() == 5 => {
                    self.lei = Some(c[..3].to_string());
                    self.kuan = Some(c.to_string());
                    out[i] = Some(c.to_string());
                }
                Some(c) if c.len() == 7 => {
                    self.lei = Some(c[..3].to_string());
                    self.kuan = Some(c[..5].to_string());
                    out[i] = Some(c.to_string());
                }
                Some(cc) if cc.len() == 2 => {
                    let (code, reason) = self.two_digit(cc, &name);
                    if let Some(code) = &code {
                        if code.len() == 7 {
                            self.kuan = Some(code[..5].to_string());
                            self.lei = Some(code[..3].to_string());
                            if let Some(p) = pending_kuan.take()
                                && out[p].is_none()
                            {
                                out[p] = Some(code[..5].to_string());
                                repairs.push(Repair {
                                    src_line: rows[p].line,
                                    printed: rows[p].name.to_string(),
                                    repaired: code[..5].to_string(),
                                    reason: format!(
                                        "款 code of a row printing only a cut name, taken from the 项 {code} below it"
                                    ),
                                });
                            }
                        } else {
                            self.kuan = Some(code.clone());
                        }
                        repairs.push(Repair {
                            src_line: r.line,
                            printed: cc.to_string(),
                            repaired: code.clone(),
                            reason,
                        });
                    }
                    out[i] = code;
                }
                Some(_) => {}
                None => {
                    if name.is_empty() || super::registry::is_total_label(&name) {
                        continue;
                    }
                    if let Some(k) = self.child_kuan(&name) {
                        self.kuan = Some(k.clone());
                        repairs.push(Repair {
                            src_line: r.line,
                            printed: r.name.to_string(),
                            repaired: k.clone(),
                            reason: format!(
                                "款 code of a row printing no code, by its (cut) name under 类 {}",
                                self.lei.as_deref().unwrap_or("")
                            ),
                        });
                        out[i] = Some(k);
                    } else if let Some(l) = self.lei_by_name(&name) {
                        self.lei = Some(l.clone());
                        self.kuan = None;
                        repairs.push(Repair {
                            src_line: r.line,
                            printed: r.name.to_string(),
                            repaired: l.clone(),
                            reason: "类 code of a row printing no code, by its (cut) name".into(),
                        });
                        out[i] = Some(l);
                    } else if self.lei.is_some() {
                        // An unknown 款: its code comes from the 项 below, if any.
                        self.kuan = None;
                        pending_kuan = Some(i);
                    }
                }
            }
        }
        (out, repairs)
    }

    /// A 2-digit code: the 项 under the current 款 (or a 款 under the current 类).
    fn two_digit(&self, cc: &str, name: &str) -> (Option<String>, String) {
        if let Some(k) = &self.kuan {
            let cand = format!("{k}{cc}");
            if self.known(&cand) {
                return (
                    Some(cand),
                    format!("项 code printed alone, completed with its 款 {k} from the rows above"),
                );
            }
        }
        if self.kuan.is_none()
            && let Some(l) = &self.lei
        {
            let cand = format!("{l}{cc}");
            if self.matches(&cand, name) {
                return (
                    Some(cand),
                    format!("款 code printed alone, completed with its 类 {l} from the rows above"),
                );
            }
        }
        // The document's own full codes: same 项 code, matching name, under the 类.
        let doc_hit = self.doc.entries.iter().find(|(c, n)| {
            c.len() == 7
                && c.ends_with(cc)
                && name_matches(name, n)
                && self.lei.as_deref().is_none_or(|l| c.starts_with(l))
        });
        if let Some((c, _)) = doc_hit {
            return (
                Some(c.clone()),
                "项 code printed alone, matched by name to a code printed in another table of the document".into(),
            );
        }
        let cat_hit = self
            .cat
            .all()
            .filter(|e| {
                e.level == 3
                    && e.code.ends_with(cc)
                    && name_matches(name, &e.name)
                    && self.lei.as_deref().is_none_or(|l| e.code.starts_with(l))
            })
            .map(|e| e.code.clone())
            .min();
        if let Some(c) = cat_hit {
            return (
                Some(c),
                "项 code printed alone, matched by name in the function catalog".into(),
            );
        }
        if let Some(k) = &self.kuan {
            return (
                Some(format!("{k}{cc}")),
                format!(
                    "项 code printed alone, completed with its 款 {k} (code not in the catalog)"
                ),
            );
        }
        let _ = self.year;
        (None, String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_cells() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let c = lead_codes(&l(&["208", "01", "09", "203101"]), Classification::Function);
        assert_eq!(c.code.as_deref(), Some("2080109"));
        assert_eq!(c.org.as_deref(), Some("203101"));
        let c = lead_codes(&l(&["203101"]), Classification::Function);
        assert_eq!(c.code, None);
        assert_eq!(c.org.as_deref(), Some("203101"));
        let c = lead_codes(&l(&["301", "01"]), Classification::Economic);
        assert_eq!(c.code.as_deref(), Some("30101"));
        let c = lead_codes(
            &l(&["2120101", "50201", "3021101"]),
            Classification::Function,
        );
        assert_eq!(
            (c.code.as_deref(), c.econ.as_deref(), c.org.as_deref()),
            (Some("2120101"), Some("30211"), None)
        );
        let c = lead_codes(&l(&["50102", "30108"]), Classification::Function);
        assert_eq!(
            (c.code, c.econ.as_deref(), c.econ_only),
            (None, Some("30108"), true)
        );
        let c = lead_codes(&l(&["09"]), Classification::Function);
        assert_eq!(c.code.as_deref(), Some("09"));
    }

    #[test]
    fn rebuilds_cut_rows() {
        let mut doc = DocCodes::default();
        doc.add("2080109", "社会保险经办机构");
        doc.add("2080505", "机关事业单位基本养老保险缴费支出");
        let mut r = FuncResolver::new(2021, &doc);
        let rows = [
            RowCode {
                line: 1,
                code: None,
                name: "合计",
            },
            RowCode {
                line: 2,
                code: None,
                name: "社会保障和就业支",
            },
            RowCode {
                line: 3,
                code: None,
                name: "人力资源和社会",
            },
            RowCode {
                line: 4,
                code: Some("09"),
                name: "社会保险经办",
            },
            RowCode {
                line: 5,
                code: None,
                name: "行政事业单位养",
            },
            RowCode {
                line: 6,
                code: Some("05"),
                name: "机关事业单位",
            },
            RowCode {
                line: 7,
                code: None,
                name: "卫生健康支出",
            },
        ];
        let (codes, repairs) = r.resolve(&rows);
        assert_eq!(codes[0], None);
        assert_eq!(codes[1].as_deref(), Some("208"));
        assert_eq!(codes[2].as_deref(), Some("20801"));
        assert_eq!(codes[3].as_deref(), Some("2080109"));
        assert_eq!(codes[4].as_deref(), Some("20805"));
        assert_eq!(codes[5].as_deref(), Some("2080505"));
        assert_eq!(codes[6].as_deref(), Some("210"));
        assert!(
            repairs
                .iter()
                .any(|r| r.printed == "09" && r.repaired == "2080109")
        );
    }
}
