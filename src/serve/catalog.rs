//! Catalog answers `datafusion-postgres` does not give the way clients need them.
//!
//! `to_regtype(name)`: the oid of a type name, NULL when there is no such type; psycopg's
//! `TypeInfo.fetch` (which SQLAlchemy's psycopg dialect calls on connect, for `hstore`)
//! asks for it. Built-in type names resolve; extension types (hstore) are NULL, as on a
//! PostgreSQL server without the extension.
//!
//! `pg_get_serial_sequence(table, column)`: NULL (no sequences), and
//! `pg_collation_is_visible(oid)`, `pg_type_is_visible(oid)`: true; SQLAlchemy's column
//! reflection (1.4 in Superset, 2.x) calls them.
//!
//! `json_build_object(k, v, …)`: JSON text; the same reflection builds identity and
//! collation details with it.
//!
//! `LIKE … ESCAPE 'c'` with another escape character than the backslash, and correlated
//! scalar subqueries in catalog queries, which DataFusion runs only aggregated
//! ([`rewrite`]).
//!
//! `version()`: drivers parse PostgreSQL's version string (SQLAlchemy's PostgreSQL
//! dialect, which Superset uses, refuses to connect unless it reads `PostgreSQL N.N`);
//! DataFusion's says `Apache DataFusion …`. Here it names the PostgreSQL version the server
//! speaks, then yusuan and DataFusion.

use crate::export::dictionary::json_string;
use std::ops::ControlFlow;
use std::sync::LazyLock;

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    GroupByExpr, Ident, ObjectName, SelectItem, SetExpr, Statement, Value, visit_expressions_mut,
};
use datafusion_postgres::datafusion_pg_catalog::sql::PostgresCompatibilityParser;

/// The PostgreSQL version the server reports (`server_version`, `version()`).
pub const PG_VERSION: &str = "16.6";

static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "PostgreSQL {PG_VERSION} (yusuan {}, Apache DataFusion {}) on {}-{}",
        env!("CARGO_PKG_VERSION"),
        datafusion::DATAFUSION_VERSION,
        std::env::consts::ARCH,
        std::env::consts::OS
    )
});

#[derive(Debug, PartialEq, Eq, Hash)]
struct Version {
    signature: Signature,
}

impl ScalarUDFImpl for Version {
    fn name(&self) -> &str {
        "version"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(
            VERSION.clone(),
        ))))
    }
}

/// Built-in PostgreSQL type names and their oids.
const TYPE_OIDS: &[(&str, i32)] = &[
    ("bool", 16),
    ("boolean", 16),
    ("bytea", 17),
    ("int8", 20),
    ("bigint", 20),
    ("int2", 21),
    ("smallint", 21),
    ("int4", 23),
    ("integer", 23),
    ("int", 23),
    ("text", 25),
    ("oid", 26),
    ("json", 114),
    ("float4", 700),
    ("real", 700),
    ("float8", 701),
    ("double precision", 701),
    ("varchar", 1043),
    ("character varying", 1043),
    ("date", 1082),
    ("time", 1083),
    ("timestamp", 1114),
    ("timestamp without time zone", 1114),
    ("timestamptz", 1184),
    ("timestamp with time zone", 1184),
    ("interval", 1186),
    ("numeric", 1700),
    ("uuid", 2950),
    ("jsonb", 3802),
];

#[derive(Debug, PartialEq, Eq, Hash)]
struct ToRegtype {
    signature: Signature,
}

impl ScalarUDFImpl for ToRegtype {
    fn name(&self) -> &str {
        "to_regtype"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [name] = datafusion::common::utils::take_function_args("to_regtype", args.args)?;
        let lookup = |name: &str| {
            let name = name.trim().trim_start_matches("pg_catalog.").to_lowercase();
            TYPE_OIDS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, oid)| *oid)
        };
        match name {
            ColumnarValue::Scalar(value) => {
                let text = match &value {
                    ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s) => {
                        s.clone()
                    }
                    _ => None,
                };
                Ok(ColumnarValue::Scalar(ScalarValue::Int32(
                    text.as_deref().and_then(lookup),
                )))
            }
            ColumnarValue::Array(array) => {
                let strings = datafusion::arrow::compute::cast(&array, &DataType::Utf8)?;
                let strings = datafusion::common::cast::as_string_array(&strings)?;
                let oids: datafusion::arrow::array::Int32Array =
                    strings.iter().map(|s| s.and_then(lookup)).collect();
                Ok(ColumnarValue::Array(std::sync::Arc::new(oids)))
            }
        }
    }
}

/// A catalog function with a constant answer: `pg_get_serial_sequence(table, column)` is
/// NULL (the lake has no sequences), `pg_collation_is_visible(oid)` and
/// `pg_type_is_visible(oid)` true (one schema of types, one collation). SQLAlchemy's column
/// reflection asks for them.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Constant {
    name: &'static str,
    signature: Signature,
    answer: Option<bool>,
}

impl ScalarUDFImpl for Constant {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.answer {
            Some(_) => DataType::Boolean,
            None => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(match self.answer {
            Some(b) => ScalarValue::Boolean(Some(b)),
            None => ScalarValue::Utf8(None),
        }))
    }
}

/// `json_build_object(k1, v1, …)` as JSON text (values as strings). SQLAlchemy's column
/// reflection builds identity and collation details with it.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonBuildObject {
    signature: Signature,
}

impl ScalarUDFImpl for JsonBuildObject {
    fn name(&self) -> &str {
        "json_build_object"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut strings = Vec::with_capacity(arrays.len());
        for array in &arrays {
            let cast = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
            strings.push(datafusion::common::cast::as_string_array(&cast)?.clone());
        }
        let mut out = datafusion::arrow::array::StringBuilder::new();
        for row in 0..rows {
            let mut text = String::from("{");
            for (i, pair) in strings.chunks(2).enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                let key = if pair[0].is_null(row) {
                    ""
                } else {
                    pair[0].value(row)
                };
                text.push_str(&json_string(key));
                text.push_str(" : ");
                match pair.get(1) {
                    Some(v) if !v.is_null(row) => text.push_str(&json_string(v.value(row))),
                    _ => text.push_str("null"),
                }
            }
            text.push('}');
            out.append_value(text);
        }
        Ok(ColumnarValue::Array(std::sync::Arc::new(out.finish())))
    }
}

/// Registers the catalog answers on `ctx`.
pub fn register(ctx: &SessionContext) {
    ctx.register_udf(ScalarUDF::from(Version {
        signature: Signature::nullary(Volatility::Stable),
    }));
    ctx.register_udf(ScalarUDF::from(JsonBuildObject {
        signature: Signature::variadic_any(Volatility::Immutable),
    }));
    ctx.register_udf(ScalarUDF::from(Constant {
        name: "pg_get_serial_sequence",
        signature: Signature::any(2, Volatility::Stable),
        answer: None,
    }));
    ctx.register_udf(ScalarUDF::from(Constant {
        name: "pg_type_is_visible",
        signature: Signature::any(1, Volatility::Stable),
        answer: Some(true),
    }));
    ctx.register_udf(ScalarUDF::from(Constant {
        name: "pg_collation_is_visible",
        signature: Signature::any(1, Volatility::Stable),
        answer: Some(true),
    }));
    ctx.register_udf(ScalarUDF::from(ToRegtype {
        signature: Signature::string(1, Volatility::Stable),
    }));
}

/// Rewrites what clients send into SQL DataFusion runs, in place; whether anything changed.
///
/// `x LIKE p ESCAPE '/'`: DataFusion takes only the backslash as escape character, and
/// SQLAlchemy's reflection (Superset) escapes with `/` (`nspname NOT LIKE 'pg/_' || '%'
/// ESCAPE '/'`). The pattern's escape character becomes a backslash, computed on the
/// pattern (a parameter, often): `replace(p, '/', '\')`. A pattern with a literal
/// backslash in it would then read it as an escape; clients do not send those.
pub fn rewrite(statement: &mut Statement) -> bool {
    let mut changed = false;
    // Catalog queries only: a user's scalar subquery keeps DataFusion's own checks.
    let catalog_query = statement.to_string().contains("pg_catalog.");
    let _ = visit_expressions_mut(statement, |expr| {
        if catalog_query
            && let Expr::Subquery(query) = expr
            && let SetExpr::Select(select) = query.body.as_mut()
            && select.projection.len() == 1
            && matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty())
            && let Some(
                SelectItem::UnnamedExpr(item) | SelectItem::ExprWithAlias { expr: item, .. },
            ) = select.projection.first_mut()
            && !matches!(item, Expr::Function(f) if ["max", "min", "count", "sum", "array_agg", "string_agg", "bool_and", "bool_or"].contains(&f.name.to_string().to_lowercase().as_str()))
        {
            let old = std::mem::replace(item, Expr::value(Value::Null));
            *item = call("max", vec![old]);
            changed = true;
        }
        if let Expr::Like {
            pattern,
            escape_char,
            ..
        }
        | Expr::ILike {
            pattern,
            escape_char,
            ..
        } = expr
            && let Some(escape) = escape_char.take()
        {
            let c = match &escape.value {
                Value::SingleQuotedString(s) => s.clone(),
                other => other.to_string(),
            };
            if c == "\\" {
                *escape_char = Some(escape);
            } else {
                let old = std::mem::replace(pattern.as_mut(), Expr::value(Value::Null));
                **pattern = call(
                    "replace",
                    vec![
                        old,
                        Expr::value(Value::SingleQuotedString(c)),
                        Expr::value(Value::SingleQuotedString("\\".to_string())),
                    ],
                );
                changed = true;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    changed
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// `sql` as the server runs it: unchanged, or re-printed after [`rewrite`].
pub fn rewrite_sql(parser: &PostgresCompatibilityParser, sql: &str) -> String {
    let Ok(mut statements) = parser.parse(sql) else {
        return sql.to_string();
    };
    let mut changed = false;
    for statement in &mut statements {
        changed |= rewrite(statement);
    }
    if changed {
        statements
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        sql.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escape_becomes_backslash() {
        let parser = PostgresCompatibilityParser::new();
        let sql = "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE $1::VARCHAR || '%' ESCAPE '/'";
        let out = rewrite_sql(&parser, sql);
        assert!(
            out.contains("NOT LIKE replace($1::VARCHAR || '%', '/', '\\')"),
            "{out}"
        );
        assert!(!out.contains("ESCAPE"), "{out}");
        let plain = "SELECT 1 WHERE 'a' LIKE 'a%'";
        assert_eq!(rewrite_sql(&parser, plain), plain);
    }
}
