//! What the shell says about the lake: tables and views with one-line descriptions
//! (`\d`), a table's columns with their types and meaning (`\d NAME`), and yusuan's
//! functions with description, syntax and example (`\df`).
//!
//! View descriptions come from the comment that introduces each view in `sql/views/*.sql`
//! (`-- expenditure: the 部门支出总表 leaves …`); column meanings follow the v1 contract.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::TableProvider;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::context::SessionContext;

use super::print_format::short_type;
use crate::session::{LAKE_SCHEMA, VIEWS};

/// Descriptions of relations whose SQL comment is missing or shared with others.
const BUILTIN: &[(&str, &str)] = &[
    (
        "facts",
        "one published amount per row, every table of every document",
    ),
    (
        "documents",
        "one row per ingested document: path, title, year, phase, region, unit, tables found",
    ),
    (
        "narrative",
        "money figures stated in the prose (说明), in 元, with the text as printed",
    ),
    (
        "targets",
        "绩效目标 indicators: project, level 1 and 2, indicator, target",
    ),
    (
        "findings",
        "reconciliation findings: rule, severity, message, expected vs actual, line",
    ),
    (
        "func_class",
        "支出功能分类科目: code, name, level (类/款/项), parent, years, source",
    ),
    (
        "econ_class",
        "部门预算支出经济分类科目: code, name, level (类/款), parent, years, source",
    ),
];

/// What each column means (the v1 contract and the views).
const COLUMNS: &[(&str, &str)] = &[
    (
        "doc_id",
        "first 16 hex digits of the SHA-256 of the source document",
    ),
    ("fiscal_year", "budget year, e.g. 2021"),
    ("phase", "budget (预算) or final (决算)"),
    ("region", "issuing government as printed, e.g. 万源市"),
    (
        "province",
        "province-level division from the division catalog, e.g. 广东省, 北京市",
    ),
    (
        "city",
        "prefecture-level city (a municipality: itself), e.g. 深圳市",
    ),
    (
        "county",
        "county-level division where the issuer names one, e.g. 普陀区",
    ),
    (
        "admin_code",
        "6-digit division code of the most specific place, e.g. 440300",
    ),
    (
        "org_name",
        "department or unit, e.g. 万源市社会保险事业管理局",
    ),
    ("org_code", "单位代码 where printed, e.g. 203101"),
    (
        "statement",
        "which published table: summary, expenditure_by_func, gpb_basic_by_econ, …",
    ),
    ("direction", "income or expenditure"),
    (
        "func_code",
        "支出功能分类 code, 3/5/7 digits (类/款/项), e.g. 2080109",
    ),
    (
        "econ_code",
        "部门预算支出经济分类 code, 3/5 digits (类/款), e.g. 30101",
    ),
    (
        "fund",
        "source of funds: general_budget, gov_fund, soe_capital, business, …",
    ),
    (
        "measure",
        "what the column measures: total, basic, project, personnel, public_use, …",
    ),
    (
        "measure_label",
        "the column label as printed, e.g. 合计, 基本支出",
    ),
    (
        "period",
        "current, or prior for last year's figures printed in this document",
    ),
    ("item", "row label as printed, e.g. 公务接待费"),
    (
        "is_total",
        "the row is a subtotal or total of other rows: never add it to them",
    ),
    ("amount", "amount in 元, exact"),
    ("unit", "unit it was printed in: 元 or 万元"),
    ("src_line", "1-based line in the source document"),
    ("total", "合计 in 元"),
    ("basic", "基本支出 in 元"),
    (
        "project",
        "项目支出 in 元 (in projects: the project's name)",
    ),
    ("personnel", "人员经费 in 元"),
    ("public_use", "公用经费 in 元"),
    ("budget", "this year's budget in 元"),
    (
        "prior_budget",
        "last year's budget (上年预算数) in 元, where printed",
    ),
    ("path", "the document's file path when ingested"),
    ("title", "the document's title"),
    ("units", "units the document prints amounts in"),
    ("tables_found", "the published tables recognised"),
    ("table_count", "number of tables recognised"),
    ("fact_count", "number of facts stored"),
    ("finding_count", "number of findings"),
    ("source_bytes", "size of the source document in bytes"),
    ("ingested_at", "when the document was ingested (UTC)"),
    ("label", "what the figure is, as the prose names it"),
    ("as_printed", "the figure as printed, e.g. 316.29 万元"),
    ("context", "the sentence around the figure"),
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("indicator", "三级指标"),
    ("target", "指标值 as printed"),
    ("rule", "the check that found it"),
    ("severity", "error, warning or info"),
    ("message", "what is wrong (Chinese)"),
    ("message_en", "what is wrong (English)"),
    ("expected", "the amount the rule expected, in 元"),
    ("actual", "the amount printed, in 元"),
    ("lines", "all source lines involved"),
    ("code", "classification code"),
    ("name", "name in the catalog"),
    ("level", "1 = 类, 2 = 款, 3 = 项"),
    ("parent", "the code one level up"),
    ("from_year", "first year the name applies (NULL: any)"),
    ("to_year", "last year the name applies (NULL: any)"),
    (
        "source",
        "reference (shipped catalog) or document (observed)",
    ),
    (
        "confidence",
        "how sure the catalog entry is: observed, template, corroborated, unverified",
    ),
];

/// The meaning of a column, by name.
pub fn column_meaning(column: &str) -> Option<&'static str> {
    COLUMNS.iter().find(|(c, _)| *c == column).map(|(_, m)| *m)
}

/// The first sentence of a comment block.
fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = text
        .char_indices()
        .find(|(i, c)| {
            (*c == '.' && text[i + 1..].starts_with(' '))
                || *c == '。'
                || (*c == '.' && i + 1 == text.len())
        })
        .map_or(text.len(), |(i, _)| i);
    text[..cut].trim().to_string()
}

/// View descriptions parsed from the `sql/views` comments: `(view, description)`.
pub fn view_comments() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, sql) in VIEWS {
        let mut block: Vec<String> = Vec::new();
        for line in sql.lines() {
            let trimmed = line.trim();
            if let Some(comment) = trimmed.strip_prefix("--") {
                block.push(comment.trim().to_string());
                continue;
            }
            let upper = trimmed.to_ascii_uppercase();
            let rest = upper
                .strip_prefix("CREATE VIEW ")
                .or_else(|| upper.strip_prefix("CREATE OR REPLACE VIEW "));
            if let Some(rest) = rest {
                let start = trimmed.len() - rest.len();
                let name: String = trimmed[start..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let joined = block.join(" ");
                if let Some((names, description)) = joined.split_once(':') {
                    let named = names.split(',').any(|n| n.trim() == name);
                    if named && names.split(',').count() == 1 {
                        out.push((name.clone(), first_sentence(description)));
                    }
                }
            }
            if !trimmed.is_empty() {
                block.clear();
            }
        }
    }
    out
}

/// The one-line description of a relation (`facts`, `lake.facts`, `func_class`, …).
pub fn description(name: &str) -> Option<String> {
    if let Some(table) = name.strip_prefix("lake.") {
        return Some(format!(
            "raw lake table: the Parquet files of LAKE/{table}/ (query the view {table})"
        ));
    }
    if let Some((_, d)) = view_comments().into_iter().find(|(v, _)| v == name) {
        return Some(d);
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| (*d).to_string())
}

/// A table or view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// As it is queried: `facts`, `lake.facts`.
    pub name: String,
    pub kind: &'static str,
    pub description: String,
}

/// Every table and view except the information schema, the default schema first.
pub async fn relations(ctx: &SessionContext) -> Result<Vec<Relation>> {
    let mut out = Vec::new();
    let state = ctx.state();
    let default_catalog = state.config().options().catalog.default_catalog.clone();
    let default_schema = state.config().options().catalog.default_schema.clone();
    let catalog = ctx
        .catalog(&default_catalog)
        .ok_or_else(|| DataFusionError::Plan("the default catalog is missing".into()))?;
    let mut schemas = catalog.schema_names();
    schemas.sort_by_key(|s| (*s != default_schema, *s != LAKE_SCHEMA, s.clone()));
    for schema_name in schemas {
        if schema_name == "information_schema" {
            continue;
        }
        let Some(schema) = catalog.schema(&schema_name) else {
            continue;
        };
        let mut tables = schema.table_names();
        tables.sort();
        for table in tables {
            let kind = match schema.table(&table).await? {
                Some(t) => kind_name(t.as_ref()),
                None => continue,
            };
            let name = if schema_name == default_schema {
                table.clone()
            } else {
                format!("{schema_name}.{table}")
            };
            let description = description(&name).unwrap_or_default();
            out.push(Relation {
                name,
                kind,
                description,
            });
        }
    }
    Ok(out)
}

fn kind_name(t: &dyn TableProvider) -> &'static str {
    match t.table_type() {
        TableType::View => "view",
        TableType::Temporary => "temporary",
        TableType::Base => "table",
    }
}

/// `\d`: the relations as a result batch (name, kind, description).
pub async fn relations_batch(ctx: &SessionContext) -> Result<RecordBatch> {
    let rels = relations(ctx).await?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("name", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, false),
    ]));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(rels.iter().map(|r| &r.name))),
            Arc::new(StringArray::from_iter_values(rels.iter().map(|r| r.kind))),
            Arc::new(StringArray::from_iter_values(
                rels.iter().map(|r| &r.description),
            )),
        ],
    )?)
}

/// `\d NAME`: the relation's description and its columns (column, type, null, meaning).
pub async fn columns_batch(ctx: &SessionContext, name: &str) -> Result<(String, RecordBatch)> {
    let provider = ctx.table_provider(name).await.map_err(|_| {
        DataFusionError::Plan(format!("no table or view named {name}; \\d lists them"))
    })?;
    let schema = provider.schema();
    let description = description(name).unwrap_or_default();
    let out = Arc::new(Schema::new(vec![
        Field::new("column", DataType::Utf8, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("null", DataType::Utf8, false),
        Field::new("meaning", DataType::Utf8, false),
    ]));
    let fields = schema.fields();
    let batch = RecordBatch::try_new(
        out,
        vec![
            Arc::new(StringArray::from_iter_values(
                fields.iter().map(|f| f.name()),
            )),
            Arc::new(StringArray::from_iter_values(
                fields.iter().map(|f| short_type(f.data_type())),
            )),
            Arc::new(StringArray::from_iter_values(
                fields
                    .iter()
                    .map(|f| if f.is_nullable() { "yes" } else { "no" }),
            )),
            Arc::new(StringArray::from_iter_values(
                fields
                    .iter()
                    .map(|f| column_meaning(f.name()).unwrap_or("")),
            )),
        ],
    )?;
    let kind = kind_name(provider.as_ref());
    let heading = if description.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {name}: {description}")
    };
    Ok((heading, batch))
}

/// A documented function of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDoc {
    pub name: String,
    pub description: String,
    pub syntax: String,
    pub arguments: Vec<(String, String)>,
    pub example: Option<String>,
}

/// Whether a function is one of yusuan's budget functions.
pub fn is_ours(name: &str) -> bool {
    ["func_", "econ_", "to_wan", "to_yuan"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "read_disclosure"
}

/// Whether `name` matches a `\df` pattern: a substring, or a glob with `*` and `?`.
pub fn matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return name.contains(pattern);
    }
    fn glob(p: &[char], s: &[char]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some('*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
            (Some('?'), Some(_)) => glob(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    glob(&p, &s)
}

/// Our functions registered on `ctx`, matching `pattern`, by name.
pub fn functions(ctx: &SessionContext, pattern: Option<&str>) -> Vec<FunctionDoc> {
    let state = ctx.state();
    let mut out: Vec<FunctionDoc> = Vec::new();
    for udf in state.scalar_functions().values() {
        let name = udf.name().to_string();
        if !is_ours(&name) || out.iter().any(|f| f.name == name) {
            continue;
        }
        let doc = udf.documentation();
        out.push(FunctionDoc {
            name: name.clone(),
            description: doc.map(|d| d.description.clone()).unwrap_or_default(),
            syntax: doc
                .map(|d| d.syntax_example.clone())
                .unwrap_or_else(|| format!("{name}(…)")),
            arguments: doc.and_then(|d| d.arguments.clone()).unwrap_or_default(),
            example: doc.and_then(|d| d.sql_example.clone()),
        });
    }
    if state.table_functions().contains_key("read_disclosure") {
        out.push(FunctionDoc {
            name: "read_disclosure".into(),
            description:
                "A document's facts, parsed on the fly without ingesting it (a table function)."
                    .into(),
            syntax: "read_disclosure(path)".into(),
            arguments: vec![(
                "path".into(),
                "a document: .txt, .md, layout text or .pdf".into(),
            )],
            example: Some(
                "SELECT statement, count(*) FROM read_disclosure('data/docs/x.txt') GROUP BY 1"
                    .into(),
            ),
        });
    }
    out.retain(|f| pattern.is_none_or(|p| matches(p, &f.name)));
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The text `\df` prints for one function.
pub fn render_function(f: &FunctionDoc) -> String {
    let mut s = format!(
        "{}\n  {}\n  Syntax:  {}\n",
        f.name,
        f.description.trim(),
        f.syntax
    );
    for (arg, meaning) in &f.arguments {
        s.push_str(&format!("    {arg}: {meaning}\n"));
    }
    if let Some(example) = &f.example {
        s.push_str("  Example:\n");
        for line in example.trim().lines() {
            s.push_str(&format!("    {line}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_view_has_a_description() {
        for view in [
            "facts",
            "documents",
            "narrative",
            "targets",
            "findings",
            "expenditure",
            "basic_by_econ",
            "projects",
            "three_public",
            "func_class",
            "econ_class",
            "lake.facts",
        ] {
            let d = description(view).unwrap_or_default();
            assert!(!d.is_empty(), "{view} has no description");
            assert!(!d.contains('\n'), "{view}: {d}");
        }
        assert!(description("expenditure").unwrap().contains("部门支出总表"));
    }

    #[test]
    fn patterns() {
        assert!(matches("func", "func_rollup"));
        assert!(matches("func_*", "func_rollup"));
        assert!(matches("*_name", "econ_name"));
        assert!(!matches("econ_*", "func_name"));
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("a b. c d."), "a b");
        assert_eq!(first_sentence("one (x.y) line"), "one (x.y) line");
    }
}
