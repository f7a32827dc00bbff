//! The rule that keeps amounts exact in the SQL people type: an exact decimal is never mixed
//! with a float behind the user's back.
//!
//! DataFusion coerces `decimal + float` and `decimal = float` to `Float64`, so
//! `total * CAST(r AS DOUBLE)` or `amount > some_float_column` would silently compute an
//! amount in binary floating point. [`NoFloatOverAmounts`] runs before type coercion (as a
//! function rewrite, the analyzer's first pass) and refuses such an expression with an
//! error that names it and says how to cast. A literal on the decimal side is no amount and
//! passes; so does a float the query asks for (`CAST(total AS DOUBLE) * 2`,
//! `sqrt(total)`).

use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, plan_err};
use datafusion::config::ConfigOptions;
use datafusion::error::Result;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, ExprSchemable, Operator};

/// Refuses arithmetic and comparisons between an exact decimal and a float.
#[derive(Debug, Default)]
pub struct NoFloatOverAmounts;

impl FunctionRewrite for NoFloatOverAmounts {
    fn name(&self) -> &str {
        "yusuan_no_float_over_amounts"
    }

    fn rewrite(
        &self,
        expr: Expr,
        schema: &DFSchema,
        _config: &ConfigOptions,
    ) -> Result<Transformed<Expr>> {
        match &expr {
            Expr::BinaryExpr(BinaryExpr { left, op, right }) if mixes_values(op) => {
                refuse_mix(left, right, &op.to_string(), schema)?;
            }
            Expr::Between(Between {
                expr: value,
                low,
                high,
                ..
            }) => {
                refuse_mix(value, low, "BETWEEN", schema)?;
                refuse_mix(value, high, "BETWEEN", schema)?;
            }
            _ => {}
        }
        Ok(Transformed::no(expr))
    }
}

/// The operators whose two sides are coerced to one numeric type.
fn mixes_values(op: &Operator) -> bool {
    op.is_numerical_operators()
        || matches!(
            op,
            Operator::Eq
                | Operator::NotEq
                | Operator::Lt
                | Operator::LtEq
                | Operator::Gt
                | Operator::GtEq
                | Operator::IsDistinctFrom
                | Operator::IsNotDistinctFrom
        )
}

/// An error when one side is a decimal that is not a literal and the other a float.
fn refuse_mix(a: &Expr, b: &Expr, op: &str, schema: &DFSchema) -> Result<()> {
    for (amount, float) in [(a, b), (b, a)] {
        if is_decimal_value(amount, schema) && is_float(float, schema) {
            let float_type = float.get_type(schema)?;
            let (amount, float) = (amount.human_display(), float.human_display());
            return plan_err!(
                "`{amount}` is an exact decimal and `{float}` a float ({float_type}): \
                 `{amount} {op} …` would \
                 turn the amount into a float and lose the fen. Cast one side explicitly: \
                 CAST({float} AS DECIMAL(38, 6)) to stay exact, or CAST({amount} AS DOUBLE) \
                 to compute in floating point"
            );
        }
    }
    Ok(())
}

/// A decimal that comes from data (a column, a sum, an expression over them), not a
/// literal typed in the query.
fn is_decimal_value(e: &Expr, schema: &DFSchema) -> bool {
    if is_literal(e) {
        return false;
    }
    e.get_type(schema).is_ok_and(|t| {
        matches!(
            t,
            datafusion::arrow::datatypes::DataType::Decimal32(..)
                | datafusion::arrow::datatypes::DataType::Decimal64(..)
                | datafusion::arrow::datatypes::DataType::Decimal128(..)
                | datafusion::arrow::datatypes::DataType::Decimal256(..)
        )
    })
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Literal(..) => true,
        Expr::Negative(inner) => is_literal(inner),
        _ => false,
    }
}

fn is_float(e: &Expr, schema: &DFSchema) -> bool {
    e.get_type(schema).is_ok_and(|t| t.is_floating())
}

#[cfg(test)]
mod tests {
    use datafusion::execution::FunctionRegistry;
    use datafusion::prelude::SessionContext;

    use super::*;

    async fn context() -> SessionContext {
        let ctx = SessionContext::new_with_config(crate::session::session_config());
        ctx.state_ref()
            .write()
            .register_function_rewrite(std::sync::Arc::new(NoFloatOverAmounts))
            .unwrap();
        ctx.sql(
            "CREATE TABLE t (amount DECIMAL(18, 2), rate DOUBLE) AS \
             VALUES (9700.00, 0.5), (10000.00, 0.25)",
        )
        .await
        .unwrap();
        ctx
    }

    async fn run(ctx: &SessionContext, sql: &str) -> Result<usize> {
        let batches = ctx.sql(sql).await?.collect().await?;
        Ok(batches.iter().map(|b| b.num_rows()).sum())
    }

    #[tokio::test]
    async fn an_amount_mixed_with_a_float_is_refused_with_the_way_out() {
        let ctx = context().await;
        for sql in [
            "SELECT amount * rate FROM t",
            "SELECT * FROM t WHERE amount > rate",
            "SELECT sum(amount) + max(rate) FROM t",
            "SELECT * FROM t WHERE amount BETWEEN rate AND 10000",
        ] {
            let e = run(&ctx, sql).await.unwrap_err().to_string();
            assert!(e.contains("exact decimal"), "{sql}: {e}");
            assert!(e.contains("AS DECIMAL(38, 6)) to stay exact"), "{sql}: {e}");
        }
    }

    #[tokio::test]
    async fn explicit_casts_literals_and_decimals_pass() {
        let ctx = context().await;
        for sql in [
            "SELECT amount * CAST(rate AS DECIMAL(38, 6)) FROM t",
            "SELECT CAST(amount AS DOUBLE) * rate FROM t",
            "SELECT amount * 100 / 3 FROM t",
            "SELECT rate * 2.5 FROM t",
            "SELECT -1.5 * rate FROM t",
        ] {
            assert_eq!(run(&ctx, sql).await.unwrap(), 2, "{sql}");
        }
        let exact = "SELECT * FROM t WHERE amount = 9700.00";
        assert_eq!(run(&ctx, exact).await.unwrap(), 1);
    }
}
