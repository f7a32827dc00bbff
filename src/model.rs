//! The parsed form of one disclosure document: what the parser produces and what the
//! checks, the lake and `read_disclosure` consume.
//!
//! Everything here is plain data with exact amounts (`rust_decimal::Decimal`, always in 元).
//! The field names follow the v1 SQL contract (`facts`, `narrative`, `targets`,
//! `documents`), so the lake's schema in `lake::schema` is a direct mapping of these
//! structs.

use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

/// 预算 or 决算.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// 部门预算
    Budget,
    /// 部门决算 (final accounts)
    Final,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Budget => "budget",
            Phase::Final => "final",
        }
    }
}

/// The unit an amount was printed in. Amounts are always stored in 元; the unit records
/// how the document printed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Yuan,
    Wan,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
        }
    }

    /// Converts an amount printed in this unit to 元, exactly.
    pub fn to_yuan(self, printed: Decimal) -> Decimal {
        match self {
            Unit::Yuan => printed,
            Unit::Wan => printed * Decimal::from(10_000),
        }
    }
}

/// Where a published figure was `income` or `expenditure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Income,
    Expenditure,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Income => "income",
            Direction::Expenditure => "expenditure",
        }
    }
}

/// Which year's figure a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Current,
    /// Amounts of the previous year printed in this document (上年预算数).
    Prior,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Current => "current",
            Period::Prior => "prior",
        }
    }
}

/// Statement ids of the SQL contract: which published table a fact comes from.
pub mod statement {
    pub const SUMMARY: &str = "summary";
    pub const INCOME_BY_FUNC: &str = "income_by_func";
    pub const EXPENDITURE_BY_FUNC: &str = "expenditure_by_func";
    pub const GRANT_SUMMARY: &str = "grant_summary";
    pub const GPB_BY_FUNC: &str = "gpb_by_func";
    pub const GPB_BASIC_BY_ECON: &str = "gpb_basic_by_econ";
    pub const GPB_PROJECTS: &str = "gpb_projects";
    pub const THREE_PUBLIC: &str = "three_public";
    pub const GOV_FUND_BY_FUNC: &str = "gov_fund_by_func";
    pub const SOE_CAPITAL_BY_FUNC: &str = "soe_capital_by_func";
    pub const PERFORMANCE: &str = "performance";
}

/// One published amount: a row of `facts` without the document-level columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Statement id (see [`statement`]).
    pub statement: String,
    pub direction: Direction,
    /// 支出功能分类 code, 3/5/7 digits.
    pub func_code: Option<String>,
    /// 部门预算支出经济分类 code, 3/5 digits.
    pub econ_code: Option<String>,
    /// Source of funds where the column or row says it (`general_budget`, `gov_fund`, …).
    pub fund: Option<String>,
    /// Canonical measure (`total`, `basic`, `project`, `personnel`, `public_use`, `amount`, …).
    pub measure: String,
    /// Column label as printed.
    pub measure_label: String,
    pub period: Period,
    /// Row label as printed, spaces normalised.
    pub item: String,
    /// The row is a sum of other rows of the same table (类/款 subtotal, 合计, 总计).
    pub is_total: bool,
    /// In 元, exact.
    pub amount: Decimal,
    /// The unit the amount was printed in.
    pub unit: Unit,
    /// 单位代码 of the unit this row belongs to, where the row prints it.
    pub org_code: Option<String>,
    /// 1-based line of the source document.
    pub src_line: u32,
}

/// A money figure stated in the prose.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeFigure {
    /// What the figure is about, e.g. 公务接待费, 收入预算总额.
    pub label: String,
    /// In 元, converted from the printed unit.
    pub amount: Decimal,
    /// The figure as printed, e.g. "9700 万元".
    pub as_printed: String,
    pub unit: Unit,
    /// The sentence (or clause) it stands in, for context.
    pub context: String,
    pub src_line: u32,
}

/// One 绩效目标 indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Project name, or the department's name for 部门整体支出绩效目标.
    pub project: String,
    /// 一级指标 (e.g. 产出指标 / 项目完成), where printed.
    pub level1: Option<String>,
    /// 二级指标 (e.g. 数量指标), where printed.
    pub level2: Option<String>,
    /// 三级指标: the indicator itself.
    pub indicator: String,
    /// 指标值 as printed, e.g. "≥98%".
    pub target: Option<String>,
    pub src_line: u32,
}

/// A published table the parser recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    /// Statement id, or `"unrecognised"`.
    pub statement: String,
    /// Title as printed.
    pub title: String,
    /// First line of the table (its title line).
    pub start_line: u32,
    pub end_line: u32,
    /// How many facts it produced (0 for an empty table).
    pub facts: usize,
    /// The unit the table states.
    pub unit: Unit,
    /// Numbers printed in the table: all, stored as facts, skipped with a reason, unread.
    pub numbers: usize,
    pub stored: usize,
    pub skipped: usize,
    pub unread: usize,
}

/// A change the parser made to what was printed (a code rebuilt from its parents, a
/// leading zero restored). Reported by the checks, never silent.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub src_line: u32,
    pub printed: String,
    pub repaired: String,
    pub reason: String,
}

/// Document-level metadata, all of it read from the document itself.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentMeta {
    /// Title as printed (first heading naming the budget).
    pub title: String,
    pub fiscal_year: i32,
    pub phase: Phase,
    /// Issuing government, e.g. 万源市.
    pub region: String,
    /// Province, city, county and division code, where the division catalog places the
    /// issuer.
    pub place: Option<crate::catalog::division::Place>,
    /// Department or unit, e.g. 万源市社会保险事业管理局.
    pub org_name: String,
    /// 单位代码 of the department, where printed.
    pub org_code: Option<String>,
    /// Units the document covers (本部 and subordinate units), as printed.
    pub units: Vec<String>,
    /// Where each field was read from.
    pub sources: MetaSources,
}

/// Where a metadata field came from, most trusted first. Stored in `documents` as
/// `<field>_source`, so a user can see which fields were found and which were guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MetaSource {
    /// Given on the command line (`--org`, `--year`, `--phase`, `--region`).
    Flag,
    /// A heading or a table title naming the budget ("XX局2021年部门预算").
    Title,
    /// The first lines of the document (a cover printed over several lines).
    Cover,
    /// A labelled line of the tables: 部门名称：, 单位名称：, 编制单位：, 部门（单位）：.
    TableLabel,
    /// A sentence of the prose.
    Prose,
    /// The file name.
    FileName,
    /// Derived from another field (the region from the organisation's name).
    Derived,
    /// Not found: the field is empty or a stand-in.
    #[default]
    Missing,
}

impl MetaSource {
    pub fn as_str(self) -> &'static str {
        match self {
            MetaSource::Flag => "flag",
            MetaSource::Title => "title",
            MetaSource::Cover => "cover",
            MetaSource::TableLabel => "table_label",
            MetaSource::Prose => "prose",
            MetaSource::FileName => "file_name",
            MetaSource::Derived => "derived",
            MetaSource::Missing => "missing",
        }
    }
}

/// Where each metadata field of a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaSources {
    pub fiscal_year: MetaSource,
    pub phase: MetaSource,
    pub org_name: MetaSource,
    pub region: MetaSource,
}

/// Metadata given by the user, overriding what the document says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaOverrides {
    pub org_name: Option<String>,
    pub fiscal_year: Option<i32>,
    pub phase: Option<Phase>,
    pub region: Option<String>,
}

impl MetaOverrides {
    pub fn is_empty(&self) -> bool {
        *self == MetaOverrides::default()
    }
}

/// Whether the parser read a document whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoverageStatus {
    /// Every standard table the document should print was found and recognised, and
    /// every number inside its tables was stored or deliberately skipped.
    Complete,
    /// Something was missed: the reasons say what.
    #[default]
    Partial,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Complete => "complete",
            CoverageStatus::Partial => "partial",
        }
    }
}

/// A number printed inside a table that the parser did not store and had no reason to
/// skip: a misread, shown to the user with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadNumber {
    pub src_line: u32,
    /// As printed.
    pub text: String,
}

/// What the parser read of a document, measured by the parser itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coverage {
    /// `tables` when the document prints tables, `narrative` when it is prose only (a
    /// 情况说明 published apart from its tables).
    pub content: String,
    /// Standard tables a document of its kind carries (statement ids).
    pub expected: Vec<&'static str>,
    /// Expected tables not found.
    pub missing: Vec<&'static str>,
    /// Table regions that print numbers but that no alias or header shape names:
    /// (first line, last line, title).
    pub unrecognised: Vec<(u32, u32, String)>,
    /// Numbers printed inside recognised tables.
    pub numbers: usize,
    /// ... stored as facts.
    pub stored: usize,
    /// ... deliberately skipped, counted by reason (行次, 栏次, percentages, years…).
    pub skipped: Vec<(&'static str, usize)>,
    /// ... neither: each with its line.
    pub unread: Vec<UnreadNumber>,
    /// Lines outside every table that print rows of numbers (two or more amounts).
    pub outside_rows: Vec<u32>,
    pub status: CoverageStatus,
    /// Why the status is `partial`, most important first.
    pub reasons: Vec<String>,
}

impl Coverage {
    pub fn skipped_total(&self) -> usize {
        self.skipped.iter().map(|(_, n)| n).sum()
    }
}

/// Everything read from one document.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDocument {
    pub meta: DocumentMeta,
    pub tables: Vec<TableInfo>,
    pub facts: Vec<Fact>,
    pub narrative: Vec<NarrativeFigure>,
    pub targets: Vec<Target>,
    pub repairs: Vec<Repair>,
    /// What was read and what was missed.
    pub coverage: Coverage,
}

/// A document that cannot be read, with the file and (where it applies) the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub path: PathBuf,
    /// 1-based line, where the problem is at a line.
    pub line: Option<u32>,
    pub message: String,
}

impl ParseError {
    pub fn new(path: &Path, line: Option<u32>, message: impl Into<String>) -> Self {
        ParseError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ParseError {}
