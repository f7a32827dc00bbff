//! Runs the `.slt` files under `sql/tests/` against yusuan's own `SessionContext`, on a lake
//! built from the bundled sample documents in `data/docs/`.
//!
//! `cargo test --test sqllogictests` runs them; `-- --complete` rewrites the expected
//! results (review the diff before committing: every number must be checked by hand);
//! `-- NAME` runs only the files whose path contains NAME.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use async_trait::async_trait;
use sqllogictest::{DBOutput, DefaultColumnType};
use yusuan::datafusion::arrow::array::{Array, RecordBatch};
use yusuan::datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use yusuan::datafusion::error::DataFusionError;
use yusuan::datafusion::prelude::SessionContext;
use yusuan::lake::Lake;

struct YusuanDb {
    ctx: SessionContext,
}

fn render(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, DataFusionError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let text = f.value(row).to_string();
                        if batch.column(i).is_valid(row) && text.is_empty() {
                            "(empty)".to_string()
                        } else {
                            text
                        }
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}

#[async_trait]
impl sqllogictest::AsyncDB for YusuanDb {
    type Error = DataFusionError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<Self::ColumnType>, Self::Error> {
        let df = self.ctx.sql(sql).await?;
        let width = df.schema().fields().len();
        let batches = df.collect().await?;
        if width == 0 {
            return Ok(DBOutput::StatementComplete(0));
        }
        Ok(DBOutput::Rows {
            types: vec![DefaultColumnType::Any; width],
            rows: render(&batches)?,
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "yusuan"
    }

    async fn sleep(dur: std::time::Duration) {
        tokio::time::sleep(dur).await;
    }
}

fn slt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            slt_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slt") {
            out.push(path);
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let lake_dir = tempfile::tempdir().expect("a temporary directory");
    let lake = Lake::open(lake_dir.path()).expect("a new lake");
    let docs = yusuan::ingest::collect_paths(&root.join("data/docs")).expect("data/docs");
    for doc in docs.files {
        if let Err(e) = yusuan::ingest::ingest(&lake, &doc) {
            eprintln!("cannot ingest the sample {}: {e}", doc.display());
            return ExitCode::FAILURE;
        }
    }

    let mut files = Vec::new();
    slt_files(&root.join("sql"), &mut files);
    files.sort();
    files.retain(|f| {
        filters.is_empty()
            || filters
                .iter()
                .any(|p| f.to_string_lossy().contains(p.as_str()))
    });

    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let lake = lake.clone();
        let mut runner = sqllogictest::Runner::new(move || {
            let lake = lake.clone();
            async move {
                let ctx = yusuan::session::new_context(&lake).await?;
                Ok::<_, DataFusionError>(YusuanDb { ctx })
            }
        });
        let name = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let result = if complete {
            runner
                .update_test_file(
                    file,
                    " ",
                    sqllogictest::default_validator,
                    sqllogictest::default_normalizer,
                    sqllogictest::default_column_validator,
                )
                .await
                .map_err(|e| e.to_string())
        } else {
            runner.run_file_async(file).await.map_err(|e| e.to_string())
        };
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok     {name}");
            }
            Err(e) => {
                failed += 1;
                println!("FAILED {name}\n{e}");
            }
        }
    }
    println!("sqllogictest: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
