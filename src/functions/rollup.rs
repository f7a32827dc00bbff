//! `func_rollup(code, level)` and `econ_rollup(code, level)`: the ancestor of a code at a
//! level (1 | 2 | 3 or '类' | '款' | '项'; the economic tree has 类 and 款 only).
//!
//! A code shallower than the level asked for has no ancestor there and gives NULL
//! (`func_rollup('208', 2)` is NULL: a 类 subtotal has no 款), so grouping by a level never
//! mixes levels. A code at the level is its own roll-up. The level must be a constant.
//! Filters on a roll-up keep Parquet pruning: see [`super::pruning`].

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{
    check_arity, code_error, coerce_code, coerce_level, level_arg, map_codes, string_return_type,
};
use crate::catalog::{Classification, rollup};

/// `func_rollup` / `econ_rollup`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rollup {
    class: Classification,
    signature: Signature,
}

impl Rollup {
    pub fn new(class: Classification) -> Self {
        Rollup {
            class,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// The tree this roll-up works on.
    pub fn class(&self) -> Classification {
        self.class
    }
}

static FUNC_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The ancestor of a 支出功能分类 code at a level: its 类 (level 1 or '类'), 款 (2 or '款') \
         or 项 (3 or '项'). A code shallower than the level gives NULL (a 类 has no 款); a code \
         at the level gives itself. The level is a constant. The result has the code's string \
         type. `WHERE func_rollup(func_code, 1) = '208'` still prunes Parquet files and row \
         groups on func_code.",
        "func_rollup(code, level)",
    )
    .with_argument("code", "Function classification code, 3, 5 or 7 digits (string or integer)")
    .with_argument("level", "1, 2, 3 or '类', '款', '项'")
    .with_sql_example(
        "> SELECT func_rollup('2080109', 1), func_rollup('2080109', '款'), func_rollup('208', 2);\n\
         208  20801  NULL\n\
         > SELECT func_rollup(func_code, 1) AS lei, sum(total) FROM expenditure GROUP BY 1 ORDER BY 1;",
    )
    .with_related_udf("func_parent")
    .with_related_udf("func_name")
    .build()
});

static ECON_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The ancestor of a 部门预算支出经济分类 code at a level: its 类 (level 1 or '类') or \
         款 (2 or '款'). A 类 code at level 2 gives NULL. The level is a constant. \
         `WHERE econ_rollup(econ_code, 1) = '302'` still prunes Parquet on econ_code.",
        "econ_rollup(code, level)",
    )
    .with_argument(
        "code",
        "Economic classification code, 3 or 5 digits (string or integer)",
    )
    .with_argument("level", "1, 2 or '类', '款'")
    .with_sql_example(
        "> SELECT econ_rollup('30217', 1), econ_rollup('30217', '款'), econ_rollup('302', 2);\n\
         302  30217  NULL",
    )
    .with_related_udf("econ_parent")
    .with_related_udf("econ_name")
    .build()
});

impl ScalarUDFImpl for Rollup {
    fn name(&self) -> &str {
        match self.class {
            Classification::Function => "func_rollup",
            Classification::Economic => "econ_rollup",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(self.name(), arg_types, 2, 2)?;
        Ok(vec![
            coerce_code(self.name(), &arg_types[0])?,
            coerce_level(self.name(), &arg_types[1])?,
        ])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(string_return_type(&arg_types[0]))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [code, level] = datafusion::common::utils::take_function_args(self.name(), &args.args)?;
        let Some(level) = level_arg(self.name(), self.class, level)? else {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from(
                args.return_type(),
            )?));
        };
        map_codes(code, |c, out| {
            match rollup(self.class, c, level).map_err(|e| code_error(self.name(), e))? {
                Some(ancestor) => {
                    out.push_str(ancestor);
                    Ok(true)
                }
                None => Ok(false),
            }
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(match self.class {
            Classification::Function => &FUNC_DOC,
            Classification::Economic => &ECON_DOC,
        })
    }
}
