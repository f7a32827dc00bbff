//! 行政区划: the place a disclosure belongs to — province, city, county and the 6-digit
//! division code — resolved from the issuer's name with the shipped division catalog
//! (`data/catalogs/admin_divisions.csv`, compiled in).
//!
//! Issuers print their place as a chain of names from the top: 广东省深圳市…, 上海市普陀区…,
//! 四川省万源市… (the city between skipped), or a city alone (深圳市统计局). Names repeat
//! across provinces (普陀区 is in 上海 and in 舟山, 鼓楼区 in three provinces), so a name
//! that starts the chain is only trusted when it is unique, or when the document's own
//! words name one of its parents. A municipality (北京, 天津, 上海, 重庆) is its own city:
//! the catalog's 市辖区 rows are never printed and never reported.

use std::collections::HashMap;
use std::sync::LazyLock;

const DIVISIONS_CSV: &str = include_str!("../../data/catalogs/admin_divisions.csv");

/// Where a division sits in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivisionLevel {
    Province,
    City,
    County,
}

/// One row of the division catalog.
#[derive(Debug, Clone)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: DivisionLevel,
    parent: Option<usize>,
}

/// The place of a disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    pub province: String,
    /// The prefecture-level city; for a municipality, the municipality itself.
    pub city: Option<String>,
    /// The county-level division (县, 区, 县级市, 旗), where the issuer names one.
    pub county: Option<String>,
    /// The code of the most specific division named.
    pub admin_code: String,
    /// The issuing government's name, the divisions named joined from the top
    /// (上海市普陀区, 四川省达州市, 深圳市).
    pub name: String,
}

/// The division catalog with its name index.
pub struct Divisions {
    rows: Vec<Division>,
    /// Full names (深圳市, 普陀区) and province short names (广东, 北京) to rows.
    by_name: HashMap<String, Vec<usize>>,
    /// Longest indexed name, in chars.
    longest: usize,
}

/// The catalog's 市辖区 / 县 rows under a municipality: never printed by an issuer, and
/// never reported as a city.
fn is_municipal_district_row(d: &Division) -> bool {
    d.level == DivisionLevel::City && (d.name == "市辖区" || d.name == "县")
}

/// The short name of a province as issuers also print it: 广东省 -> 广东, 广西壮族自治区
/// -> 广西, 北京市 -> 北京.
fn province_short(name: &str) -> Option<String> {
    for suffix in [
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "自治区",
        "特别行政区",
        "省",
        "市",
    ] {
        if let Some(s) = name.strip_suffix(suffix)
            && s.chars().count() >= 2
        {
            return Some(s.to_string());
        }
    }
    None
}

/// The short name of a prefecture-level city: 长沙市 -> 长沙 (two characters or more).
fn city_short(name: &str) -> Option<&str> {
    name.strip_suffix('市').filter(|s| s.chars().count() >= 2)
}

impl Divisions {
    /// The shipped catalog.
    pub fn shipped() -> &'static Divisions {
        static SHIPPED: LazyLock<Divisions> = LazyLock::new(|| Divisions::parse(DIVISIONS_CSV));
        &SHIPPED
    }

    /// Parses `code,name,level,parent_code,…` rows; rows that do not parse are skipped (the
    /// file is compiled in and checked by a test).
    pub fn parse(csv: &str) -> Divisions {
        let mut rows = Vec::new();
        let mut parents = Vec::new();
        let mut index_of_code = HashMap::new();
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let (Some(code), Some(name), Some(level)) = (cols.first(), cols.get(1), cols.get(2))
            else {
                continue;
            };
            let level = match *level {
                "province" => DivisionLevel::Province,
                "city" => DivisionLevel::City,
                "county" => DivisionLevel::County,
                _ => continue,
            };
            index_of_code.insert(code.to_string(), rows.len());
            parents.push(cols.get(3).map(|p| p.to_string()).unwrap_or_default());
            rows.push(Division {
                code: code.to_string(),
                name: name.to_string(),
                level,
                parent: None,
            });
        }
        for (row, parent) in rows.iter_mut().zip(&parents) {
            row.parent = index_of_code.get(parent).copied();
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in rows.iter().enumerate() {
            // 城区, 郊区, 矿区: two-character county names are words, not places, at the
            // start of an issuer's name.
            let min = if d.level == DivisionLevel::County {
                3
            } else {
                2
            };
            if is_municipal_district_row(d) || d.name.chars().count() < min {
                continue;
            }
            by_name.entry(d.name.clone()).or_default().push(i);
            if d.level == DivisionLevel::Province
                && let Some(short) = province_short(&d.name)
            {
                by_name.entry(short).or_default().push(i);
            }
        }
        // 首都绿化委员会, 首都精神文明建设委员会: Beijing's own bodies name it 首都.
        if let Some(beijing) = rows.iter().position(|d| d.name == "北京市") {
            by_name.entry("首都".to_string()).or_default().push(beijing);
        }
        let longest = by_name.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Divisions {
            rows,
            by_name,
            longest,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn is_within(&self, row: usize, ancestor: usize) -> bool {
        let mut at = self.rows[row].parent;
        while let Some(p) = at {
            if p == ancestor {
                return true;
            }
            at = self.rows[p].parent;
        }
        false
    }

    /// Rows whose indexed name starts `s`, longest name first, each with the byte length
    /// of the name matched.
    fn names_at(&self, s: &str) -> Vec<(usize, usize)> {
        let ends: Vec<usize> = s
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(self.longest)
            .collect();
        let mut out = Vec::new();
        for &end in ends.iter().rev() {
            if let Some(rows) = self.by_name.get(&s[..end]) {
                out.extend(rows.iter().map(|&r| (r, end)));
            }
        }
        out
    }

    /// The chain of divisions printed at the start of `s`: each next name is a division
    /// inside the one before. The first name may be ambiguous; `context` (the document's
    /// title and first lines) picks the candidate whose province or city it also names.
    fn chain_at(&self, s: &str, context: &str) -> Option<(Vec<usize>, usize)> {
        let first = self.names_at(s);
        let longest = first.first().map(|&(_, len)| len)?;
        let mut candidates: Vec<usize> = first
            .iter()
            .filter(|&&(_, len)| len == longest)
            .map(|&(r, _)| r)
            .collect();
        candidates.dedup();
        let top = if candidates.len() == 1 {
            candidates[0]
        } else {
            // 普陀区…: the candidate whose parents the document names, the one whose
            // city it names before one whose province it names (江苏省徐州市鼓楼区:
            // 徐州's, not 南京's).
            let scored: Vec<(usize, u8)> = candidates
                .iter()
                .map(|&c| (c, self.nearest_parent_named(c, context)))
                .collect();
            let best = scored.iter().map(|&(_, score)| score).max().unwrap_or(0);
            let named: Vec<usize> = scored
                .iter()
                .filter(|&&(_, score)| score == best && score > 0)
                .map(|&(c, _)| c)
                .collect();
            match named.as_slice() {
                [one] => *one,
                _ => return None,
            }
        };
        let mut chain = vec![top];
        let mut at = longest;
        loop {
            let last = *chain.last().expect("chain starts with one row");
            let next = self
                .names_at(&s[at..])
                .into_iter()
                .find(|&(r, _)| self.is_within(r, last));
            match next {
                Some((r, len)) => {
                    chain.push(r);
                    at += len;
                }
                None => break,
            }
        }
        Some((chain, at))
    }

    /// How near a parent of `row` the context names in full: 2 for its city, 1 for its
    /// province, 0 for neither.
    fn nearest_parent_named(&self, row: usize, context: &str) -> u8 {
        let mut at = self.rows[row].parent;
        while let Some(p) = at {
            let d = &self.rows[p];
            if !is_municipal_district_row(d) && context.contains(d.name.as_str()) {
                return match d.level {
                    DivisionLevel::Province => 1,
                    _ => 2,
                };
            }
            at = d.parent;
        }
        0
    }

    fn place_of(&self, chain: &[usize]) -> Place {
        let deepest = *chain.last().expect("a place has one division at least");
        let mut lineage = vec![deepest];
        while let Some(p) = self.rows[*lineage.last().expect("non-empty")].parent {
            lineage.push(p);
        }
        let mut place = Place {
            admin_code: self.rows[deepest].code.clone(),
            name: chain
                .iter()
                .map(|&r| self.rows[r].name.as_str())
                .collect::<String>(),
            ..Place::default()
        };
        for &r in lineage.iter().rev() {
            let d = &self.rows[r];
            match d.level {
                DivisionLevel::Province => place.province = d.name.clone(),
                DivisionLevel::City if is_municipal_district_row(d) => {
                    place.city = Some(place.province.clone())
                }
                DivisionLevel::City => place.city = Some(d.name.clone()),
                DivisionLevel::County => place.county = Some(d.name.clone()),
            }
        }
        if self.rows[deepest].level == DivisionLevel::Province && is_municipality(&place.province) {
            place.city = Some(place.province.clone());
        }
        place
    }

    /// The place an issuer's name starts with (中共, 中国共产党 and 共青团 set aside):
    /// 深圳市统计局 -> 广东省 / 深圳市; 中共上海市普陀区委社会工作部 -> 上海市 / 上海市 /
    /// 普陀区; a city's short name (长沙职业教育基地…) as the city.
    pub fn resolve_issuer(&self, issuer: &str, context: &str) -> Option<Place> {
        let s = strip_party_prefix(issuer);
        if let Some((chain, _)) = self.chain_at(s, context) {
            return Some(self.place_of(&chain));
        }
        // 长沙职业教育基地: a city's short name; where two cities share it, the one the
        // text names in full.
        let shorts: Vec<(usize, usize)> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, d)| d.level == DivisionLevel::City)
            .filter_map(|(i, d)| {
                let short = city_short(&d.name)?;
                s.starts_with(short).then_some((i, short.len()))
            })
            .collect();
        let longest = shorts.iter().map(|&(_, len)| len).max()?;
        let shorts: Vec<usize> = shorts
            .into_iter()
            .filter(|&(_, len)| len == longest)
            .map(|(i, _)| i)
            .collect();
        let row = match shorts.as_slice() {
            [one] => *one,
            many => *many
                .iter()
                .find(|&&i| context.contains(self.rows[i].name.as_str()))?,
        };
        Some(self.place_of(&[row]))
    }

    /// The first place the text names as a chain starting with a province or a city (full
    /// names; a county alone is too ambiguous to trust in running text).
    pub fn first_in_text(&self, text: &str) -> Option<Place> {
        for (i, _) in text.char_indices() {
            let s = &text[i..];
            let Some((chain, _)) = self.chain_at(s, text) else {
                continue;
            };
            let top = &self.rows[chain[0]];
            let full_name = s.starts_with(top.name.as_str());
            if top.level != DivisionLevel::County && full_name {
                return Some(self.place_of(&chain));
            }
        }
        None
    }
}

fn is_municipality(name: &str) -> bool {
    matches!(name, "北京市" | "天津市" | "上海市" | "重庆市")
}

fn strip_party_prefix(s: &str) -> &str {
    for p in ["中国共产党", "中共", "共青团", "中国"] {
        if let Some(r) = s.strip_prefix(p) {
            return r;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(
        issuer: &str,
        context: &str,
    ) -> Option<(String, Option<String>, Option<String>, String)> {
        Divisions::shipped()
            .resolve_issuer(issuer, context)
            .map(|p| (p.province, p.city, p.county, p.admin_code))
    }

    fn some(
        p: &str,
        c: Option<&str>,
        k: Option<&str>,
        code: &str,
    ) -> Option<(String, Option<String>, Option<String>, String)> {
        Some((p.into(), c.map(Into::into), k.map(Into::into), code.into()))
    }

    #[test]
    fn the_shipped_catalog_parses_whole() {
        let d = Divisions::shipped();
        assert_eq!(d.len(), DIVISIONS_CSV.lines().count() - 1);
        assert!(
            d.rows
                .iter()
                .all(|r| r.level == DivisionLevel::Province || r.parent.is_some())
        );
    }

    #[test]
    fn a_city_and_its_province() {
        assert_eq!(
            place("深圳市统计局（本级）", ""),
            some("广东省", Some("深圳市"), None, "440300")
        );
        assert_eq!(
            place("中共深圳市委宣传部", ""),
            some("广东省", Some("深圳市"), None, "440300")
        );
        assert_eq!(
            place("四川省达州市财政局", ""),
            some("四川省", Some("达州市"), None, "511700")
        );
    }

    #[test]
    fn a_municipality_is_its_own_city() {
        assert_eq!(
            place("北京市市场监督管理局", ""),
            some("北京市", Some("北京市"), None, "110000")
        );
        assert_eq!(
            place("中国共产党北京市委员会宣传部", ""),
            some("北京市", Some("北京市"), None, "110000")
        );
        assert_eq!(
            place("首都绿化委员会办公室", ""),
            some("北京市", Some("北京市"), None, "110000")
        );
        assert_eq!(
            place("北京城市副中心管理委员会", ""),
            some("北京市", Some("北京市"), None, "110000")
        );
        let p = Divisions::shipped()
            .resolve_issuer("中共上海市普陀区委社会工作部", "")
            .unwrap();
        assert_eq!(
            (p.province.as_str(), p.city.as_deref(), p.county.as_deref()),
            ("上海市", Some("上海市"), Some("普陀区"))
        );
        assert_eq!(
            (p.admin_code.as_str(), p.name.as_str()),
            ("310107", "上海市普陀区")
        );
    }

    #[test]
    fn a_county_level_city_alone_finds_its_parents() {
        assert_eq!(
            place("万源市社会保险事业管理局", ""),
            some("四川省", Some("达州市"), Some("万源市"), "511781")
        );
        assert_eq!(
            place("四川省万源市财政局", ""),
            some("四川省", Some("达州市"), Some("万源市"), "511781")
        );
    }

    #[test]
    fn a_repeated_name_needs_its_parent_in_the_text() {
        assert_eq!(place("普陀区财政局", ""), None);
        assert_eq!(
            place("普陀区财政局", "舟山市普陀区财政局2024年部门预算"),
            some("浙江省", Some("舟山市"), Some("普陀区"), "330903")
        );
        assert_eq!(
            place("鼓楼区教育局", "江苏省徐州市鼓楼区"),
            some("江苏省", Some("徐州市"), Some("鼓楼区"), "320302")
        );
    }

    #[test]
    fn a_short_city_name() {
        assert_eq!(
            place("长沙职业教育基地综合协调办公室", ""),
            some("湖南省", Some("长沙市"), None, "430100")
        );
        assert_eq!(place("社会保险事业管理局", "本单位"), None);
    }

    #[test]
    fn the_text_names_the_place_when_the_issuer_does_not() {
        let p = Divisions::shipped()
            .first_in_text("关于2024年部门预算的说明 本部门是江苏省人民政府的组成部门")
            .unwrap();
        assert_eq!((p.province.as_str(), p.city), ("江苏省", None));
        assert_eq!(Divisions::shipped().first_in_text("朝阳区人民政府"), None);
    }
}
