//! `read_disclosure(path)`: a table function returning one document's facts, parsed on the
//! spot and never stored, with the columns of the `facts` view
//! (`SELECT * FROM read_disclosure('data/docs/x.txt') WHERE statement = 'three_public'`).
//!
//! The document goes through the same reading and parsing as `yusuan ingest`
//! ([`crate::ingest::load`]); an unreadable or unparsable document is a planning error
//! that names the file (and the line, where the parser gives one).

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int32Array, RecordBatch};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{DataFusionError, Result, ScalarValue, plan_err};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;

use crate::lake::schema::{self, DocumentKey};

/// The SQL name of the table function.
pub const NAME: &str = "read_disclosure";

/// `read_disclosure(path)`.
#[derive(Debug, Default)]
pub struct ReadDisclosure;

impl TableFunctionImpl for ReadDisclosure {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let path = match args.exprs() {
            [
                Expr::Literal(
                    ScalarValue::Utf8(Some(p))
                    | ScalarValue::LargeUtf8(Some(p))
                    | ScalarValue::Utf8View(Some(p)),
                    _,
                ),
            ] => p,
            _ => {
                return plan_err!(
                    "{NAME} takes one argument, the path of a document as a string literal: \
                     {NAME}('data/docs/x.txt')"
                );
            }
        };
        Ok(Arc::new(facts_table(Path::new(path))?))
    }
}

/// Parses one document and returns its facts as a table with the `facts` view's columns.
pub fn facts_table(path: &Path) -> Result<MemTable> {
    let loaded =
        crate::ingest::load(path).map_err(|e| DataFusionError::Plan(format!("{NAME}: {e}")))?;
    let key = DocumentKey {
        doc_id: &loaded.doc_id,
        doc: &loaded.doc,
    };
    let facts = schema::facts_batch(&key)
        .map_err(|e| DataFusionError::Plan(format!("{NAME}: {}: {e}", path.display())))?;
    let view_schema = schema::with_partition(facts.schema().as_ref());
    let years: ArrayRef = Arc::new(Int32Array::from(vec![
        loaded.doc.meta.fiscal_year;
        facts.num_rows()
    ]));
    let mut columns = facts.columns().to_vec();
    columns.insert(1, years);
    let batch = RecordBatch::try_new(view_schema.clone(), columns)?;
    MemTable::try_new(view_schema, vec![vec![batch]])
}
