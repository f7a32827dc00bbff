//! The lake's guarantees, through the library: what a commit writes, and what it leaves.

use yusuan::datafusion::prelude::SessionContext;
use yusuan::lake::Lake;

use super::{seed, snapshot};

#[test]
fn one_file_per_table_in_the_year_partition() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let (loaded, summary) = yusuan::ingest::ingest(&lake, &seed()).unwrap();
    assert_eq!(summary.fiscal_year, 2021);
    assert!(!summary.replaced);
    for table in ["facts", "narrative", "targets", "findings", "documents"] {
        let file = lake.file_path(table, 2021, &loaded.doc_id);
        assert!(file.is_file(), "{} is missing", file.display());
    }
    assert_eq!(lake.document_ids().unwrap(), vec![loaded.doc_id.clone()]);
    // Nothing is left in staging.
    assert_eq!(
        std::fs::read_dir(dir.path().join("_staging"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn doc_id_is_the_hash_of_the_bytes() {
    let bytes = std::fs::read(seed()).unwrap();
    let id = yusuan::ingest::doc_id(&bytes);
    assert_eq!(id.len(), 16);
    // `sha256sum data/docs/wanyuan-shebaoju-2021-yusuan.txt` begins 2d398ef3830393fb.
    assert_eq!(id, "2d398ef3830393fb");
}

#[test]
fn a_failed_parse_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake")).unwrap();
    let before = snapshot(lake.root());
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "# 某单位\n\n没有任何表格。\n").unwrap();
    let err = yusuan::ingest::ingest(&lake, &bad).unwrap_err();
    assert!(err.to_string().contains("bad.txt"), "{err}");
    assert_eq!(snapshot(lake.root()), before);
}

/// Simulates a crash after the commit point: the staged files and the manifest exist, the
/// renames did not happen. Opening the lake finishes the commit.
#[test]
fn a_commit_interrupted_after_its_manifest_is_finished_on_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let (loaded, _) = yusuan::ingest::ingest(&lake, &seed()).unwrap();
    let stage = dir.path().join("_staging").join("crashed");
    std::fs::create_dir_all(&stage).unwrap();
    let mut manifest = String::new();
    for table in ["facts", "narrative", "targets", "findings", "documents"] {
        let committed = lake.file_path(table, 2021, &loaded.doc_id);
        std::fs::rename(&committed, stage.join(format!("{table}.parquet"))).unwrap();
        let relative = committed.strip_prefix(dir.path()).unwrap();
        manifest.push_str(&format!("{table}.parquet\t{}\n", relative.display()));
    }
    std::fs::write(stage.join("COMMIT"), manifest).unwrap();
    assert!(lake.is_empty().unwrap());

    yusuan::lake::commit::recover(&lake).unwrap();
    assert_eq!(lake.document_ids().unwrap(), vec![loaded.doc_id.clone()]);
    assert!(lake.file_path("facts", 2021, &loaded.doc_id).is_file());
    assert!(!stage.exists());
}

/// A crash before the commit point leaves staged files without a manifest: they are
/// discarded and the lake stays as it was.
#[test]
fn a_commit_interrupted_before_its_manifest_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let stage = dir.path().join("_staging").join("half");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(stage.join("facts.parquet"), b"half a file").unwrap();
    yusuan::lake::commit::recover(&lake).unwrap();
    assert!(!stage.exists());
    assert!(lake.is_empty().unwrap());
}

/// A query's result as an ASCII table.
async fn pretty(ctx: &SessionContext, sql: &str) -> String {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    yusuan::datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string()
}

/// A long-lived session (the REPL) sees documents ingested after it opened, and stops
/// seeing the old version's facts once a new version supersedes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_session_sees_later_ingests() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let ctx = yusuan::session::new_context(&lake).await.unwrap();
    let count = || pretty(&ctx, "SELECT count(DISTINCT doc_id) AS n FROM facts");
    assert!(count().await.contains("| 0 |"), "{}", count().await);
    yusuan::ingest::ingest(&lake, &seed()).unwrap();
    assert!(count().await.contains("| 1 |"), "{}", count().await);
    let revised = dir.path().join("revised.txt");
    let text = std::fs::read_to_string(seed()).unwrap();
    std::fs::write(
        &revised,
        text.replace("按照预算管理有关规定", "按照预算管理有关规定（修订）"),
    )
    .unwrap();
    yusuan::ingest::ingest(&lake, &revised).unwrap();
    assert!(count().await.contains("| 1 |"), "{}", count().await);
}

/// The names printed in the documents are cached beside the lake for the next session, and
/// the cache is used only while the `facts` files are the ones it was computed from.
#[tokio::test]
async fn observed_names_are_cached_until_the_facts_change() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    yusuan::ingest::ingest(&lake, &seed()).unwrap();
    let document_name = |ctx: SessionContext| async move {
        pretty(
            &ctx,
            "SELECT name FROM func_class WHERE source = 'document' AND code = '2080801'",
        )
        .await
    };
    // The seed prints 2080801 死亡抚恤 (lines 185, 242, 260 and 308).
    let first = yusuan::session::new_context(&lake).await.unwrap();
    assert!(document_name(first).await.contains("| 死亡抚恤 |"));
    let cache = dir.path().join(yusuan::lake::observed_names::FILE_NAME);
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(text.starts_with("# yusuan observed names v1 "), "{text}");

    // A session reads the cache: a name edited in it (same fingerprint) is what it sees.
    std::fs::write(&cache, text.replace("\t死亡抚恤\t", "\t死亡抚恤（缓存）\t")).unwrap();
    let cached = yusuan::session::new_context(&lake).await.unwrap();
    assert!(document_name(cached).await.contains("| 死亡抚恤（缓存） |"));

    // A new version of the document changes the files: the cache is stale and ignored.
    let revised = dir.path().join("revised.txt");
    let seed_text = std::fs::read_to_string(seed()).unwrap();
    std::fs::write(&revised, seed_text.replace("死亡抚恤", "死亡抚恤金")).unwrap();
    yusuan::ingest::ingest(&lake, &revised).unwrap();
    let after = yusuan::session::new_context(&lake).await.unwrap();
    let shown = document_name(after).await;
    assert!(shown.contains("| 死亡抚恤金 |"), "{shown}");
    assert!(!shown.contains("缓存"), "{shown}");
}

/// Versions of one organisation's document committed at the same time (as by two
/// `yusuan ingest` runs) leave exactly one of them live: commits take the lake's lock.
#[test]
fn concurrent_versions_leave_one_live() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake")).unwrap();
    let text = std::fs::read_to_string(seed()).unwrap();
    let paths: Vec<_> = (0..4)
        .map(|i| {
            let path = dir.path().join(format!("v{i}.txt"));
            let revised = text.replace(
                "按照预算管理有关规定",
                &format!("按照预算管理有关规定（第{i}版）"),
            );
            std::fs::write(&path, revised).unwrap();
            path
        })
        .collect();
    std::thread::scope(|scope| {
        for path in &paths {
            let lake = Lake::open(dir.path().join("lake")).unwrap();
            scope.spawn(move || yusuan::ingest::ingest(&lake, path).unwrap());
        }
    });
    let documents = lake.documents_in_year(2021).unwrap();
    assert_eq!(documents.len(), 4);
    assert_eq!(documents.iter().filter(|d| d.live).count(), 1);
}
