//! Runs PC-stable on a local CSV and prints the result in the JSON shape of
//! `compare_causal_learn.py`, for cross-checks against causal-learn:
//!
//! ```text
//! cargo run --release -p causeway-pc --example pc_csv -- DATA.csv {fisherz|chisq|gsq|gaussCI|disCI|binCI} ALPHA \
//!     [--index-col] [--threads N]
//! ```
//!
//! The header may hold any names (variables are numbered by position); `--index-col` drops the
//! first column.

use anyhow::{Context, Result, bail};
use causeway_pc::ci::{CiTest, TestKind};
use causeway_pc::data::parse_csv;
use causeway_pc::pc::run_pc;
use causeway_pc::skeleton::{SepsetRule, SkeletonConfig};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        bail!("usage: pc_csv DATA.csv TEST ALPHA [--index-col] [--threads N]");
    }
    let text = std::fs::read_to_string(&args[0]).with_context(|| format!("reading {}", args[0]))?;
    let test = TestKind::parse(&args[1]).context("unknown test")?;
    let alpha: f64 = args[2].parse().context("alpha")?;
    let index_col = args.iter().any(|a| a == "--index-col");
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(2), |t| t.parse())
        .context("threads")?;

    // Replace the header by positional ids so the contract's CSV parser can be reused.
    let (header, body) = text.split_once('\n').context("no header")?;
    let width = header.split(',').count();
    let ids: Vec<String> = (0..width).map(|i| i.to_string()).collect();
    let mut data = parse_csv(&format!("{}\n{body}", ids.join(",")))?;
    if index_col {
        data.columns.remove(0);
        data.node_ids.remove(0);
    }
    let started = std::time::Instant::now();
    let ci = CiTest::new(test, &data.columns, threads)?;
    eprintln!("precomputation: {:.4} s", started.elapsed().as_secs_f64());
    let cfg = SkeletonConfig { alpha, max_depth: None, threads, sepset_rule: SepsetRule::Union };
    let out = run_pc(&ci, &cfg, |l| {
        eprintln!(
            "level {}: {} pairs, {} tests, {} removed, {:.4} s",
            l.depth, l.pairs, l.tests, l.removed, l.seconds
        )
    });
    eprintln!("PC incl. precomputation: {:.4} s", started.elapsed().as_secs_f64());
    println!("{}", out.comparison_json());
    Ok(())
}
