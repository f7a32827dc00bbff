//! Benchmarks of the lake: parse + check + commit of one generated document, and the
//! report queries on a generated lake (compacted layout, as `yusuan gen --format lake`
//! writes it).
//!
//! `cargo bench --bench lake`; the lake has `YUSUAN_BENCH_DEPARTMENTS` departments × 10
//! years (default 1000: about 10⁶ facts), generated once into a temporary directory. The
//! side-by-side comparison with DuckDB is `benches/compare_duckdb.sh`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use yusuan::lake::Lake;
use yusuan::synth::{self, GenFormat, GenOptions};

fn ingest_one_document(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = GenOptions {
        departments: 1,
        years: 2021..=2021,
        ..GenOptions::default()
    };
    let orgs = synth::model::orgs(&options);
    let doc = synth::model::document(&options, &orgs[0], 2021);
    let path = dir.path().join("doc.txt");
    std::fs::write(&path, synth::text::render(&doc)).expect("the document is written");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/docs/wanyuan-shebaoju-2021-yusuan.txt");
    let lake = Lake::open(dir.path().join("lake")).expect("a lake");

    let mut group = c.benchmark_group("ingest");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("parse+check generated document", |b| {
        b.iter(|| yusuan::ingest::load(&path).expect("parses"))
    });
    group.bench_function("parse+check+commit generated document", |b| {
        b.iter(|| yusuan::ingest::ingest(&lake, &path).expect("ingests"))
    });
    group.bench_function("parse+check+commit seed document", |b| {
        b.iter(|| yusuan::ingest::ingest(&lake, &seed).expect("ingests"))
    });
    group.finish();
}

/// The report questions of `benches/compare_duckdb.py`, in yusuan's SQL.
const QUERIES: &[(&str, &str)] = &[
    (
        "by_lei_and_year",
        "SELECT fiscal_year, func_rollup(func_code, 1) AS lei, sum(total), sum(basic), sum(project) \
         FROM expenditure GROUP BY 1, 2",
    ),
    (
        "by_kuan_one_year",
        "SELECT func_rollup(func_code, 2), sum(total) FROM expenditure WHERE fiscal_year = 2021 GROUP BY 1",
    ),
    (
        "one_region_by_department",
        "SELECT org_name, sum(total) FROM expenditure WHERE region = '清河县' AND fiscal_year = 2022 GROUP BY 1",
    ),
    (
        "one_department_by_xiang",
        "SELECT fiscal_year, func_code, sum(total) FROM expenditure WHERE org_name = '清河县教育局' GROUP BY 1, 2",
    ),
    (
        "basic_by_econ_lei",
        "SELECT fiscal_year, econ_rollup(econ_code, 1), sum(total) FROM basic_by_econ GROUP BY 1, 2",
    ),
    (
        "year_over_year_join",
        "WITH cur AS (SELECT org_name, func_rollup(func_code, 1) AS lei, sum(total) AS t FROM expenditure \
         WHERE fiscal_year = 2023 GROUP BY 1, 2), prev AS (SELECT org_name, func_rollup(func_code, 1) AS lei, \
         sum(total) AS t FROM expenditure WHERE fiscal_year = 2022 GROUP BY 1, 2) \
         SELECT cur.lei, sum(cur.t - prev.t) FROM cur JOIN prev ON cur.org_name = prev.org_name \
         AND cur.lei = prev.lei GROUP BY 1",
    ),
    (
        "three_public_by_region",
        "SELECT fiscal_year, region, sum(budget) FROM three_public GROUP BY 1, 2",
    ),
];

fn report_queries(c: &mut Criterion) {
    let departments = std::env::var("YUSUAN_BENCH_DEPARTMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let options = GenOptions {
        departments,
        ..GenOptions::default()
    };
    let report =
        synth::generate(GenFormat::Lake, &options, dir.path()).expect("the lake is generated");
    eprintln!("bench lake: {report}");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let lake = Lake::open(dir.path()).expect("the lake opens");
    let ctx = runtime
        .block_on(yusuan::session::new_context(&lake))
        .expect("a session");

    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (name, sql) in QUERIES {
        group.bench_function(*name, |b| {
            b.to_async(&runtime).iter(|| async {
                ctx.sql(sql)
                    .await
                    .expect("plans")
                    .collect()
                    .await
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, ingest_one_document, report_queries);
criterion_main!(benches);
