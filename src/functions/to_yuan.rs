//! `to_yuan(amount_in_wan)`: an amount in 万元 as 元, exactly: the mantissa is multiplied by
//! 10 000 and the scale kept (`Decimal128(p, s)` -> `Decimal128(min(p + 4, 38), s)`), so
//! `to_yuan(to_wan(x)) = x`. A result beyond 38 digits is an error naming the value.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, DecimalType};
use datafusion::common::utils::take_function_args;
use datafusion::common::{DataFusionError, Result, exec_err};
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{check_arity, on_columnar};
use super::to_wan::{MAX_DECIMAL128, amount_precision_scale, coerce_amount, mantissas};

/// `to_yuan`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToYuan {
    signature: Signature,
}

impl Default for ToYuan {
    fn default() -> Self {
        ToYuan {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "An amount in 万元 as 元, exactly (times 10 000, scale kept): DECIMAL(p, s) gives \
         DECIMAL(min(p + 4, 38), s); an integer gives DECIMAL(23, 0). The inverse of to_wan. \
         Floating-point amounts are refused (cast to DECIMAL first).",
        "to_yuan(amount_in_wan)",
    )
    .with_argument("amount_in_wan", "Amount in 万元: DECIMAL or integer")
    .with_sql_example("> SELECT to_yuan(CAST(0.97 AS DECIMAL(10, 2)));\n9700.00")
    .with_related_udf("to_wan")
    .build()
});

/// 10^38: a `Decimal128(38, _)` mantissa is below it in magnitude.
const DECIMAL128_LIMIT: u128 = 10u128.pow(38);

impl ScalarUDFImpl for ToYuan {
    fn name(&self) -> &str {
        "to_yuan"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(self.name(), arg_types, 1, 1)?;
        Ok(vec![coerce_amount(self.name(), &arg_types[0])?])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let (p, s) = amount_precision_scale(self.name(), &arg_types[0])?;
        Ok(DataType::Decimal128((p + 4).min(MAX_DECIMAL128), s))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [amount] = take_function_args(self.name(), &args.args)?;
        let DataType::Decimal128(precision, scale) = *args.return_type() else {
            return exec_err!(
                "to_yuan: planned with a non-decimal result {}",
                args.return_type()
            );
        };
        on_columnar(amount, |array| {
            let exact = mantissas(self.name(), array)?;
            let yuan = exact
                .as_primitive::<Decimal128Type>()
                .try_unary::<_, Decimal128Type, DataFusionError>(|wan| {
                    wan.checked_mul(10_000)
                        .filter(|v| v.unsigned_abs() < DECIMAL128_LIMIT)
                        .ok_or_else(|| {
                            DataFusionError::Execution(format!(
                                "to_yuan: {} 万元 in 元 does not fit DECIMAL(38, {scale})",
                                Decimal128Type::format_decimal(wan, precision, scale)
                            ))
                        })
                })?;
            Ok(Arc::new(yuan.with_precision_and_scale(precision, scale)?) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}
