//! Embedding yusuan in another program: open a lake, register it on your own
//! `SessionContext`, query it. The README's example; `cargo run --example embed` after the
//! quick start has built `data/lake`.

use yusuan::datafusion::prelude::{SessionConfig, SessionContext};
use yusuan::lake::Lake;

#[tokio::main]
async fn main() -> yusuan::datafusion::error::Result<()> {
    let lake = Lake::open("data/lake")?;
    // yusuan's runtime lists the lake afresh for every query (it changes as documents land).
    let runtime = yusuan::session::runtime_builder().build_arc()?;
    let ctx = SessionContext::new_with_config_rt(SessionConfig::new(), runtime);
    yusuan::session::register(&ctx, &lake).await?; // tables, views, functions
    ctx.sql(
        "SELECT func_code, func_name(func_code) AS name, total FROM expenditure ORDER BY func_code",
    )
    .await?
    .show()
    .await?;
    Ok(())
}
