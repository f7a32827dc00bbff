//! The REPL's one rustyline [`Helper`]: validation, highlighting, hints and completion.
//!
//! - Validation: a statement is submitted at `;` (a meta command at Enter); SQL that does not
//!   parse is refused before it runs, with the parser's message and a caret under the spot.
//! - Highlighting: keywords, strings, numbers, comments and `$parameters` (off when output
//!   is not a terminal or `NO_COLOR` is set).
//! - Hints: the most recent history entry starting with what is typed.
//! - Completion: keywords, table and view names, column names of the tables in the
//!   statement (and behind aliases), function names (built-in and ours), meta commands and
//!   their arguments, and file paths inside quotes.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use datafusion::execution::context::SessionContext;
use datafusion::sql::parser::DFParser;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use unicode_width::UnicodeWidthStr;

use super::command::COMMANDS;
use super::lex::{self, Kind};
use super::script;

/// Keywords offered by completion (the full list would drown the useful ones).
const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "LEFT JOIN",
    "RIGHT JOIN",
    "FULL JOIN",
    "INNER JOIN",
    "CROSS JOIN",
    "ON",
    "USING",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DISTINCT",
    "UNION",
    "UNION ALL",
    "INTERSECT",
    "EXCEPT",
    "WITH",
    "OVER",
    "PARTITION BY",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "CAST",
    "TRY_CAST",
    "TRUE",
    "FALSE",
    "EXISTS",
    "CREATE",
    "CREATE VIEW",
    "CREATE TABLE",
    "CREATE EXTERNAL TABLE",
    "OR REPLACE",
    "DROP",
    "VIEW",
    "TABLE",
    "INSERT INTO",
    "VALUES",
    "COPY",
    "TO",
    "STORED AS",
    "PARQUET",
    "CSV",
    "JSON",
    "OPTIONS",
    "PARTITIONED BY",
    "EXPLAIN",
    "ANALYZE",
    "DESCRIBE",
    "SHOW",
    "SHOW TABLES",
    "SHOW COLUMNS",
    "SET",
    "DECIMAL",
    "VARCHAR",
    "INT",
    "BIGINT",
    "FILTER",
    "ROLLUP",
    "CUBE",
    "GROUPING SETS",
    "QUALIFY",
    "INTERVAL",
];

/// Names the completer knows, refreshed after statements that may change them.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Tables and views as they are queried (`facts`, `lake.facts`).
    pub relations: BTreeSet<String>,
    /// Schemas other than the default one (`lake`, `information_schema`).
    pub schemas: BTreeSet<String>,
    /// Columns by relation name (lower case; both `facts` and `lake.facts` forms).
    pub columns: BTreeMap<String, Vec<String>>,
    /// Scalar, aggregate, window and table function names.
    pub functions: BTreeSet<String>,
}

impl Names {
    /// Reads the names from `ctx`.
    pub async fn load(ctx: &SessionContext) -> Names {
        let mut names = Names::default();
        let state = ctx.state();
        let options = state.config().options();
        let default_schema = options.catalog.default_schema.clone();
        if let Some(catalog) = ctx.catalog(&options.catalog.default_catalog) {
            for schema_name in catalog.schema_names() {
                let Some(schema) = catalog.schema(&schema_name) else {
                    continue;
                };
                if schema_name != default_schema {
                    names.schemas.insert(schema_name.clone());
                }
                let skip_columns = schema_name == "information_schema";
                for table in schema.table_names() {
                    let name = if schema_name == default_schema {
                        table.clone()
                    } else {
                        format!("{schema_name}.{table}")
                    };
                    if !skip_columns && let Ok(Some(provider)) = schema.table(&table).await {
                        let cols: Vec<String> = provider
                            .schema()
                            .fields()
                            .iter()
                            .map(|f| f.name().clone())
                            .collect();
                        names.columns.insert(name.to_lowercase(), cols);
                    }
                    names.relations.insert(name);
                }
            }
        }
        names
            .functions
            .extend(state.scalar_functions().keys().cloned());
        names
            .functions
            .extend(state.aggregate_functions().keys().cloned());
        names
            .functions
            .extend(state.window_functions().keys().cloned());
        names
            .functions
            .extend(state.table_functions().keys().cloned());
        names
    }
}

/// The REPL's helper.
pub struct ShellHelper {
    pub names: Names,
    color: bool,
    hinter: HistoryHinter,
    files: FilenameCompleter,
}

impl ShellHelper {
    pub fn new(names: Names, color: bool) -> Self {
        Self {
            names,
            color,
            hinter: HistoryHinter::new(),
            files: FilenameCompleter::new(),
        }
    }

    /// Meta command names and their argument completions.
    fn complete_command(&self, line: &str, pos: usize) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let lead = before.len() - before.trim_start().len();
        let Some(space) = before[lead..].find(char::is_whitespace).map(|i| i + lead) else {
            let prefix = &before[lead..];
            let pairs = COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(prefix))
                .map(|c| Pair {
                    display: format!("{:<10} {}", c.name, c.help),
                    replacement: c.name.to_string(),
                })
                .collect();
            return Ok((lead, pairs));
        };
        let command = &before[lead..space];
        let word_start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let prefix = &before[word_start..];
        let words: Vec<String> = match command {
            "\\i" | "\\o" => return self.files.complete_path(line, pos),
            "\\d" => self.names.relations.iter().cloned().collect(),
            "\\df" => self
                .names
                .functions
                .iter()
                .filter(|f| super::describe::is_ours(f))
                .cloned()
                .collect(),
            "\\format" => ["table", "csv", "json", "ndjson", "markdown"]
                .map(String::from)
                .to_vec(),
            "\\unit" => ["yuan", "wan"].map(String::from).to_vec(),
            "\\timing" => ["on", "off"].map(String::from).to_vec(),
            _ => Vec::new(),
        };
        Ok((word_start, pairs_for(prefix, words)))
    }

    /// SQL completion: the word under the cursor against what fits there.
    fn complete_sql(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
            .last()
            .map_or(pos, |(i, _)| i);
        let word = &before[start..];
        let referenced = referenced_relations(line);

        if let Some((qualifier, _)) = word.rsplit_once('.') {
            let q = qualifier.to_lowercase();
            let mut words = Vec::new();
            if self.names.schemas.contains(&q) {
                words.extend(
                    self.names
                        .relations
                        .iter()
                        .filter(|r| r.to_lowercase().starts_with(&format!("{q}.")))
                        .cloned(),
                );
            }
            // `alias.col` or `table.col`.
            let target = referenced
                .iter()
                .find(|(name, alias)| alias.as_deref() == Some(q.as_str()) || *name == q)
                .map(|(name, _)| name.clone())
                .unwrap_or(q);
            if let Some(cols) = self.names.columns.get(&target) {
                words.extend(cols.iter().map(|c| format!("{qualifier}.{c}")));
            }
            return (start, pairs_for(word, words));
        }

        let previous = previous_word(&line[..start]).to_ascii_uppercase();
        let wants_relation = matches!(
            previous.as_str(),
            "FROM" | "JOIN" | "INTO" | "TABLE" | "VIEW" | "DESCRIBE" | "UPDATE"
        );
        let mut words: Vec<String> = Vec::new();
        if wants_relation {
            words.extend(self.names.relations.iter().cloned());
            words.extend(self.names.schemas.iter().map(|s| format!("{s}.")));
            words.extend(
                self.names
                    .functions
                    .iter()
                    .filter(|f| is_table_function(f))
                    .cloned(),
            );
        } else {
            for (name, _) in &referenced {
                if let Some(cols) = self.names.columns.get(name) {
                    words.extend(cols.iter().cloned());
                }
            }
            words.extend(self.names.functions.iter().cloned());
            words.extend(self.names.relations.iter().cloned());
        }
        let upper = word.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        words.extend(KEYWORDS.iter().map(|k| {
            if upper {
                (*k).to_string()
            } else {
                k.to_ascii_lowercase()
            }
        }));
        (start, pairs_for(word, words))
    }
}

fn is_table_function(name: &str) -> bool {
    matches!(name, "range" | "generate_series" | "read_disclosure")
}

/// Candidates starting with `prefix` (case-insensitively), deduplicated, in order.
fn pairs_for(prefix: &str, words: Vec<String>) -> Vec<Pair> {
    let lower = prefix.to_lowercase();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for w in words {
        if w.to_lowercase().starts_with(&lower) && w != prefix && seen.insert(w.clone()) {
            out.push(Pair {
                display: w.clone(),
                replacement: w,
            });
        }
    }
    out
}

/// The last word before `text`'s end, skipping white space and comments.
fn previous_word(text: &str) -> &str {
    lex::tokens(text)
        .into_iter()
        .rev()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment))
        .filter(|t| t.kind == Kind::Word)
        .map_or("", |t| t.text(text))
}

/// Relations named after FROM / JOIN in `sql`, lower case, with their aliases.
pub fn referenced_relations(sql: &str) -> Vec<(String, Option<String>)> {
    let toks: Vec<_> = lex::tokens(sql)
        .into_iter()
        .filter(|t| !matches!(t.kind, Kind::Space | Kind::Comment))
        .collect();
    let text = |i: usize| toks.get(i).map(|t| t.text(sql).to_string());
    let mut out = Vec::new();
    // After a relation, a comma continues the FROM list; any other token ends it.
    let mut in_list = false;
    let mut i = 0;
    while i < toks.len() {
        let word = text(i).unwrap_or_default().to_ascii_uppercase();
        let starts = word == "FROM" || word == "JOIN" || (word == "," && in_list);
        if starts && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Word) {
            let mut name = text(i + 1).unwrap_or_default();
            let mut j = i + 2;
            while text(j).as_deref() == Some(".")
                && toks.get(j + 1).is_some_and(|t| t.kind == Kind::Word)
            {
                name.push('.');
                name.push_str(&text(j + 1).unwrap_or_default());
                j += 2;
            }
            if text(j).is_some_and(|w| w.eq_ignore_ascii_case("AS")) {
                j += 1;
            }
            let mut alias = None;
            if let Some(t) = toks.get(j) {
                let w = t.text(sql);
                if t.kind == Kind::Word && !lex::is_keyword(w) {
                    alias = Some(w.to_lowercase());
                    j += 1;
                }
            }
            out.push((name.to_lowercase(), alias));
            in_list = true;
            i = j;
            continue;
        }
        in_list = false;
        i += 1;
    }
    out
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if line.trim_start().starts_with('\\') {
            return self.complete_command(line, pos);
        }
        if in_string(&line[..pos]) {
            return self.files.complete_path(line, pos);
        }
        Ok(self.complete_sql(line, pos))
    }
}

/// Whether `text` ends inside a string literal.
fn in_string(text: &str) -> bool {
    lex::tokens(text).last().is_some_and(|t| {
        let s = t.text(text);
        t.kind == Kind::String && (s.len() == 1 || !s.ends_with('\''))
    })
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

/// ANSI colours of the highlighter.
const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[2m";
const PARAM: &str = "\x1b[35m";
const RESET: &str = "\x1b[0m";

/// `line` with ANSI colours.
pub fn highlight_sql(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    for t in lex::tokens(line) {
        let text = t.text(line);
        let colour = match t.kind {
            Kind::Word if lex::is_keyword(text) => Some(KEYWORD),
            Kind::String => Some(STRING),
            Kind::Number => Some(NUMBER),
            Kind::Comment => Some(COMMENT),
            Kind::Placeholder => Some(PARAM),
            _ => None,
        };
        match colour {
            Some(c) => {
                out.push_str(c);
                out.push_str(text);
                out.push_str(RESET);
            }
            None => out.push_str(text),
        }
    }
    out
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color || line.trim_start().starts_with('\\') {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight_sql(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.color {
            return Cow::Borrowed(hint);
        }
        Cow::Owned(format!("{COMMENT}{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// Whether the input is complete: a meta command, or SQL whose last token is `;`.
pub fn is_complete(input: &str) -> bool {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.starts_with('\\') {
        return true;
    }
    if matches!(trimmed, "quit" | "exit") {
        return true;
    }
    lex::tokens(input)
        .into_iter()
        .rev()
        .find(|t| !matches!(t.kind, Kind::Space | Kind::Comment))
        .is_some_and(|t| t.text(input) == ";")
}

/// Parses every statement of `input`; the first parser error, with the line in question
/// and a caret under the position.
pub fn parse_error(input: &str) -> Option<String> {
    for statement in script::split(input) {
        if let Err(e) = DFParser::parse_sql_with_dialect(&statement.text, &GenericDialect {}) {
            let message = e.to_string();
            let Some((line, column)) = super::exec::error_position(&message) else {
                return Some(format!("\n{message}"));
            };
            let absolute = statement.line + line.saturating_sub(1);
            let text = input.lines().nth(absolute - 1).unwrap_or("");
            // The column counts characters of the statement's line; a statement that
            // starts mid-line is rare in the REPL and lands the caret near enough.
            let prefix: String = text.chars().take(column.saturating_sub(1)).collect();
            let caret = " ".repeat(prefix.width());
            return Some(format!("\n{text}\n{caret}^\n{message}"));
        }
    }
    None
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if !is_complete(input) {
            return Ok(ValidationResult::Incomplete);
        }
        let trimmed = input.trim();
        if trimmed.starts_with('\\') || matches!(trimmed, "quit" | "exit") {
            return Ok(ValidationResult::Valid(None));
        }
        match parse_error(input) {
            Some(message) => Ok(ValidationResult::Invalid(Some(message))),
            None => Ok(ValidationResult::Valid(None)),
        }
    }
}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ShellHelper {
        let mut names = Names::default();
        for r in ["expenditure", "facts", "func_class", "lake.facts"] {
            names.relations.insert(r.into());
        }
        names.schemas.insert("lake".into());
        names.columns.insert(
            "expenditure".into(),
            vec!["func_code".into(), "total".into()],
        );
        names
            .columns
            .insert("func_class".into(), vec!["code".into(), "name".into()]);
        names.functions.insert("func_rollup".into());
        names.functions.insert("sum".into());
        ShellHelper::new(names, false)
    }

    fn complete(line: &str) -> Vec<String> {
        let h = helper();
        let (start, pairs) = h.complete_sql(line, line.len());
        pairs
            .into_iter()
            .map(|p| format!("{}{}", &line[..start], p.replacement))
            .collect()
    }

    #[test]
    fn completes_tables_columns_aliases_and_functions() {
        assert_eq!(
            complete("SELECT * FROM expen"),
            vec!["SELECT * FROM expenditure"]
        );
        assert_eq!(
            complete("SELECT * FROM lake.fa"),
            vec!["SELECT * FROM lake.facts"]
        );
        assert!(complete("SELECT tot FROM expenditure").is_empty()); // cursor at the end
        assert_eq!(
            complete("SELECT e.func_code, f.na"),
            Vec::<String>::new(),
            "no FROM yet"
        );
        let h = helper();
        let line = "SELECT f.na FROM expenditure e JOIN func_class f ON f.code = e.func_code";
        let (start, pairs) = h.complete_sql(line, "SELECT f.na".len());
        assert_eq!(start, 7);
        assert_eq!(pairs[0].replacement, "f.name");
        let line = "SELECT tot FROM expenditure";
        let (_, pairs) = h.complete_sql(line, "SELECT tot".len());
        assert_eq!(pairs[0].replacement, "total");
        assert_eq!(complete("SELECT func_ro"), vec!["SELECT func_rollup"]);
        assert!(complete("sel").contains(&"select".to_string()));
        assert!(complete("SEL").contains(&"SELECT".to_string()));
    }

    #[test]
    fn completes_meta_commands() {
        let h = helper();
        let (start, pairs) = h.complete_command("\\for", 4).unwrap();
        assert_eq!(start, 0);
        assert_eq!(pairs[0].replacement, "\\format");
        let (start, pairs) = h.complete_command("\\d exp", 6).unwrap();
        assert_eq!(start, 3);
        assert_eq!(pairs[0].replacement, "expenditure");
        let (_, pairs) = h.complete_command("\\unit w", 7).unwrap();
        assert_eq!(pairs[0].replacement, "wan");
    }

    #[test]
    fn statements_end_at_semicolons() {
        assert!(!is_complete("SELECT 1"));
        assert!(!is_complete("SELECT ';'"));
        assert!(is_complete("SELECT 1; -- done"));
        assert!(is_complete("\\d"));
        assert!(is_complete("SELECT '含;'\n FROM t;"));
    }

    #[test]
    fn parse_errors_point_at_the_spot() {
        assert_eq!(parse_error("SELECT 1;"), None);
        let e = parse_error("SELECT 1;\nSELECT 名称 FROM t WHERE 'x' 'y';").unwrap();
        // The second statement's line, with the caret under the unexpected 'y' after the
        // two-column-wide 名称 characters.
        assert!(
            e.starts_with("\nSELECT 名称 FROM t WHERE 'x' 'y';\n"),
            "{e}"
        );
        let caret_line = e.lines().nth(2).unwrap();
        assert_eq!(caret_line, format!("{}^", " ".repeat(29)), "{e}");
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "SELECT '万源' -- x";
        let h = highlight_sql(line);
        assert!(h.contains("\x1b[1;34mSELECT\x1b[0m"));
        let plain: String = {
            let mut s = String::new();
            let mut esc = false;
            for c in h.chars() {
                if c == '\x1b' {
                    esc = true;
                } else if esc {
                    if c == 'm' {
                        esc = false;
                    }
                } else {
                    s.push(c);
                }
            }
            s
        };
        assert_eq!(plain, line);
    }

    #[test]
    fn relations_and_aliases() {
        let r = referenced_relations(
            "SELECT * FROM lake.facts f, expenditure JOIN func_class AS c ON 1=1, x",
        );
        assert_eq!(
            r,
            vec![
                ("lake.facts".into(), Some("f".into())),
                ("expenditure".into(), None),
                ("func_class".into(), Some("c".into())),
            ]
        );
    }
}
