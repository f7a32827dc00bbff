//! `yusuan gen`: realistic synthetic budget disclosures for N departments × M years.
//!
//! The generator is seeded and reproducible: the same options give the same bytes. Every
//! (department, year) document is drawn from its own random stream, so documents can be
//! generated in any order or in parallel and still come out the same.
//!
//! What makes the documents realistic:
//! - **Organisations in regions**: counties and cities (`清河县`, `安平市`, …), each with the
//!   same set of departments (`清河县教育局`, `清河县卫生健康局`, …) and 单位代码.
//! - **Codes from the shipped catalogs** ([`crate::catalog::Catalog::shipped`]): a
//!   department spends mostly under its own 类 (教育局 under 205, 社保局 under 208), plus
//!   the 项 every unit has (机关事业单位基本养老保险缴费支出, 行政单位医疗, 住房公积金).
//!   **Skew**: department sizes are log-normal and the big 类 (education, social security,
//!   health) carry most of the money.
//! - **Consistent tables**: amounts are allocated from the top down with exact integer
//!   arithmetic, so leaves add up to every subtotal, basic + project = total, the basic
//!   table by 经济分类 adds up to the basic column of the function table, and the “三公”
//!   figures equal their 经济分类 lines (30212, 30217, 30231, 31013).
//! - **Year-over-year drift**: each department grows by a random walk (≈5 % ± 5 % a
//!   year), leaves come and go, projects change.
//! - **Code renames**: names are printed from the catalog of the document's year, so 210
//!   is 医疗卫生与计划生育支出 up to 2018 and 卫生健康支出 from 2019 (likewise 207, 220).
//! - **Occasional defects** (`--defect-rate`, default 2 %): a subtotal that does not add
//!   up, a “三公” figure that disagrees with its 经济分类 line, an amount printed in 元 in a
//!   万元 table — the defects the checks look for.
//!
//! Two outputs: [`text`] writes documents in the seed's text format (to exercise the parser
//! at scale); [`lake`] writes the lake directly, already compacted (sorted parts, see
//! [`crate::lake::compact`]), to build 10⁸ rows quickly.

pub mod lake;
pub mod model;
pub mod text;

use std::fmt;
use std::ops::RangeInclusive;
use std::path::Path;
use std::str::FromStr;

/// Output format of the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenFormat {
    /// Documents in the seed's text format, one file per department and year.
    Text,
    /// The lake itself, written directly (compacted layout).
    Lake,
}

impl FromStr for GenFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" | "txt" => Ok(GenFormat::Text),
            "lake" | "parquet" => Ok(GenFormat::Lake),
            _ => Err(format!("unknown format {s:?}: use text or lake")),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub departments: usize,
    pub years: RangeInclusive<i32>,
    pub seed: u64,
    /// Share of documents with one injected defect (0.0–1.0).
    pub defect_rate: f64,
    /// Worker threads (the lake writer compresses in parallel, one year per thread).
    pub threads: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            departments: 100,
            years: 2015..=2024,
            seed: 42,
            defect_rate: 0.02,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        }
    }
}

impl GenOptions {
    /// Departments needed for about `facts` facts over the options' years.
    pub fn departments_for_facts(&self, facts: u64) -> usize {
        let years = (self.years.end() - self.years.start() + 1).max(1) as u64;
        let per_doc = model::AVERAGE_FACTS_PER_DOC as u64;
        (facts / (years * per_doc)).max(1) as usize
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct GenReport {
    pub documents: u64,
    pub facts: u64,
    pub defects: u64,
    pub bytes: u64,
    pub files: u64,
    pub seconds: f64,
}

impl fmt::Display for GenReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "generated {} documents ({} facts, {} with a defect) in {} files, {:.1} MB, {:.1} s",
            self.documents,
            self.facts,
            self.defects,
            self.files,
            self.bytes as f64 / 1e6,
            self.seconds
        )
    }
}

/// Generates into `out`: a folder of documents, or a lake directory.
pub fn generate(format: GenFormat, options: &GenOptions, out: &Path) -> std::io::Result<GenReport> {
    match format {
        GenFormat::Text => text::write_documents(options, out),
        GenFormat::Lake => lake::write_lake(options, out),
    }
}

/// Parses a count such as `1000`, `10k`, `10M`, `1e7`, `100_000` (decimal multiples).
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('m' | 'M') => (&t[..t.len() - 1], 1e6),
        Some('g' | 'G' | 'b' | 'B') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("not a count: {s:?} (examples: 1000, 10k, 10M, 1e7)"))?;
    if !v.is_finite() || v < 0.0 || v * mult > 1e15 {
        return Err(format!("count out of range: {s:?}"));
    }
    Ok((v * mult).round() as u64)
}

/// Parses a memory size such as `512M`, `2G`, `1.5GiB`, `800MB`, `1048576` (binary
/// multiples: M = MiB). Used by `--memory-limit`.
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let stripped = lower
        .trim_end_matches("ib")
        .trim_end_matches('b')
        .to_string();
    let (num, mult) = match stripped.chars().last() {
        Some('k') => (&stripped[..stripped.len() - 1], 1u64 << 10),
        Some('m') => (&stripped[..stripped.len() - 1], 1 << 20),
        Some('g') => (&stripped[..stripped.len() - 1], 1 << 30),
        Some('t') => (&stripped[..stripped.len() - 1], 1 << 40),
        _ => (stripped.as_str(), 1),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a memory size: {t:?} (examples: 512M, 2G, 1.5GiB)"))?;
    let bytes = v * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > usize::MAX as f64 / 2.0 {
        return Err(format!("memory size out of range: {t:?}"));
    }
    Ok(bytes as usize)
}

/// Parses a year range: `2021`, `2015-2024` or `2015..=2024`.
pub fn parse_years(s: &str) -> Result<RangeInclusive<i32>, String> {
    let t = s.trim().replace("..=", "-").replace("..", "-");
    let (a, b) = t.split_once('-').unwrap_or((&t, &t));
    let a: i32 = a
        .trim()
        .parse()
        .map_err(|_| format!("not a year range: {s:?}"))?;
    let b: i32 = b
        .trim()
        .parse()
        .map_err(|_| format!("not a year range: {s:?}"))?;
    if !(1990..=2100).contains(&a) || !(a..=2100).contains(&b) {
        return Err(format!("years out of range: {s:?} (example: 2015-2024)"));
    }
    Ok(a..=b)
}

/// SplitMix64: small, fast, and good enough for synthetic data; no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A stream derived from a seed and a key (department, year, …).
    pub fn derive(seed: u64, keys: &[u64]) -> Rng {
        let mut r = Rng::new(seed);
        for k in keys {
            r.0 ^= k.wrapping_mul(0xD6E8_FEB8_6659_FD93);
            r.next_u64();
        }
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_parse() {
        assert_eq!(parse_count("10M").unwrap(), 10_000_000);
        assert_eq!(parse_count("1e7").unwrap(), 10_000_000);
        assert_eq!(parse_count("10_000").unwrap(), 10_000);
        assert!(parse_count("ten").is_err());
        assert_eq!(parse_bytes("512M").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_bytes("1.5G").unwrap(), 3 << 29);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("0").is_err());
        assert_eq!(parse_years("2015-2024").unwrap(), 2015..=2024);
        assert_eq!(parse_years("2021").unwrap(), 2021..=2021);
        assert!(parse_years("21-1").is_err());
    }

    #[test]
    fn streams_are_reproducible() {
        let a: Vec<u64> = (0..5).map(|_| Rng::derive(7, &[1, 2]).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::derive(7, &[1, 2]).next_u64(),
            Rng::derive(7, &[2, 1]).next_u64()
        );
    }
}
