//! `to_wan(amount)`: an amount in 元 as 万元, exactly.
//!
//! Dividing by 10 000 is moving the decimal point: the result has the same integer
//! mantissa and a scale four larger (`Decimal128(18, 2)` -> `Decimal128(18, 6)`), so no
//! arithmetic happens and nothing is rounded. Integers are 元 with scale 0
//! (`Int64` -> `Decimal128(19, 4)`). Floating-point input is refused: money is never f64.

use std::sync::LazyLock;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Int64Type};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{check_arity, on_columnar};

/// The largest precision and scale of a `Decimal128`.
pub const MAX_DECIMAL128: u8 = 38;

/// `to_wan`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToWan {
    signature: Signature,
}

impl Default for ToWan {
    fn default() -> Self {
        ToWan {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

static DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "An amount in 元 as 万元, exactly: the decimal point moves four places, nothing is \
         rounded. DECIMAL(p, s) gives DECIMAL(max(p, s + 4), s + 4); an integer gives \
         DECIMAL(19, 4). Floating-point amounts are refused (cast to DECIMAL first).",
        "to_wan(amount)",
    )
    .with_argument(
        "amount",
        "Amount in 元: DECIMAL (the lake's amounts are DECIMAL(18, 2)) or integer",
    )
    .with_sql_example(
        "> SELECT to_wan(CAST(3162923.00 AS DECIMAL(18, 2)));\n\
         316.292300\n\
         > SELECT org_name, to_wan(sum(total)) FROM expenditure GROUP BY org_name;",
    )
    .with_related_udf("to_yuan")
    .build()
});

/// The exact types an amount argument is coerced to: any decimal that fits 38 digits as
/// `Decimal128`, integers as `Int64`, NULL as the lake's `Decimal128(18, 2)`.
pub(crate) fn coerce_amount(fn_name: &str, t: &DataType) -> Result<DataType> {
    match t {
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
            Ok(DataType::Decimal128(*p, *s))
        }
        DataType::Decimal256(p, s) if *p <= MAX_DECIMAL128 => Ok(DataType::Decimal128(*p, *s)),
        DataType::Null => Ok(DataType::Decimal128(18, 2)),
        t if t.is_integer() => Ok(DataType::Int64),
        DataType::Dictionary(_, v) => coerce_amount(fn_name, v),
        t if t.is_floating() => plan_err!(
            "{fn_name}: {t} is not an exact amount; cast it to DECIMAL(18, 2) first \
             (money is never floating point)"
        ),
        other => plan_err!("{fn_name}: an amount is a DECIMAL or an integer, got {other}"),
    }
}

/// The (precision, scale) of a coerced amount type: integers are scale 0 with 19 digits.
pub(crate) fn amount_precision_scale(fn_name: &str, t: &DataType) -> Result<(u8, i8)> {
    match t {
        DataType::Decimal128(p, s) => Ok((*p, *s)),
        DataType::Int64 => Ok((19, 0)),
        other => plan_err!("{fn_name}: an amount is a DECIMAL or an integer, got {other}"),
    }
}

/// An amount column as `Decimal128` mantissas (integers exactly, with scale 0).
pub(crate) fn mantissas(fn_name: &str, array: &ArrayRef) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Decimal128(_, _) => Ok(array.clone()),
        DataType::Int64 => Ok(std::sync::Arc::new(
            array
                .as_primitive::<Int64Type>()
                .unary::<_, Decimal128Type>(i128::from)
                .with_precision_and_scale(19, 0)?,
        )),
        other => exec_err!("{fn_name}: an amount is a DECIMAL or an integer, got {other}"),
    }
}

impl ScalarUDFImpl for ToWan {
    fn name(&self) -> &str {
        "to_wan"
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
        let scale = i16::from(s) + 4;
        if scale > i16::from(MAX_DECIMAL128) {
            return plan_err!(
                "to_wan: DECIMAL({p}, {s}) has too many decimals to move four more (at most {})",
                MAX_DECIMAL128 - 4
            );
        }
        let scale = scale as i8; // at most 38
        let precision = p.max(scale.unsigned_abs()).min(MAX_DECIMAL128);
        Ok(DataType::Decimal128(precision, scale))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [amount] = take_function_args(self.name(), &args.args)?;
        let DataType::Decimal128(precision, scale) = *args.return_type() else {
            return exec_err!(
                "to_wan: planned with a non-decimal result {}",
                args.return_type()
            );
        };
        on_columnar(amount, |array| {
            let exact = mantissas(self.name(), array)?;
            // Same mantissas, point moved: no value changes, no overflow possible.
            Ok(std::sync::Arc::new(
                exact
                    .as_primitive::<Decimal128Type>()
                    .clone()
                    .with_precision_and_scale(precision, scale)?,
            ) as ArrayRef)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_move_the_point() {
        let f = ToWan::default();
        assert_eq!(
            f.return_type(&[DataType::Decimal128(18, 2)]).unwrap(),
            DataType::Decimal128(18, 6)
        );
        assert_eq!(
            f.return_type(&[DataType::Decimal128(3, 0)]).unwrap(),
            DataType::Decimal128(4, 4)
        );
        assert_eq!(
            f.return_type(&[DataType::Int64]).unwrap(),
            DataType::Decimal128(19, 4)
        );
        assert!(f.return_type(&[DataType::Decimal128(38, 35)]).is_err());
        assert!(f.coerce_types(&[DataType::Float64]).is_err());
    }

    #[test]
    fn nulls_stay() {
        let a: ArrayRef = std::sync::Arc::new(
            datafusion::arrow::array::Decimal128Array::from(vec![Some(316_292_300), None])
                .with_precision_and_scale(18, 2)
                .unwrap(),
        );
        let out = mantissas("to_wan", &a).unwrap();
        assert!(out.is_null(1));
    }
}
