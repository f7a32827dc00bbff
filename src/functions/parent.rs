//! `func_parent(code)` and `econ_parent(code)`: the code one level up (the last two digits
//! dropped), NULL for a 类.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::utils::take_function_args;
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{check_arity, code_error, coerce_code, map_codes, string_return_type};
use crate::catalog::{Classification, level_of};

/// `func_parent` / `econ_parent`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Parent {
    class: Classification,
    signature: Signature,
}

impl Parent {
    pub fn new(class: Classification) -> Self {
        Parent {
            class,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

static FUNC_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The parent of a 支出功能分类 code: the 款 of a 项, the 类 of a 款, NULL for a 类. \
         The result has the code's string type (a dictionary stays a dictionary).",
        "func_parent(code)",
    )
    .with_argument(
        "code",
        "Function classification code, 3, 5 or 7 digits (string or integer)",
    )
    .with_sql_example(
        "> SELECT func_parent('2080109'), func_parent('20801'), func_parent('208');\n\
         20801  208  NULL",
    )
    .with_related_udf("func_rollup")
    .build()
});

static ECON_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The parent of a 部门预算支出经济分类 code: the 类 of a 款, NULL for a 类.",
        "econ_parent(code)",
    )
    .with_argument(
        "code",
        "Economic classification code, 3 or 5 digits (string or integer)",
    )
    .with_sql_example("> SELECT econ_parent('30101'), econ_parent('301');\n301  NULL")
    .with_related_udf("econ_rollup")
    .build()
});

impl ScalarUDFImpl for Parent {
    fn name(&self) -> &str {
        match self.class {
            Classification::Function => "func_parent",
            Classification::Economic => "econ_parent",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(self.name(), arg_types, 1, 1)?;
        Ok(vec![coerce_code(self.name(), &arg_types[0])?])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(string_return_type(&arg_types[0]))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [code] = take_function_args(self.name(), &args.args)?;
        map_codes(code, |c, out| {
            let level = level_of(self.class, c).map_err(|e| code_error(self.name(), e))?;
            if level == 1 {
                return Ok(false);
            }
            out.push_str(&c[..c.len() - 2]);
            Ok(true)
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(match self.class {
            Classification::Function => &FUNC_DOC,
            Classification::Economic => &ECON_DOC,
        })
    }
}
