//! `func_name(code [, year])` and `econ_name(code [, year])`: the name of a code in a year.
//!
//! Names come from the catalog of that year or the nearest earlier one: names printed with
//! their codes in the lake's documents first, then the shipped reference catalog (see
//! [`crate::catalog::Catalog::name`]). Without a year, the newest name. A well-formed code
//! with no name gives NULL; a malformed code is an error.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::scalar_doc_sections::DOC_SECTION_OTHER;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::kernel::{
    Year, code_error, coerce_code_and_year, map_codes_in_year, string_return_type,
};
use crate::catalog::{Catalogs, Classification, level_of};

/// `func_name` / `econ_name`, over a snapshot of the catalogs.
#[derive(Debug)]
pub struct Name {
    class: Classification,
    catalogs: Arc<Catalogs>,
    signature: Signature,
}

impl Name {
    pub fn new(class: Classification, catalogs: Arc<Catalogs>) -> Self {
        Name {
            class,
            catalogs,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

// Two instances are the same function when they read the same catalogs.
impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.class == other.class && Arc::ptr_eq(&self.catalogs, &other.catalogs)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.class.hash(state);
        Arc::as_ptr(&self.catalogs).hash(state);
    }
}

static FUNC_DOC: LazyLock<Documentation> =
    LazyLock::new(|| {
        Documentation::builder(
        DOC_SECTION_OTHER,
        "The name of a 支出功能分类 code in a year: from the catalog of that year or the nearest \
         earlier one (names printed with their codes in the lake's documents first, then the \
         shipped reference catalog). Without a year, the newest name. A code not in the \
         catalog gives NULL; a code that is not 3, 5 or 7 digits is an error.",
        "func_name(code [, year])",
    )
    .with_argument("code", "Function classification code (string or integer)")
    .with_argument("year", "Fiscal year, e.g. 2021 or the fiscal_year column; optional")
    .with_sql_example(
        "> SELECT func_name('210', 2018), func_name('210', 2021);\n\
         医疗卫生与计划生育支出  卫生健康支出\n\
         > SELECT func_code, func_name(func_code, fiscal_year) FROM expenditure;",
    )
    .with_related_udf("func_path")
    .with_related_udf("func_rollup")
    .build()
    });

static ECON_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The name of a 部门预算支出经济分类 code in a year, from the catalog of that year or the \
         nearest earlier one (document names first, then the shipped reference). Without a \
         year, the newest name. A code not in the catalog gives NULL; a code that is not 3 or \
         5 digits is an error.",
        "econ_name(code [, year])",
    )
    .with_argument("code", "Economic classification code (string or integer)")
    .with_argument(
        "year",
        "Fiscal year, e.g. 2021 or the fiscal_year column; optional",
    )
    .with_sql_example(
        "> SELECT econ_name('30217'), econ_name('302', 2021);\n公务接待费  商品和服务支出",
    )
    .with_related_udf("econ_path")
    .build()
});

impl ScalarUDFImpl for Name {
    fn name(&self) -> &str {
        match self.class {
            Classification::Function => "func_name",
            Classification::Economic => "econ_name",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_code_and_year(self.name(), arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(string_return_type(&arg_types[0]))
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.name();
        let catalog = self.catalogs.get(self.class);
        let year = Year::from_args(name, &args.args)?;
        map_codes_in_year(
            name,
            &args.args[0],
            year,
            args.number_rows,
            |c, year, out| {
                level_of(self.class, c).map_err(|e| code_error(name, e))?;
                match catalog.name(c, year) {
                    Some(found) => {
                        out.push_str(found);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            },
        )
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(match self.class {
            Classification::Function => &FUNC_DOC,
            Classification::Economic => &ECON_DOC,
        })
    }
}
