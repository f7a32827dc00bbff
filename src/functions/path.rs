//! `func_path(code [, year])` and `econ_path(code [, year])`: the names of a code and its
//! ancestors, 类 first, joined with " / ":
//! `社会保障和就业支出 / 人力资源和社会保障管理事务 / 社会保险经办机构`.
//!
//! Names are looked up as in [`super::name`]. A level with no known name shows its code
//! instead (`社会保障和就业支出 / 20899 / 2089901`), so a path is never silently shortened
//! and always has one part per level; only a NULL code or year gives NULL.

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
use crate::catalog::{Catalogs, Classification, digits_at, level_of};

/// The separator between the levels of a path.
pub const SEPARATOR: &str = " / ";

/// `func_path` / `econ_path`, over a snapshot of the catalogs.
#[derive(Debug)]
pub struct Path {
    class: Classification,
    catalogs: Arc<Catalogs>,
    signature: Signature,
}

impl Path {
    pub fn new(class: Classification, catalogs: Arc<Catalogs>) -> Self {
        Path {
            class,
            catalogs,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

// Two instances are the same function when they read the same catalogs.
impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.class == other.class && Arc::ptr_eq(&self.catalogs, &other.catalogs)
    }
}

impl Eq for Path {}

impl Hash for Path {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.class.hash(state);
        Arc::as_ptr(&self.catalogs).hash(state);
    }
}

static FUNC_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The names of a 支出功能分类 code and its ancestors, 类 first, joined with ' / ', in a \
         year (catalog of that year or the nearest earlier; without a year, the newest names). \
         A level whose name is unknown shows its code instead.",
        "func_path(code [, year])",
    )
    .with_argument("code", "Function classification code (string or integer)")
    .with_argument("year", "Fiscal year; optional")
    .with_sql_example(
        "> SELECT func_path('2080109', 2021);\n\
         社会保障和就业支出 / 人力资源和社会保障管理事务 / 社会保险经办机构",
    )
    .with_related_udf("func_name")
    .build()
});

static ECON_DOC: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        DOC_SECTION_OTHER,
        "The names of a 部门预算支出经济分类 code and its 类, joined with ' / ', in a year \
         (catalog of that year or the nearest earlier; without a year, the newest names). A \
         level whose name is unknown shows its code instead.",
        "econ_path(code [, year])",
    )
    .with_argument("code", "Economic classification code (string or integer)")
    .with_argument("year", "Fiscal year; optional")
    .with_sql_example("> SELECT econ_path('30217', 2021);\n商品和服务支出 / 公务接待费")
    .with_related_udf("econ_name")
    .build()
});

impl ScalarUDFImpl for Path {
    fn name(&self) -> &str {
        match self.class {
            Classification::Function => "func_path",
            Classification::Economic => "econ_path",
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
                let level = level_of(self.class, c).map_err(|e| code_error(name, e))?;
                for l in 1..=level {
                    let ancestor = &c[..digits_at(l)];
                    if l > 1 {
                        out.push_str(SEPARATOR);
                    }
                    out.push_str(catalog.name(ancestor, year).unwrap_or(ancestor));
                }
                Ok(true)
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
