//! Causeway's built-in dataset generator (`causeway generate`), following the generation
//! contract (executor-contract.md §6): draw a random DAG and samples from it, upload the CSV to
//! `--uploadEndpoint`, then the true graph as GML to the new dataset's ground truth.
//!
//! Models: linear-Gaussian (`x_j = Σ w_ij x_i + ε`, weights uniform in ±[low, high]) or
//! discrete (each variable has `cardinality` states; every parent configuration gets its own
//! skewed categorical distribution, so dependencies are strong enough to be found).

use std::fmt::Write as _;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::random::SplitMix64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    Gaussian,
    Discrete,
}

/// The generator's options; names follow MPCSL's `--key value` convention.
#[derive(Debug, Clone, Args)]
pub struct GeneratorOptions {
    #[arg(long = "apiHost")]
    pub api_host: String,
    #[arg(long = "uploadEndpoint")]
    pub upload_endpoint: String,
    #[arg(long = "num_nodes", default_value_t = 10)]
    pub num_nodes: usize,
    #[arg(long = "num_samples", default_value_t = 1000)]
    pub num_samples: usize,
    /// Probability of each possible edge (overrides `expected_degree`).
    #[arg(long = "edge_probability")]
    pub edge_probability: Option<f64>,
    /// Expected number of neighbours per node (default 2).
    #[arg(long = "expected_degree")]
    pub expected_degree: Option<f64>,
    #[arg(long, value_enum, default_value = "gaussian")]
    pub model: Model,
    /// States per variable of the discrete model.
    #[arg(long, default_value_t = 2)]
    pub cardinality: usize,
    #[arg(long = "weight_low", default_value_t = 0.5)]
    pub weight_low: f64,
    #[arg(long = "weight_high", default_value_t = 2.0)]
    pub weight_high: f64,
    #[arg(long = "noise_std", default_value_t = 1.0)]
    pub noise_std: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// A generated dataset: variable names, rows (as text) and the true edges (indexes).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub names: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub edges: Vec<(usize, usize)>,
}

impl GeneratorOptions {
    fn check(&self) -> anyhow::Result<f64> {
        if self.num_nodes < 1 || self.num_nodes > 10_000 {
            bail!("--num_nodes must be between 1 and 10000");
        }
        if self.num_samples < 1 {
            bail!("--num_samples must be at least 1");
        }
        if self.model == Model::Discrete && !(2..=20).contains(&self.cardinality) {
            bail!("--cardinality must be between 2 and 20");
        }
        if !(self.weight_low > 0.0 && self.weight_low <= self.weight_high) {
            bail!("--weight_low must be positive and at most --weight_high");
        }
        let probability = match (self.edge_probability, self.expected_degree) {
            (Some(p), _) => p,
            (None, degree) => {
                let degree = degree.unwrap_or(2.0);
                if self.num_nodes > 1 { degree / (self.num_nodes - 1) as f64 } else { 0.0 }
            }
        };
        if !(0.0..=1.0).contains(&probability) {
            bail!("the edge probability must be between 0 and 1 (got {probability})");
        }
        Ok(probability)
    }
}

/// Draws the DAG and the samples.
pub fn generate(options: &GeneratorOptions) -> anyhow::Result<Generated> {
    let probability = options.check()?;
    let n = options.num_nodes;
    let mut rng = SplitMix64::new(options.seed);
    // A random causal order, so that column order says nothing about the graph.
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut parents: Vec<Vec<usize>> = vec![vec![]; n];
    let mut edges = vec![];
    for (i, &cause) in order.iter().enumerate() {
        for &effect in &order[i + 1..] {
            if rng.bernoulli(probability) {
                parents[effect].push(cause);
                edges.push((cause, effect));
            }
        }
    }
    edges.sort_unstable();
    let names: Vec<String> = (0..n).map(|i| format!("X{i}")).collect();
    let rows = match options.model {
        Model::Gaussian => gaussian_rows(options, &order, &parents, &mut rng),
        Model::Discrete => discrete_rows(options, &order, &parents, &mut rng),
    };
    Ok(Generated { names, rows, edges })
}

fn gaussian_rows(
    options: &GeneratorOptions,
    order: &[usize],
    parents: &[Vec<usize>],
    rng: &mut SplitMix64,
) -> Vec<Vec<String>> {
    let weights: Vec<Vec<f64>> = parents
        .iter()
        .map(|ps| {
            ps.iter()
                .map(|_| {
                    let magnitude =
                        options.weight_low + rng.next_f64() * (options.weight_high - options.weight_low);
                    if rng.bernoulli(0.5) { magnitude } else { -magnitude }
                })
                .collect()
        })
        .collect();
    let mut values = vec![0.0; order.len()];
    (0..options.num_samples)
        .map(|_| {
            for &node in order {
                let signal: f64 = parents[node].iter().zip(&weights[node]).map(|(&p, w)| w * values[p]).sum();
                values[node] = signal + options.noise_std * rng.normal();
            }
            values.iter().map(|v| format!("{v}")).collect()
        })
        .collect()
}

fn discrete_rows(
    options: &GeneratorOptions,
    order: &[usize],
    parents: &[Vec<usize>],
    rng: &mut SplitMix64,
) -> Vec<Vec<String>> {
    let k = options.cardinality;
    // One distribution per configuration of the parents (mixed-radix index).
    let tables: Vec<Vec<Vec<f64>>> = parents
        .iter()
        .map(|ps| {
            let configurations = k.pow(ps.len().min(12) as u32);
            (0..configurations)
                .map(|_| {
                    let raw: Vec<f64> = (0..k).map(|_| rng.next_f64().powi(3) + 0.01).collect();
                    let total: f64 = raw.iter().sum();
                    raw.into_iter().map(|p| p / total).collect()
                })
                .collect()
        })
        .collect();
    let mut values = vec![0usize; order.len()];
    (0..options.num_samples)
        .map(|_| {
            for &node in order {
                let table = &tables[node];
                let configuration =
                    parents[node].iter().fold(0, |index, &p| index * k + values[p]) % table.len();
                let draw = rng.next_f64();
                let mut cumulative = 0.0;
                values[node] = k - 1;
                for (state, p) in table[configuration].iter().enumerate() {
                    cumulative += p;
                    if draw < cumulative {
                        values[node] = state;
                        break;
                    }
                }
            }
            values.iter().map(|v| v.to_string()).collect()
        })
        .collect()
}

impl Generated {
    pub fn csv(&self) -> String {
        let mut out = self.names.join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// The true DAG as GML, nodes labelled with the CSV's column names.
    pub fn gml(&self) -> String {
        let mut out = String::from("graph [\n  directed 1\n");
        for (i, name) in self.names.iter().enumerate() {
            let _ = writeln!(out, "  node [\n    id {i}\n    label \"{name}\"\n  ]");
        }
        for (from, to) in &self.edges {
            let _ = writeln!(out, "  edge [\n    source {from}\n    target {to}\n  ]");
        }
        out.push_str("]\n");
        out
    }
}

/// Generates and uploads (the whole `causeway generate` run). Any HTTP failure is an error,
/// so the process exits non-zero and the scheduler marks the job failed.
pub async fn run(options: GeneratorOptions) -> anyhow::Result<()> {
    let generated = generate(&options)?;
    println!(
        "generated {} samples of {} variables with {} true edges ({:?} model, seed {})",
        options.num_samples,
        options.num_nodes,
        generated.edges.len(),
        options.model,
        options.seed
    );
    let client = reqwest::Client::new();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(generated.csv()).file_name("samples.csv").mime_str("text/csv")?,
    );
    let response =
        client.put(&options.upload_endpoint).multipart(form).send().await.context("uploading the samples")?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        bail!("the samples upload answered {status}: {body}");
    }
    let dataset_id = body["id"].as_i64().context("the upload answer has no dataset id")?;
    println!("uploaded the samples as dataset {dataset_id}");
    let api_host = options.api_host.trim_end_matches('/');
    let form = reqwest::multipart::Form::new().part(
        "graph_file",
        reqwest::multipart::Part::text(generated.gml())
            .file_name("ground_truth.gml")
            .mime_str("text/plain")?,
    );
    let response = client
        .post(format!("http://{api_host}/api/dataset/{dataset_id}/ground-truth"))
        .multipart(form)
        .send()
        .await
        .context("uploading the ground truth")?;
    let status = response.status();
    if !status.is_success() {
        bail!("the ground-truth upload answered {status}: {}", response.text().await.unwrap_or_default());
    }
    println!("uploaded the ground truth ({} edges)", generated.edges.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(model: Model) -> GeneratorOptions {
        GeneratorOptions {
            api_host: "h".into(),
            upload_endpoint: "u".into(),
            num_nodes: 8,
            num_samples: 500,
            edge_probability: None,
            expected_degree: Some(3.0),
            model,
            cardinality: 3,
            weight_low: 0.5,
            weight_high: 2.0,
            noise_std: 1.0,
            seed: 11,
        }
    }

    #[test]
    fn the_graph_is_acyclic_reproducible_and_the_samples_have_its_shape() {
        for model in [Model::Gaussian, Model::Discrete] {
            let generated = generate(&options(model)).unwrap();
            assert_eq!(generated, generate(&options(model)).unwrap(), "same seed, same data");
            assert_eq!(generated.rows.len(), 500);
            assert!(generated.rows.iter().all(|r| r.len() == 8));
            assert!(!generated.edges.is_empty());
            // Acyclic: repeatedly removing nodes without incoming edges removes them all.
            let mut remaining: Vec<usize> = (0..8).collect();
            let mut edges = generated.edges.clone();
            while let Some(position) = remaining.iter().position(|n| edges.iter().all(|&(_, to)| to != *n)) {
                let node = remaining.remove(position);
                edges.retain(|&(from, _)| from != node);
            }
            assert!(remaining.is_empty(), "cycle among {remaining:?}");
        }
        let discrete = generate(&options(Model::Discrete)).unwrap();
        assert!(discrete.rows.iter().flatten().all(|v| ["0", "1", "2"].contains(&v.as_str())));
    }

    #[test]
    fn an_edge_carries_a_visible_dependence() {
        let mut opts = options(Model::Gaussian);
        opts.num_nodes = 2;
        opts.edge_probability = Some(1.0);
        opts.num_samples = 5000;
        let generated = generate(&opts).unwrap();
        assert_eq!(generated.edges.len(), 1);
        let column =
            |i: usize| generated.rows.iter().map(|r| r[i].parse::<f64>().unwrap()).collect::<Vec<_>>();
        let (a, b) = (column(0), column(1));
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (ma, mb) = (mean(&a), mean(&b));
        let covariance: f64 =
            a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / a.len() as f64;
        let sd = |v: &[f64], m: f64| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        let correlation = covariance / (sd(&a, ma) * sd(&b, mb));
        assert!(correlation.abs() > 0.3, "correlation {correlation}");
    }

    #[test]
    fn invalid_options_are_refused_with_the_option_named() {
        let mut opts = options(Model::Discrete);
        opts.cardinality = 1;
        assert!(generate(&opts).unwrap_err().to_string().contains("--cardinality"));
        let mut opts = options(Model::Gaussian);
        opts.edge_probability = Some(1.5);
        assert!(generate(&opts).unwrap_err().to_string().contains("probability"));
    }

    #[test]
    fn the_ground_truth_is_gml_labelled_by_column_name() {
        let generated =
            Generated { names: vec!["X0".into(), "X1".into()], rows: vec![], edges: vec![(0, 1)] };
        let gml = generated.gml();
        assert!(gml.contains("directed 1"));
        assert!(gml.contains("label \"X1\""));
        assert!(gml.contains("source 0\n    target 1"));
    }
}
