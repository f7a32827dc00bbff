//! Benchmarks of the budget SQL functions: grouping 10 million synthetic fact rows by
//! `func_rollup(func_code, 1)` against the same grouping by `substr(func_code, 1, 3)`, with
//! the code column as Utf8, Utf8View and `Dictionary(Int32, Utf8)`, in a MemTable.
//!
//! `cargo bench --bench functions`. Codes are the 项 codes of the shipped catalog, drawn
//! with a skew (a few codes carry most rows, as in real budgets); amounts are
//! `Decimal128(18, 2)` shared by the three tables.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use datafusion::arrow::array::{
    ArrayRef, Decimal128Array, DictionaryArray, RecordBatch, StringArray, StringViewArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use yusuan::catalog::{Catalog, Catalogs, Classification};

const ROWS: usize = 10_000_000;
const BATCH: usize = 8192;
const PARTITIONS: usize = 2;

/// A small deterministic generator (xorshift64*), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A skewed index below `n`: the least of three uniform draws, so the first codes
    /// get most rows.
    fn skewed(&mut self, n: usize) -> usize {
        let n = n as u64;
        let least = (self.next() % n).min(self.next() % n).min(self.next() % n);
        least as usize
    }
}

/// The 项 codes of the shipped function catalog, sorted.
fn leaf_codes() -> Vec<String> {
    let mut codes: Vec<String> = Catalog::shipped(Classification::Function)
        .all()
        .filter(|e| e.level == 3)
        .map(|e| e.code.clone())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// One table per layout of the code column, the amounts shared.
fn tables() -> Vec<(&'static str, Arc<MemTable>)> {
    let codes = leaf_codes();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut layouts: Vec<(&'static str, DataType, Vec<Vec<RecordBatch>>)> = vec![
        ("utf8", DataType::Utf8, vec![Vec::new(); PARTITIONS]),
        ("utf8view", DataType::Utf8View, vec![Vec::new(); PARTITIONS]),
        (
            "dictionary",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            vec![Vec::new(); PARTITIONS],
        ),
    ];
    let dictionary_values: ArrayRef = Arc::new(StringArray::from_iter_values(&codes));
    let mut start = 0;
    let mut batch_no = 0;
    while start < ROWS {
        let n = BATCH.min(ROWS - start);
        let picks: Vec<usize> = (0..n).map(|_| rng.skewed(codes.len())).collect();
        let amounts: ArrayRef = Arc::new(
            Decimal128Array::from_iter_values(picks.iter().map(|&i| (i as i128 + 1) * 10_000))
                .with_precision_and_scale(18, 2)
                .expect("valid decimals"),
        );
        for (_, code_type, partitions) in &mut layouts {
            let code_column: ArrayRef = match code_type {
                DataType::Utf8 => Arc::new(StringArray::from_iter_values(
                    picks.iter().map(|&i| codes[i].as_str()),
                )),
                DataType::Utf8View => Arc::new(StringViewArray::from_iter_values(
                    picks.iter().map(|&i| codes[i].as_str()),
                )),
                _ => Arc::new(
                    DictionaryArray::<Int32Type>::try_new(
                        picks.iter().map(|&i| i as i32).collect(),
                        Arc::clone(&dictionary_values),
                    )
                    .expect("valid dictionary"),
                ),
            };
            let schema = Arc::new(Schema::new(vec![
                Field::new("func_code", code_type.clone(), false),
                Field::new("amount", DataType::Decimal128(18, 2), false),
            ]));
            let batch = RecordBatch::try_new(schema, vec![code_column, Arc::clone(&amounts)])
                .expect("a valid batch");
            partitions[batch_no % PARTITIONS].push(batch);
        }
        start += n;
        batch_no += 1;
    }
    layouts
        .into_iter()
        .map(|(name, _, partitions)| {
            let schema = partitions[0][0].schema();
            (
                name,
                Arc::new(MemTable::try_new(schema, partitions).expect("a table")),
            )
        })
        .collect()
}

fn rollup_vs_substr(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let ctx = SessionContext::new();
    yusuan::functions::register_with(&ctx, Arc::new(Catalogs::shipped()))
        .expect("registers the functions");
    let tables = tables();
    for (name, table) in &tables {
        ctx.register_table(*name, Arc::clone(table) as _)
            .expect("registers");
    }

    let mut group = c.benchmark_group("group_by_lei_10m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, _) in &tables {
        for (label, key) in [
            ("func_rollup", "func_rollup(func_code, 1)"),
            ("substr", "substr(func_code, 1, 3)"),
        ] {
            let sql = format!("SELECT {key} AS lei, sum(amount) FROM {name} GROUP BY lei");
            group.bench_function(format!("{name}/{label}"), |b| {
                b.to_async(&runtime).iter(|| async {
                    let batches = ctx
                        .sql(&sql)
                        .await
                        .expect("plans")
                        .collect()
                        .await
                        .expect("runs");
                    assert!(!batches.is_empty());
                    batches
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, rollup_vs_substr);
criterion_main!(benches);
