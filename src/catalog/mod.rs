//! Classification catalogs: 支出功能分类 (function) and 部门预算支出经济分类 (economic) codes and
//! their names by year, plus the code arithmetic both trees share.
//!
//! The shipped reference catalogs (`data/catalogs/*.csv`) are compiled into the binary, so
//! a program embedding yusuan needs no data files. A name is valid over a range of years:
//! the reference rows are valid from the start, and a note "formerly OLD (<=YEAR)" adds the
//! old name for the years up to YEAR (the 2019 renames). Names observed in ingested
//! documents are added per year on top and win over the reference for that year.

pub mod code;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use code::{Classification, CodeError, level_of, parent_of, rollup};

const FUNC_CSV: &str = include_str!("../../data/catalogs/func_class.csv");
const ECON_CSV: &str = include_str!("../../data/catalogs/econ_class_dept.csv");

/// Where a catalog name comes from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Printed with its code in an ingested document of that year.
    Document,
    /// The shipped reference catalog, with its confidence.
    Reference,
}

/// One name of one code over a range of years (both ends inclusive, `None` = open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub name: String,
    /// 1 = 类, 2 = 款, 3 = 项.
    pub level: u8,
    pub parent: Option<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub source: Source,
    /// `observed`, `template`, `corroborated`, `unverified` for reference rows;
    /// the doc_id for names seen in a document.
    pub confidence: String,
}

impl Entry {
    fn covers(&self, year: i32) -> bool {
        self.from_year.is_none_or(|from| from <= year) && self.to_year.is_none_or(|to| year <= to)
    }
}

/// All names of one classification, keyed by code.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    by_code: HashMap<String, Vec<Entry>>,
}

impl Catalog {
    /// The shipped reference catalog of a classification.
    pub fn shipped(class: Classification) -> &'static Catalog {
        static FUNC: LazyLock<Catalog> =
            LazyLock::new(|| Catalog::from_reference_csv(FUNC_CSV, Classification::Function));
        static ECON: LazyLock<Catalog> =
            LazyLock::new(|| Catalog::from_reference_csv(ECON_CSV, Classification::Economic));
        match class {
            Classification::Function => &FUNC,
            Classification::Economic => &ECON,
        }
    }

    /// Parses a reference CSV (`code,level,name,parent_code,confidence,note`). The shipped
    /// files are plain (no quoted commas); a malformed row is skipped, not a panic.
    pub fn from_reference_csv(csv: &str, class: Classification) -> Catalog {
        let mut catalog = Catalog::default();
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            if cols.len() < 5 {
                continue;
            }
            let code = cols[0];
            let Ok(level) = level_of(class, code) else {
                continue;
            };
            let parent = parent_of(class, code).ok().flatten();
            let note = cols.get(5).copied().unwrap_or("");
            let mut from_year = None;
            if let Some((old, to)) = parse_formerly(note) {
                from_year = Some(to + 1);
                catalog.push(Entry {
                    code: code.to_string(),
                    name: old,
                    level,
                    parent: parent.clone(),
                    from_year: None,
                    to_year: Some(to),
                    source: Source::Reference,
                    confidence: cols[4].to_string(),
                });
            }
            catalog.push(Entry {
                code: code.to_string(),
                name: cols[2].to_string(),
                level,
                parent,
                from_year,
                to_year: None,
                source: Source::Reference,
                confidence: cols[4].to_string(),
            });
        }
        catalog
    }

    pub fn push(&mut self, entry: Entry) {
        self.by_code.entry(entry.code.clone()).or_default().push(entry);
    }

    /// All entries of a code.
    pub fn entries(&self, code: &str) -> &[Entry] {
        self.by_code.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every entry, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Entry> {
        self.by_code.values().flatten()
    }

    /// The name of a code in a year: a name seen in a document of that year first, then
    /// the reference name valid that year; with no year, the newest name.
    pub fn name(&self, code: &str, year: Option<i32>) -> Option<&str> {
        let entries = self.by_code.get(code)?;
        let best = match year {
            Some(year) => entries
                .iter()
                .filter(|e| e.covers(year))
                .min_by_key(|e| (e.source, std::cmp::Reverse(e.from_year))),
            None => entries
                .iter()
                .max_by_key(|e| (e.to_year.unwrap_or(i32::MAX), std::cmp::Reverse(e.source))),
        };
        best.map(|e| e.name.as_str())
    }

    /// Codes whose parent is `parent`, sorted.
    pub fn children(&self, parent: &str) -> Vec<&str> {
        let mut codes: Vec<&str> = self
            .by_code
            .iter()
            .filter(|(_, v)| v.iter().any(|e| e.parent.as_deref() == Some(parent)))
            .map(|(k, _)| k.as_str())
            .collect();
        codes.sort_unstable();
        codes
    }
}

/// Reads a note of the form "formerly OLD NAME (<=2018)".
fn parse_formerly(note: &str) -> Option<(String, i32)> {
    let rest = note.trim().strip_prefix("formerly ")?;
    let open = rest.rfind("(<=")?;
    let name = rest[..open].trim();
    let year = rest[open + 3..].trim_end_matches(')').trim().parse().ok()?;
    (!name.is_empty()).then(|| (name.to_string(), year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_class_has_old_name_before_2019() {
        let cat = Catalog::shipped(Classification::Function);
        assert_eq!(cat.name("210", Some(2018)), Some("医疗卫生与计划生育支出"));
        assert_eq!(cat.name("210", Some(2019)), Some("卫生健康支出"));
        assert_eq!(cat.name("210", None), Some("卫生健康支出"));
        assert_eq!(cat.name("2080109", Some(2021)), Some("社会保险经办机构"));
        assert_eq!(cat.name("9999999", Some(2021)), None);
    }

    #[test]
    fn economic_catalog_loads() {
        let cat = Catalog::shipped(Classification::Economic);
        assert_eq!(cat.name("30217", None), Some("公务接待费"));
        assert_eq!(cat.name("302", None), Some("商品和服务支出"));
        assert!(cat.children("301").contains(&"30101"));
    }
}
