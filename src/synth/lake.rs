//! The generator's fast path: writes the lake directly, already in the compacted layout of
//! [`crate::lake::compact`] (per partition, sorted parts of many documents and an index of
//! which doc_ids each part holds), so a lake of 10⁸ facts takes minutes, not hours of
//! parsing.
//!
//! The rows are the ones the parser produces for the same document in the text format
//! (same statements, measures, subtotal rows flagged `is_total`), with `src_line` numbering
//! the rows in table order. Written: `facts` and `documents`. Not written: `narrative`,
//! `targets` and `findings` (the checks do not run on this path; generate text and ingest
//! it to exercise them). A re-ingest into such a lake replaces a document like in any
//! compacted lake ([`crate::lake::compact::extract_document`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Decimal128Builder, Int32Builder, Int64Builder, RecordBatch,
    StringBuilder, TimestampMicrosecondBuilder,
};

use crate::catalog::Classification;
use crate::lake::compact::{self, PartWriter};
use crate::lake::{Lake, schema};

use super::model::{self, Defect, Doc, Org, name_of};
use super::{GenOptions, GenReport};

const BATCH_ROWS: usize = 65_536;

/// One fact row before it goes into the columns.
struct Row {
    statement: &'static str,
    direction: &'static str,
    func_code: Option<String>,
    econ_code: Option<String>,
    fund: Option<&'static str>,
    measure: &'static str,
    measure_label: String,
    period: &'static str,
    item: String,
    is_total: bool,
    /// 元 (whole).
    amount: i64,
    unit: &'static str,
    src_line: i32,
}

struct Emitter {
    rows: Vec<Row>,
    line: i32,
}

impl Emitter {
    fn next_line(&mut self) -> i32 {
        self.line += 1;
        self.line
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        statement: &'static str,
        direction: &'static str,
        func_code: Option<&str>,
        econ_code: Option<&str>,
        fund: Option<&'static str>,
        measure: &'static str,
        measure_label: &str,
        item: &str,
        is_total: bool,
        amount: i64,
        unit: &'static str,
        line: i32,
    ) {
        self.rows.push(Row {
            statement,
            direction,
            func_code: func_code.map(str::to_string),
            econ_code: econ_code.map(str::to_string),
            fund,
            measure,
            measure_label: measure_label.to_string(),
            period: "current",
            item: item.to_string(),
            is_total,
            amount,
            unit,
            src_line: line,
        });
    }
}

/// The facts of one document, as the parser would produce them for its text.
fn facts_of(doc: &Doc) -> Vec<Row> {
    let mut e = Emitter {
        rows: Vec::new(),
        line: 100,
    };
    let year = doc.year;
    let ylabel = format!("{year}年预算数");
    let f = Classification::Function;
    let c = Classification::Economic;

    // 三公 statistics table, in 万元.
    let three = doc.three;
    let mut reception_printed = three.reception;
    if let Some(Defect::ThreePublicOff(d)) = doc.defect {
        reception_printed += d;
    }
    let l = e.next_line();
    e.push(
        "three_public",
        "expenditure",
        None,
        None,
        None,
        "amount",
        "本年预算数",
        "合计",
        true,
        three.total(),
        "万元",
        l,
    );
    let items: [(&str, Option<&str>, i64, bool); 5] = [
        ("因公出国（境）费", Some("30212"), three.abroad, false),
        (
            "公务接待费",
            Some("30217"),
            if doc.defect == Some(Defect::UnitMixup) {
                reception_printed * 10_000
            } else {
                reception_printed
            },
            false,
        ),
        (
            "公务用车购置及运行维护费",
            None,
            three.car_buy + three.car_run,
            true,
        ),
        ("公务用车运行维护费", Some("30231"), three.car_run, false),
        ("公务用车购置费", Some("31013"), three.car_buy, false),
    ];
    for (item, econ, amount, total) in items {
        let l = e.next_line();
        e.push(
            "three_public",
            "expenditure",
            None,
            econ,
            None,
            "amount",
            "本年预算数",
            item,
            total,
            amount,
            "万元",
            l,
        );
    }

    // 部门收支总表.
    let total = doc.total();
    let l = e.next_line();
    e.push(
        "summary",
        "income",
        None,
        None,
        Some("general_budget"),
        "total",
        &ylabel,
        "一般公共预算拨款收入",
        false,
        total,
        "元",
        l,
    );
    for (class, amount) in doc.by_class() {
        let l = e.next_line();
        e.push(
            "summary",
            "expenditure",
            Some(&class),
            None,
            None,
            "total",
            &ylabel,
            &name_of(f, &class, year),
            false,
            amount,
            "元",
            l,
        );
    }
    let l = e.next_line();
    e.push(
        "summary",
        "income",
        None,
        None,
        None,
        "total",
        &ylabel,
        "本年收入合计",
        true,
        total,
        "元",
        l,
    );
    e.push(
        "summary",
        "expenditure",
        None,
        None,
        None,
        "total",
        &ylabel,
        "本年支出合计",
        true,
        total,
        "元",
        l,
    );
    let l = e.next_line();
    e.push(
        "summary",
        "income",
        None,
        None,
        None,
        "total",
        &ylabel,
        "收入总计",
        true,
        total,
        "元",
        l,
    );
    e.push(
        "summary",
        "expenditure",
        None,
        None,
        None,
        "total",
        &ylabel,
        "支出总计",
        true,
        total,
        "元",
        l,
    );

    // 部门支出总表.
    let off = match doc.defect {
        Some(Defect::SubtotalOff(d)) => d,
        _ => 0,
    };
    let (basic, project) = (doc.basic(), doc.project());
    for (item, extra) in [("合计", off), (doc.org.short.as_str(), 0)] {
        let l = e.next_line();
        e.push(
            "expenditure_by_func",
            "expenditure",
            None,
            None,
            None,
            "total",
            "合计",
            item,
            true,
            total + extra,
            "元",
            l,
        );
        e.push(
            "expenditure_by_func",
            "expenditure",
            None,
            None,
            None,
            "basic",
            "基本支出",
            item,
            true,
            basic,
            "元",
            l,
        );
        if project > 0 {
            e.push(
                "expenditure_by_func",
                "expenditure",
                None,
                None,
                None,
                "project",
                "项目支出",
                item,
                true,
                project,
                "元",
                l,
            );
        }
    }
    for line in &doc.funcs {
        let l = e.next_line();
        let name = name_of(f, &line.code, year);
        let code = Some(line.code.as_str());
        e.push(
            "expenditure_by_func",
            "expenditure",
            code,
            None,
            None,
            "total",
            "合计",
            &name,
            false,
            line.basic + line.project,
            "元",
            l,
        );
        if line.basic > 0 {
            e.push(
                "expenditure_by_func",
                "expenditure",
                code,
                None,
                None,
                "basic",
                "基本支出",
                &name,
                false,
                line.basic,
                "元",
                l,
            );
        }
        if line.project > 0 {
            e.push(
                "expenditure_by_func",
                "expenditure",
                code,
                None,
                None,
                "project",
                "项目支出",
                &name,
                false,
                line.project,
                "元",
                l,
            );
        }
    }

    // 一般公共预算基本支出表 by 经济分类: 合计, 类 subtotals, 款 leaves.
    let gb = Some("general_budget");
    let (personnel, public_use) = (doc.personnel(), doc.public_use());
    let l = e.next_line();
    e.push(
        "gpb_basic_by_econ",
        "expenditure",
        None,
        None,
        gb,
        "total",
        "合计",
        "合计",
        true,
        basic,
        "元",
        l,
    );
    e.push(
        "gpb_basic_by_econ",
        "expenditure",
        None,
        None,
        gb,
        "personnel",
        "人员经费",
        "合计",
        true,
        personnel,
        "元",
        l,
    );
    e.push(
        "gpb_basic_by_econ",
        "expenditure",
        None,
        None,
        gb,
        "public_use",
        "公用经费",
        "合计",
        true,
        public_use,
        "元",
        l,
    );
    for group in doc.econ_classes() {
        let (class, p, u) = (group.code, group.personnel, group.public_use);
        let l = e.next_line();
        let cname = name_of(c, class, year);
        e.push(
            "gpb_basic_by_econ",
            "expenditure",
            None,
            Some(class),
            gb,
            "total",
            "合计",
            &cname,
            true,
            p + u,
            "元",
            l,
        );
        if p > 0 {
            e.push(
                "gpb_basic_by_econ",
                "expenditure",
                None,
                Some(class),
                gb,
                "personnel",
                "人员经费",
                &cname,
                true,
                p,
                "元",
                l,
            );
        }
        if u > 0 {
            e.push(
                "gpb_basic_by_econ",
                "expenditure",
                None,
                Some(class),
                gb,
                "public_use",
                "公用经费",
                &cname,
                true,
                u,
                "元",
                l,
            );
        }
        for x in group.lines {
            let l = e.next_line();
            let name = name_of(c, &x.code, year);
            let code = Some(x.code.as_str());
            e.push(
                "gpb_basic_by_econ",
                "expenditure",
                None,
                code,
                gb,
                "total",
                "合计",
                &name,
                false,
                x.personnel + x.public_use,
                "元",
                l,
            );
            if x.personnel > 0 {
                e.push(
                    "gpb_basic_by_econ",
                    "expenditure",
                    None,
                    code,
                    gb,
                    "personnel",
                    "人员经费",
                    &name,
                    false,
                    x.personnel,
                    "元",
                    l,
                );
            }
            if x.public_use > 0 {
                e.push(
                    "gpb_basic_by_econ",
                    "expenditure",
                    None,
                    code,
                    gb,
                    "public_use",
                    "公用经费",
                    &name,
                    false,
                    x.public_use,
                    "元",
                    l,
                );
            }
        }
    }

    // 项目支出表.
    let l = e.next_line();
    e.push(
        "gpb_projects",
        "expenditure",
        None,
        None,
        gb,
        "amount",
        "金额",
        "合计",
        true,
        project,
        "元",
        l,
    );
    let l = e.next_line();
    e.push(
        "gpb_projects",
        "expenditure",
        None,
        None,
        gb,
        "amount",
        "金额",
        &doc.org.short,
        true,
        project,
        "元",
        l,
    );
    for p in &doc.projects {
        let l = e.next_line();
        e.push(
            "gpb_projects",
            "expenditure",
            Some(&p.func_code),
            None,
            gb,
            "amount",
            "金额",
            &p.name,
            false,
            p.amount,
            "元",
            l,
        );
    }

    // The 三公 table in 元 with the prior year (上年预算数).
    let l = e.next_line();
    let prior = doc.prior_three;
    for (item, econ, cur, pri) in [
        ("因公出国（境）费", "30212", three.abroad, prior.abroad),
        ("公务接待费", "30217", reception_printed, prior.reception),
        ("公务用车运行维护费", "30231", three.car_run, prior.car_run),
        ("公务用车购置费", "31013", three.car_buy, prior.car_buy),
    ] {
        e.push(
            "three_public",
            "expenditure",
            None,
            Some(econ),
            None,
            "amount",
            "本年预算数",
            item,
            false,
            cur,
            "元",
            l,
        );
        e.rows.push(Row {
            period: "prior",
            measure_label: "上年预算数".into(),
            ..Row {
                statement: "three_public",
                direction: "expenditure",
                func_code: None,
                econ_code: Some(econ.into()),
                fund: None,
                measure: "amount",
                measure_label: String::new(),
                period: "prior",
                item: item.into(),
                is_total: false,
                amount: pri,
                unit: "元",
                src_line: l,
            }
        });
    }

    // Within a document and statement, the lake's order: (func_code, econ_code), nulls last.
    e.rows.sort_by(|a, b| {
        key(&a.func_code)
            .cmp(&key(&b.func_code))
            .then_with(|| key(&a.econ_code).cmp(&key(&b.econ_code)))
    });
    e.rows
}

fn key(v: &Option<String>) -> (bool, &str) {
    match v {
        Some(s) => (false, s.as_str()),
        None => (true, ""),
    }
}

/// Column builders of the facts file schema.
struct FactColumns {
    doc_id: StringBuilder,
    phase: StringBuilder,
    region: StringBuilder,
    org_name: StringBuilder,
    org_code: StringBuilder,
    statement: StringBuilder,
    direction: StringBuilder,
    func_code: StringBuilder,
    econ_code: StringBuilder,
    fund: StringBuilder,
    measure: StringBuilder,
    measure_label: StringBuilder,
    period: StringBuilder,
    item: StringBuilder,
    is_total: BooleanBuilder,
    amount: Decimal128Builder,
    unit: StringBuilder,
    src_line: Int32Builder,
    len: usize,
}

impl FactColumns {
    fn new() -> FactColumns {
        FactColumns {
            doc_id: StringBuilder::new(),
            phase: StringBuilder::new(),
            region: StringBuilder::new(),
            org_name: StringBuilder::new(),
            org_code: StringBuilder::new(),
            statement: StringBuilder::new(),
            direction: StringBuilder::new(),
            func_code: StringBuilder::new(),
            econ_code: StringBuilder::new(),
            fund: StringBuilder::new(),
            measure: StringBuilder::new(),
            measure_label: StringBuilder::new(),
            period: StringBuilder::new(),
            item: StringBuilder::new(),
            is_total: BooleanBuilder::new(),
            amount: Decimal128Builder::new(),
            unit: StringBuilder::new(),
            src_line: Int32Builder::new(),
            len: 0,
        }
    }

    fn append(&mut self, doc_id: &str, org: &Org, r: &Row) {
        self.doc_id.append_value(doc_id);
        self.phase.append_value("budget");
        self.region.append_value(&org.region);
        self.org_name.append_value(&org.name);
        self.org_code.append_value(&org.code);
        self.statement.append_value(r.statement);
        self.direction.append_value(r.direction);
        self.func_code.append_option(r.func_code.as_deref());
        self.econ_code.append_option(r.econ_code.as_deref());
        self.fund.append_option(r.fund);
        self.measure.append_value(r.measure);
        self.measure_label.append_value(&r.measure_label);
        self.period.append_value(r.period);
        self.item.append_value(&r.item);
        self.is_total.append_value(r.is_total);
        self.amount.append_value(r.amount as i128 * 100);
        self.unit.append_value(r.unit);
        self.src_line.append_value(r.src_line);
        self.len += 1;
    }

    fn finish(&mut self) -> std::io::Result<RecordBatch> {
        let amount = self
            .amount
            .finish()
            .with_precision_and_scale(18, 2)
            .map_err(std::io::Error::other)?;
        let n = self.len;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("doc_id", Arc::new(self.doc_id.finish())),
            ("phase", Arc::new(self.phase.finish())),
            ("region", Arc::new(self.region.finish())),
            ("org_name", Arc::new(self.org_name.finish())),
            ("org_code", Arc::new(self.org_code.finish())),
            ("statement", Arc::new(self.statement.finish())),
            ("direction", Arc::new(self.direction.finish())),
            ("func_code", Arc::new(self.func_code.finish())),
            ("econ_code", Arc::new(self.econ_code.finish())),
            ("fund", Arc::new(self.fund.finish())),
            ("measure", Arc::new(self.measure.finish())),
            ("measure_label", Arc::new(self.measure_label.finish())),
            ("period", Arc::new(self.period.finish())),
            ("item", Arc::new(self.item.finish())),
            ("is_total", Arc::new(self.is_total.finish())),
            ("amount", Arc::new(amount)),
            ("unit", Arc::new(self.unit.finish())),
            ("src_line", Arc::new(self.src_line.finish())),
        ];
        self.len = 0;
        conform("facts", columns, n)
    }
}

/// Writes a lake of `options.departments` × `options.years` documents into `out`, which
/// must be empty of data (a new lake).
pub fn write_lake(options: &GenOptions, out: &Path) -> std::io::Result<GenReport> {
    let started = Instant::now();
    let lake = Lake::open(out)?;
    if !lake.document_ids()?.is_empty() || !compact::compacted_doc_ids(&lake)?.is_empty() {
        return Err(std::io::Error::other(format!(
            "{} already holds documents: generate into a new directory",
            out.display()
        )));
    }
    let orgs = model::orgs(options);
    let mut order: Vec<usize> = (0..orgs.len()).collect();
    order.sort_by(|&a, &b| orgs[a].name.cmp(&orgs[b].name));
    let years: Vec<i32> = options.years.clone().collect();
    let next = AtomicU64::new(0);
    let documents = AtomicU64::new(0);
    let facts = AtomicU64::new(0);
    let defects = AtomicU64::new(0);
    let files = AtomicU64::new(0);
    let threads = options.threads.clamp(1, years.len().max(1));
    let results: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> std::io::Result<()> {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some(&year) = years.get(k) else {
                            return Ok(());
                        };
                        let (d, f, x, n) = write_year(&lake, options, &orgs, &order, year)?;
                        documents.fetch_add(d, Ordering::Relaxed);
                        facts.fetch_add(f, Ordering::Relaxed);
                        defects.fetch_add(x, Ordering::Relaxed);
                        files.fetch_add(n, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a generator thread failed")))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    let bytes = dir_size(out);
    Ok(GenReport {
        documents: documents.into_inner(),
        facts: facts.into_inner(),
        defects: defects.into_inner(),
        bytes,
        files: files.into_inner(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                total += dir_size(&p);
            } else if let Ok(m) = e.metadata() {
                total += m.len();
            }
        }
    }
    total
}

/// Writes one year's partitions of `facts` and `documents`.
fn write_year(
    lake: &Lake,
    options: &GenOptions,
    orgs: &[Org],
    order: &[usize],
    year: i32,
) -> std::io::Result<(u64, u64, u64, u64)> {
    let facts_dir = compact::staging_dir(lake, &format!("gen-facts-{year}"))?;
    let docs_dir = compact::staging_dir(lake, &format!("gen-documents-{year}"))?;
    let mut facts_out = PartWriter::new(&facts_dir, "facts", 1 << 20, 8 << 20)?;
    let mut docs_out = PartWriter::new(&docs_dir, "documents", 1 << 20, 8 << 20)?;
    // Facts are sorted by statement first (the compacted order, see
    // `compact::sort_columns`): each statement's rows are collected in document order and
    // written after the year is generated, statements in name order.
    let mut by_statement: BTreeMap<&'static str, (FactColumns, Vec<RecordBatch>)> = BTreeMap::new();
    let mut docs = DocColumns::default();
    let (mut n_docs, mut n_facts, mut n_defects) = (0u64, 0u64, 0u64);
    let now = chrono::Utc::now().timestamp_micros();
    for &i in order {
        let org = &orgs[i];
        let doc = model::document(options, org, year);
        let id = doc.synthetic_id(options.seed);
        let rows = facts_of(&doc);
        for r in &rows {
            let (cols, done) = by_statement
                .entry(r.statement)
                .or_insert_with(|| (FactColumns::new(), Vec::new()));
            cols.append(&id, org, r);
            if cols.len >= BATCH_ROWS {
                done.push(cols.finish()?);
            }
        }
        docs.append(&id, &doc, rows.len(), now);
        n_docs += 1;
        n_facts += rows.len() as u64;
        n_defects += u64::from(doc.defect.is_some());
        if docs.len >= BATCH_ROWS {
            docs_out.write(&docs.finish()?)?;
        }
    }
    for (_, (mut cols, done)) in by_statement {
        for batch in &done {
            facts_out.write(batch)?;
        }
        if cols.len > 0 {
            facts_out.write(&cols.finish()?)?;
        }
    }
    if docs.len > 0 {
        docs_out.write(&docs.finish()?)?;
    }
    let (fparts, _) = facts_out.finish()?;
    let (dparts, _) = docs_out.finish()?;
    compact::install_new_partition(lake, "facts", year, &facts_dir)?;
    compact::install_new_partition(lake, "documents", year, &docs_dir)?;
    Ok((
        n_docs,
        n_facts,
        n_defects,
        (fparts.len() + dparts.len()) as u64,
    ))
}

/// Column builders of the documents file schema.
#[derive(Default)]
struct DocColumns {
    doc_id: StringBuilder,
    phase: StringBuilder,
    region: StringBuilder,
    org_name: StringBuilder,
    org_code: StringBuilder,
    path: StringBuilder,
    title: StringBuilder,
    units: StringBuilder,
    tables_found: StringBuilder,
    table_count: Int32Builder,
    fact_count: Int64Builder,
    finding_count: Int64Builder,
    source_bytes: Int64Builder,
    ingested_at: TimestampMicrosecondBuilder,
    len: usize,
}

impl DocColumns {
    fn append(&mut self, id: &str, doc: &Doc, facts: usize, now: i64) {
        let org = doc.org;
        self.doc_id.append_value(id);
        self.phase.append_value("budget");
        self.region.append_value(&org.region);
        self.org_name.append_value(&org.name);
        self.org_code.append_value(&org.code);
        self.path
            .append_value(format!("generated:{}-{}.txt", org.code, doc.year));
        self.title
            .append_value(format!("{}{}年部门预算", org.name, doc.year));
        self.units.append_value("元；万元");
        self.tables_found.append_value(
            "three_public,summary,expenditure_by_func,gpb_basic_by_econ,gpb_projects",
        );
        self.table_count.append_value(6);
        self.fact_count.append_value(facts as i64);
        self.finding_count.append_value(0);
        self.source_bytes.append_value(0);
        self.ingested_at.append_value(now);
        self.len += 1;
    }

    fn finish(&mut self) -> std::io::Result<RecordBatch> {
        let n = self.len;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("doc_id", Arc::new(self.doc_id.finish())),
            ("phase", Arc::new(self.phase.finish())),
            ("region", Arc::new(self.region.finish())),
            ("org_name", Arc::new(self.org_name.finish())),
            ("org_code", Arc::new(self.org_code.finish())),
            ("path", Arc::new(self.path.finish())),
            ("title", Arc::new(self.title.finish())),
            ("units", Arc::new(self.units.finish())),
            ("tables_found", Arc::new(self.tables_found.finish())),
            ("table_count", Arc::new(self.table_count.finish())),
            ("fact_count", Arc::new(self.fact_count.finish())),
            ("finding_count", Arc::new(self.finding_count.finish())),
            ("source_bytes", Arc::new(self.source_bytes.finish())),
            (
                "ingested_at",
                Arc::new(self.ingested_at.finish().with_timezone("UTC")),
            ),
        ];
        self.len = 0;
        conform("documents", columns, n)
    }
}

/// Puts generated columns in the order of the lake's current file schema; a column the
/// schema has and the generator does not know gets NULL, or where it cannot be null a
/// neutral value (true, 0, empty string), so the generator keeps up with schema additions.
fn conform(
    table: &str,
    columns: Vec<(&str, ArrayRef)>,
    rows: usize,
) -> std::io::Result<RecordBatch> {
    use datafusion::arrow::array::{BooleanArray, new_null_array};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::DataType;
    let schema = schema::file_schema(table)
        .ok_or_else(|| std::io::Error::other(format!("no schema for {table}")))?;
    let mut by_name: std::collections::HashMap<&str, ArrayRef> = columns.into_iter().collect();
    let mut out = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let array = match by_name.remove(field.name().as_str()) {
            Some(a) => a,
            None if field.is_nullable() => new_null_array(field.data_type(), rows),
            None => {
                let filler: ArrayRef = match field.data_type() {
                    DataType::Boolean => Arc::new(BooleanArray::from(vec![true; rows])),
                    _ => Arc::new(datafusion::arrow::array::StringArray::from(vec![""; rows])),
                };
                if field.data_type() == filler.data_type() {
                    filler
                } else {
                    let zeros: ArrayRef =
                        Arc::new(datafusion::arrow::array::Int64Array::from(vec![0i64; rows]));
                    cast(&zeros, field.data_type()).map_err(std::io::Error::other)?
                }
            }
        };
        out.push(array);
    }
    RecordBatch::try_new(schema, out).map_err(std::io::Error::other)
}
