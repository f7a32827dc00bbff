//! `func_level(code)` and `econ_level(code)`: the level of a classification code,
//! 1 = 类, 2 = 款, 3 = 项, as an Int32.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::utils::take_function_args;
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{check_arity, code_error, coerce_code, map_codes_to_i32};
use crate::catalog::{Classification, level_of};

/// `func_level` / `econ_level`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Level {
    class: Classification,
    signature: Signature,
}

impl Level {
    pub fn new(class: Classification) -> Self {
        Level {
            class,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

static FUNC_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The level of a 支出功能分类 code: 1 for a 类 (3 digits), 2 for a 款 (5 digits), \
         3 for a 项 (7 digits). A code that is not 3, 5 or 7 digits is an error; NULL gives NULL.",
        "func_level(code)",
    )
    .with_argument(
        "code",
        "Function classification code: a string such as '2080109', or an integer",
    )
    .with_sql_example(
        "> SELECT func_level('208'), func_level('20801'), func_level(2080109);\n\
         1  2  3",
    )
    .with_related_udf("func_rollup")
    .with_related_udf("func_parent")
    .build()
});

static ECON_DOC: LazyLock<Documentation> =
    LazyLock::new(|| {
        Documentation::builder(
        DOC_SECTION_OTHER,
        "The level of a 部门预算支出经济分类 code: 1 for a 类 (3 digits), 2 for a 款 (5 digits). \
         A code that is not 3 or 5 digits is an error; NULL gives NULL.",
        "econ_level(code)",
    )
    .with_argument("code", "Economic classification code: a string such as '30101', or an integer")
    .with_sql_example("> SELECT econ_level('301'), econ_level('30101');\n1  2")
    .with_related_udf("econ_rollup")
    .with_related_udf("econ_parent")
    .build()
    });

impl ScalarUDFImpl for Level {
    fn name(&self) -> &str {
        match self.class {
            Classification::Function => "func_level",
            Classification::Economic => "econ_level",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arity(self.name(), arg_types, 1, 1)?;
        Ok(vec![coerce_code(self.name(), &arg_types[0])?])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [code] = take_function_args(self.name(), &args.args)?;
        map_codes_to_i32(code, |c| {
            level_of(self.class, c)
                .map(|level| Some(i32::from(level)))
                .map_err(|e| code_error(self.name(), e))
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(match self.class {
            Classification::Function => &FUNC_DOC,
            Classification::Economic => &ECON_DOC,
        })
    }
}
