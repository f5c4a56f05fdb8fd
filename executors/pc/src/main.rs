//! `causeway-pc`: PC-stable as an MPCSL executor (see docs/executor-pc.md).
//!
//! Flow: parse options → load the dataset → run PC → upload the result. Any failed HTTP call
//! first reports the job as failed with `PUT /api/job/<id>`, then exits non-zero (contract §4).
//! Everything printed here becomes the job log.

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use causeway_pc::api::Api;
use causeway_pc::args::Options;
use causeway_pc::ci::CiTest;
use causeway_pc::data::parse_csv;
use causeway_pc::payload::{RunFacts, result_body};
use causeway_pc::pc::run_pc;
use causeway_pc::skeleton::SkeletonConfig;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("causeway-pc: invalid arguments: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut api = Api::new(&options.api_host);
    // Tests shorten the pause between download attempts (default: 1 s, 2 s, 3 s, 4 s).
    if let Some(ms) = std::env::var("CAUSEWAY_PC_RETRY_DELAY_MS").ok().and_then(|v| v.parse().ok()) {
        api.retry_delay = std::time::Duration::from_millis(ms);
    }
    match run(&options, &api) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed::Http(e)) => {
            eprintln!("\x1b[31mcauseway-pc: {e:#}\x1b[0m");
            match api.mark_failed(options.job_id) {
                Ok(status) => eprintln!("reported job {} as failed (PUT answered {status})", options.job_id),
                Err(put) => eprintln!("could not report job {} as failed: {put:#}", options.job_id),
            }
            ExitCode::FAILURE
        }
        Err(Failed::Other(e)) => {
            eprintln!("\x1b[31mcauseway-pc: {e:#}\x1b[0m");
            ExitCode::FAILURE
        }
    }
}

/// HTTP failures are reported to the backend; other errors only end the process (the scheduler
/// notices the failed pod), as with the MPCSL scripts.
enum Failed {
    Http(anyhow::Error),
    Other(anyhow::Error),
}

fn run(o: &Options, api: &Api) -> Result<(), Failed> {
    let threads = o.threads();
    println!(
        "causeway-pc {}: job {} dataset {} via {} | test {} alpha {} threads {} subset_size {} sepsets {}",
        env!("CARGO_PKG_VERSION"),
        o.job_id,
        o.dataset_id,
        o.api_host_redacted(),
        o.test.name(),
        o.alpha,
        threads,
        o.subset_size.map_or("unlimited".to_string(), |s| s.to_string()),
        if o.send_sepsets { "sent" } else { "not sent" },
    );

    let loaded = api.load_dataset(o.dataset_id).map_err(Failed::Http)?;
    println!(
        "loaded dataset {} in {:.3} s ({} bytes, X-Content-Length {}, attempt {})",
        o.dataset_id,
        loaded.seconds,
        loaded.csv.len(),
        loaded.x_content_length.as_deref().unwrap_or("absent"),
        loaded.attempts,
    );
    let mut data = parse_csv(&loaded.csv).context("parsing the dataset").map_err(Failed::Other)?;
    drop(loaded.csv);
    if data.dropped_rows > 0 {
        println!("dropped {} rows with NULL values", data.dropped_rows);
    }
    if o.sampling_factor < 1.0 {
        let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let before = data.n_rows();
        data.sample(o.sampling_factor, o.sampling_method, seed);
        println!("sampled {} of {before} rows ({:?}, seed {seed})", data.n_rows(), o.sampling_method);
    }
    println!("data: {} rows x {} variables", data.n_rows(), data.n_vars());

    let started = Instant::now();
    let test = CiTest::new(o.test, &data.columns, threads).map_err(Failed::Other)?;
    let cfg =
        SkeletonConfig { alpha: o.alpha, max_depth: o.subset_size, threads, sepset_rule: o.sepset_rule };
    let pc = run_pc(&test, &cfg, |level| {
        println!(
            "level {}: {} adjacent pairs, {} tests, {} edges removed ({:.3} s)",
            level.depth, level.pairs, level.tests, level.removed, level.seconds
        );
    });
    let execution_time = started.elapsed().as_secs_f64();
    println!(
        "PC done in {execution_time:.3} s: {} tests, {} directed + {} undirected edges",
        pc.skeleton.n_tests,
        pc.cpdag.directed.len(),
        pc.cpdag.undirected.len()
    );
    if o.verbose {
        for (&(x, y), sep) in &pc.skeleton.sepsets {
            let nodes: Vec<i64> = sep.nodes.iter().map(|&v| data.node_ids[v]).collect();
            println!(
                "  removed {} - {} at level {} given {:?} (p = {:.4})",
                data.node_ids[x], data.node_ids[y], sep.depth, nodes, sep.p_value
            );
        }
        for (a, b) in pc.cpdag.edge_list() {
            println!("  edge {} -> {}", data.node_ids[a], data.node_ids[b]);
        }
    }

    let facts = RunFacts {
        n_rows: data.n_rows(),
        dropped_rows: data.dropped_rows,
        execution_time,
        dataset_loading_time: loaded.seconds,
    };
    let body = result_body(o, &data.node_ids, &pc, &facts);
    let bytes = serde_json::to_vec(&body).context("encoding the result").map_err(Failed::Other)?;
    api.post_result(o.job_id, &bytes).map_err(Failed::Http)?;
    println!("uploaded result of job {} ({} bytes)", o.job_id, bytes.len());
    Ok(())
}
