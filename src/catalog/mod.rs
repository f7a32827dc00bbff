//! Classification catalogs: 支出功能分类 (function) and 部门预算支出经济分类 (economic) codes and
//! their names by year, plus the code arithmetic both trees share.
//!
//! The shipped reference catalogs (`data/catalogs/*.csv`) are compiled into the binary, so
//! a program embedding yusuan needs no data files. A name is valid over a range of years:
//! the reference rows are valid from the start, and a note "formerly OLD (<=YEAR)" adds the
//! old name for the years up to YEAR (the 2019 renames). Names observed in ingested
//! documents are added per year on top ([`Catalog::with_observed`], [`Catalogs`]): the
//! catalog of a year is the names printed that year, else the nearest earlier one, unless
//! the reference renamed the code since.

pub mod code;
pub mod division;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use code::{
    Classification, CodeError, digits_at, level_of, parent_of, parse_level, prefix_range, rollup,
};

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
        self.by_code
            .entry(entry.code.clone())
            .or_default()
            .push(entry);
    }

    /// All entries of a code.
    pub fn entries(&self, code: &str) -> &[Entry] {
        self.by_code.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every entry, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Entry> {
        self.by_code.values().flatten()
    }

    /// The name of a code in a year: the name of the catalog of that year or the nearest
    /// earlier one. Candidates are the reference names valid that year and the names printed
    /// in documents of that year or before; the one that took effect last wins, and a
    /// document beats the reference in the same year. So a name printed in 2021 is used for
    /// 2021 and later, until a reference rename takes effect (210 printed as
    /// 医疗卫生与计划生育支出 in 2017 is still 卫生健康支出 in 2021). With no year, the newest
    /// name. `None` when no name is known by then.
    pub fn name(&self, code: &str, year: Option<i32>) -> Option<&str> {
        let year = year.unwrap_or(i32::MAX);
        self.by_code
            .get(code)?
            .iter()
            .filter(|e| match e.source {
                Source::Document => e.from_year.is_none_or(|from| from <= year),
                Source::Reference => e.covers(year),
            })
            .max_by_key(|e| {
                (
                    e.from_year.unwrap_or(i32::MIN),
                    std::cmp::Reverse(e.source),
                    e.name.len(),
                )
            })
            .map(|e| e.name.as_str())
    }

    /// Adds names printed in documents, skipping the ones that are cut short: a name that
    /// is a strict prefix of a reference name of the code, or of another name printed for
    /// the code in the same year (社会保障和就业支 for 社会保障和就业支出). Of several full
    /// names printed for one code in one year, the most frequent wins (then the longer).
    /// Names that are empty, or not for a well-formed code, are skipped.
    pub fn with_observed(mut self, class: Classification, observed: &[ObservedName]) -> Catalog {
        let mut best: HashMap<(&str, i32), &ObservedName> = HashMap::new();
        for o in observed {
            let name = o.name.trim();
            if name.is_empty() || name == o.code || level_of(class, &o.code).is_err() {
                continue;
            }
            let cut_reference = self
                .entries(&o.code)
                .iter()
                .any(|e| e.source == Source::Reference && is_cut(name, &e.name));
            let cut_observed = observed.iter().any(|p| {
                p.code == o.code && p.fiscal_year == o.fiscal_year && is_cut(name, p.name.trim())
            });
            if cut_reference || cut_observed {
                continue;
            }
            let slot = best.entry((o.code.as_str(), o.fiscal_year)).or_insert(o);
            if (o.count, o.name.trim().len()) > (slot.count, slot.name.trim().len()) {
                *slot = o;
            }
        }
        let mut chosen: Vec<&ObservedName> = best.into_values().collect();
        chosen.sort_by(|a, b| (&a.code, a.fiscal_year).cmp(&(&b.code, b.fiscal_year)));
        for o in chosen {
            self.push(Entry {
                code: o.code.clone(),
                name: o.name.trim().to_string(),
                level: level_of(class, &o.code).unwrap_or(0),
                parent: parent_of(class, &o.code).ok().flatten(),
                from_year: Some(o.fiscal_year),
                to_year: Some(o.fiscal_year),
                source: Source::Document,
                confidence: o.doc_id.clone(),
            });
        }
        self
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

/// `name` is cut short from `full`: a strict prefix of it.
fn is_cut(name: &str, full: &str) -> bool {
    name.len() < full.len() && full.starts_with(name)
}

/// A code printed together with its name in an ingested document (the statements
/// `expenditure_by_func` and `gpb_basic_by_econ`), aggregated over the lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedName {
    pub code: String,
    pub name: String,
    pub fiscal_year: i32,
    /// How many rows printed this name for this code in this year.
    pub count: i64,
    /// One document that printed it (the smallest doc_id), for provenance.
    pub doc_id: String,
}

/// The two catalogs the SQL functions and the `func_class` / `econ_class` tables use:
/// the shipped reference plus the names observed in the lake.
#[derive(Debug, Clone)]
pub struct Catalogs {
    pub function: Catalog,
    pub economic: Catalog,
}

impl Catalogs {
    /// The shipped reference catalogs alone.
    pub fn shipped() -> Catalogs {
        Catalogs {
            function: Catalog::shipped(Classification::Function).clone(),
            economic: Catalog::shipped(Classification::Economic).clone(),
        }
    }

    /// The shipped catalogs with names observed in documents added.
    pub fn with_observed(function: &[ObservedName], economic: &[ObservedName]) -> Catalogs {
        let shipped = Catalogs::shipped();
        Catalogs {
            function: shipped
                .function
                .with_observed(Classification::Function, function),
            economic: shipped
                .economic
                .with_observed(Classification::Economic, economic),
        }
    }

    pub fn get(&self, class: Classification) -> &Catalog {
        match class {
            Classification::Function => &self.function,
            Classification::Economic => &self.economic,
        }
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

    fn seen(code: &str, name: &str, year: i32, count: i64) -> ObservedName {
        ObservedName {
            code: code.into(),
            name: name.into(),
            fiscal_year: year,
            count,
            doc_id: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn observed_names_by_nearest_earlier_year() {
        let observed = [
            seen("2080109", "社会保险经办机构（本级）", 2021, 1),
            seen("208", "社会保障和就业支", 2021, 3), // cut short: skipped
            seen("210", "医疗卫生与计划生育支出", 2017, 1),
            seen("2089977", "其他专项", 2022, 2),
            seen("2089977", "其他专", 2022, 5), // cut short of another printed name
        ];
        let cat = Catalog::shipped(Classification::Function)
            .clone()
            .with_observed(Classification::Function, &observed);
        assert_eq!(
            cat.name("2080109", Some(2021)),
            Some("社会保险经办机构（本级）")
        );
        assert_eq!(
            cat.name("2080109", Some(2023)),
            Some("社会保险经办机构（本级）")
        );
        assert_eq!(cat.name("2080109", Some(2020)), Some("社会保险经办机构"));
        assert_eq!(cat.name("2080109", None), Some("社会保险经办机构（本级）"));
        assert_eq!(cat.name("208", Some(2021)), Some("社会保障和就业支出"));
        // The 2019 rename outranks a name printed before it.
        assert_eq!(cat.name("210", Some(2017)), Some("医疗卫生与计划生育支出"));
        assert_eq!(cat.name("210", Some(2021)), Some("卫生健康支出"));
        assert_eq!(cat.name("2089977", Some(2022)), Some("其他专项"));
        assert_eq!(cat.name("2089977", Some(2021)), None);
        assert_eq!(cat.entries("208").len(), 1);
    }

    #[test]
    fn economic_catalog_loads() {
        let cat = Catalog::shipped(Classification::Economic);
        assert_eq!(cat.name("30217", None), Some("公务接待费"));
        assert_eq!(cat.name("302", None), Some("商品和服务支出"));
        assert!(cat.children("301").contains(&"30101"));
    }
}
