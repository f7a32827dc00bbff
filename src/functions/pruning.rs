//! Parquet pruning for filters on roll-ups: an optimizer rule that gives
//! `WHERE func_rollup(func_code, 1) = '208'` the range `func_code >= '208' AND
//! func_code < '209'` it implies, which the Parquet scan turns into a pruning predicate on
//! the files' and row groups' min/max statistics of `func_code`.
//!
//! Why a rule and not `ScalarUDFImpl::preimage`: a preimage *replaces* the comparison and
//! must be exact for every operator, and the roll-up is not invertible that way: at level
//! 2 or 3 a shallower code gives NULL (`func_rollup('208', 2)`), which no range on the
//! code can express (`func_rollup(c, 2) < '20801'` would turn into `c < '20801'`, true for
//! '208'). This rule *adds* the implied range next to the original predicate, so results
//! are exactly those of the original filter at every level and for every operator: the
//! range only lets the scan skip what cannot match. (Rows the range skips are not checked
//! for malformed codes: a file that cannot match is not read.)
//!
//! Handled, with the code's value `v` a well-formed code of the level and
//! `[v, v⁺)` its prefix range ([`crate::catalog::prefix_range`]):
//! `=` / `IS NOT DISTINCT FROM` -> `c >= v AND c < v⁺`; `<` -> `c < v`; `<=` -> `c < v⁺`;
//! `>` -> `c >= v⁺`; `>=` -> `c >= v`; `IN (…)` and `OR` of those -> `OR` of the ranges.

use std::any::Any;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::{InList, ScalarFunction};
use datafusion::logical_expr::utils::{conjunction, disjunction, split_conjunction};
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprSchemable, Filter, LogicalPlan, Operator, and, lit,
};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

use super::kernel::is_string;
use super::rollup::Rollup;
use crate::catalog::{Classification, level_of, parse_level, prefix_range};

/// The optimizer rule; [`super::register_with`] adds it to the session.
#[derive(Debug, Default)]
pub struct RollupPruning;

/// Its name in the optimizer (`EXPLAIN VERBOSE` shows it).
pub const RULE_NAME: &str = "yusuan_rollup_pruning";

impl OptimizerRule for RollupPruning {
    fn name(&self) -> &str {
        RULE_NAME
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Filter(filter) = plan else {
            return Ok(Transformed::no(plan));
        };
        let schema = filter.input.schema();
        let existing: Vec<&Expr> = split_conjunction(&filter.predicate);
        let mut added: Vec<Expr> = Vec::new();
        for conjunct in &existing {
            let Some(implied) = implied_range(conjunct, schema)? else {
                continue;
            };
            for piece in split_conjunction(&implied) {
                if !existing.contains(&piece) && !added.contains(piece) {
                    added.push(piece.clone());
                }
            }
        }
        if added.is_empty() {
            return Ok(Transformed::no(LogicalPlan::Filter(filter)));
        }
        let Some(predicate) = conjunction(std::iter::once(filter.predicate.clone()).chain(added))
        else {
            return Ok(Transformed::no(LogicalPlan::Filter(filter)));
        };
        Ok(Transformed::yes(LogicalPlan::Filter(Filter::try_new(
            predicate,
            filter.input,
        )?)))
    }
}

/// The range on the code that a predicate on a roll-up implies, if any.
pub fn implied_range(expr: &Expr, schema: &DFSchema) -> Result<Option<Expr>> {
    match expr {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => Ok(
            match (implied_range(left, schema)?, implied_range(right, schema)?) {
                (Some(l), Some(r)) => Some(l.or(r)),
                _ => None,
            },
        ),
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            if let (Some(call), Some(value)) = (rollup_call(left), literal_text(right)) {
                return range_for(&call, *op, &value, schema);
            }
            match (rollup_call(right), literal_text(left), op.swap()) {
                (Some(call), Some(value), Some(op)) => range_for(&call, op, &value, schema),
                _ => Ok(None),
            }
        }
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) => {
            let Some(call) = rollup_call(expr) else {
                return Ok(None);
            };
            let mut ranges = Vec::with_capacity(list.len());
            for item in list {
                let Some(value) = literal_text(item) else {
                    return Ok(None);
                };
                match range_for(&call, Operator::Eq, &value, schema)? {
                    Some(range) => ranges.push(range),
                    None => return Ok(None),
                }
            }
            Ok(disjunction(ranges))
        }
        _ => Ok(None),
    }
}

/// A call of `func_rollup` / `econ_rollup` with a constant level.
struct RollupCall<'a> {
    class: Classification,
    code: &'a Expr,
    level: u8,
}

fn rollup_call(expr: &Expr) -> Option<RollupCall<'_>> {
    let Expr::ScalarFunction(ScalarFunction { func, args }) = expr else {
        return None;
    };
    let inner: &dyn Any = func.inner().as_ref();
    let rollup = inner.downcast_ref::<Rollup>()?;
    let [code, level] = args.as_slice() else {
        return None;
    };
    let level = parse_level(rollup.class(), &literal_text(level)?)?;
    Some(RollupCall {
        class: rollup.class(),
        code,
        level,
    })
}

/// The text of a non-NULL string or integer literal (through a cast of a literal too).
fn literal_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Literal(value, _) => scalar_text(value),
        Expr::Cast(cast) => literal_text(&cast.expr),
        _ => None,
    }
}

fn scalar_text(value: &ScalarValue) -> Option<String> {
    match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(s.clone()),
        ScalarValue::Dictionary(_, inner) => scalar_text(inner),
        v if v.data_type().is_integer() && !v.is_null() => Some(v.to_string()),
        _ => None,
    }
}

/// The range `call op value` implies on the code, typed like the code column.
fn range_for(
    call: &RollupCall,
    op: Operator,
    value: &str,
    schema: &DFSchema,
) -> Result<Option<Expr>> {
    // A roll-up to level L is a code of level L: other values match nothing, skip them.
    if level_of(call.class, value) != Ok(call.level) {
        return Ok(None);
    }
    let Some((lower, upper)) = prefix_range(value) else {
        return Ok(None);
    };
    let code_type = call.code.get_type(schema)?;
    let (Some(lower), Some(upper)) = (typed(&code_type, lower), typed(&code_type, upper)) else {
        return Ok(None);
    };
    let code = call.code.clone();
    Ok(match op {
        Operator::Eq | Operator::IsNotDistinctFrom => {
            Some(and(code.clone().gt_eq(lit(lower)), code.lt(lit(upper))))
        }
        Operator::Lt => Some(code.lt(lit(lower))),
        Operator::LtEq => Some(code.lt(lit(upper))),
        Operator::Gt => Some(code.gt_eq(lit(upper))),
        Operator::GtEq => Some(code.gt_eq(lit(lower))),
        _ => None,
    })
}

/// A string bound as a literal of the code column's type (no cast on the column, so the
/// pruning predicate can use its statistics). `None` for integer code columns.
fn typed(code_type: &DataType, text: String) -> Option<ScalarValue> {
    match code_type {
        DataType::Utf8 => Some(ScalarValue::Utf8(Some(text))),
        DataType::LargeUtf8 => Some(ScalarValue::LargeUtf8(Some(text))),
        DataType::Utf8View => Some(ScalarValue::Utf8View(Some(text))),
        DataType::Dictionary(key, value) if is_string(value) => Some(ScalarValue::Dictionary(
            key.clone(),
            Box::new(typed(value, text)?),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::prelude::{ParquetReadOptions, SessionContext};

    use crate::catalog::Catalogs;

    /// Two Parquet files, one per 类; a filter on the roll-up must carry a pruning
    /// predicate on func_code to the scan, and give exactly the original filter's rows.
    #[tokio::test]
    async fn rollup_filters_reach_the_parquet_pruning_predicate() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let ctx = SessionContext::new();
        super::super::register_with(&ctx, Arc::new(Catalogs::shipped())).expect("registers");
        for (file, codes) in [
            ("a", "('2080109'), ('20801'), ('208')"),
            ("b", "('2210201')"),
        ] {
            let path = dir.path().join(format!("{file}.parquet"));
            let sql = format!(
                "COPY (SELECT column1 AS func_code FROM (VALUES {codes})) TO '{}' STORED AS PARQUET",
                path.display()
            );
            ctx.sql(&sql)
                .await
                .expect("plans")
                .collect()
                .await
                .expect("writes");
        }
        let dir_url = format!("{}/", dir.path().display());
        ctx.register_parquet("t", &dir_url, ParquetReadOptions::default())
            .await
            .expect("registers the files");

        for (predicate, lower, upper, count) in [
            ("func_rollup(func_code, 1) = '208'", "208", "209", 3),
            (
                "func_rollup(func_code, '款') = '20801'",
                "20801",
                "20802",
                2,
            ),
            (
                "func_rollup(func_code, 3) = '2210201'",
                "2210201",
                "2210202",
                1,
            ),
        ] {
            let plan = ctx
                .sql(&format!(
                    "EXPLAIN SELECT func_code FROM t WHERE {predicate}"
                ))
                .await
                .expect("plans")
                .collect()
                .await
                .expect("explains");
            let text = pretty_format_batches(&plan).expect("formats").to_string();
            assert!(text.contains("pruning_predicate="), "{predicate}: {text}");
            assert!(
                text.contains(&format!("func_code_max@0 >= {lower}")),
                "{predicate}: {text}"
            );
            assert!(
                text.contains(&format!("func_code_min@3 < {upper}")),
                "{predicate}: {text}"
            );

            let rows = ctx
                .sql(&format!("SELECT count(*) FROM t WHERE {predicate}"))
                .await
                .expect("plans")
                .collect()
                .await
                .expect("runs");
            let shown = pretty_format_batches(&rows).expect("formats").to_string();
            assert!(
                shown.contains(&format!("| {count}")),
                "{predicate}: {shown}"
            );
        }
    }

    /// Inequalities at level 2 keep NULL for shallower codes: '208' is not below '20805'.
    #[tokio::test]
    async fn implied_ranges_never_change_results() {
        let ctx = SessionContext::new();
        super::super::register_with(&ctx, Arc::new(Catalogs::shipped())).expect("registers");
        let rows = ctx
            .sql(
                "SELECT count(*) FROM (VALUES ('208'), ('20801'), ('2080109'), ('20805')) AS t(c) \
                 WHERE func_rollup(c, 2) < '20805'",
            )
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        let shown = pretty_format_batches(&rows).expect("formats").to_string();
        assert!(shown.contains("| 2 "), "{shown}");
    }
}
