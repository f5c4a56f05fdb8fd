//! Command line of the executor contract (executor-contract.md §1):
//!
//! ```text
//! causeway-pc <script_filename> -j <job_id> -d <dataset_id> --api_host <host[:port][/t/<token>]>
//!     --send_sepsets <0|1> --<param> <value> ...
//! ```
//!
//! Values arrive as Python `str()` forms (`1`, `1.0`, `True`). Unknown `--key value` options
//! are kept (they end up in `meta_results`) but otherwise ignored, as the backend passes every
//! stored parameter of the experiment.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use crate::ci::TestKind;
use crate::data::SamplingMethod;
use crate::skeleton::SepsetRule;

/// The parsed and validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The first positional argument (the MPCSL script name); ignored.
    pub script: Option<String>,
    pub job_id: i64,
    pub dataset_id: i64,
    pub api_host: String,
    pub send_sepsets: bool,
    pub alpha: f64,
    pub test: TestKind,
    /// Worker threads; `None` = all available cores.
    pub cores: Option<usize>,
    /// Largest conditioning-set size; `None` = unlimited (`-1`).
    pub subset_size: Option<usize>,
    pub sampling_factor: f64,
    pub sampling_method: SamplingMethod,
    pub verbose: bool,
    pub sepset_rule: SepsetRule,
    /// Every `--key value` pair as received (keys normalised), in order.
    pub raw: Vec<(String, String)>,
}

/// Short options that MPCSL scripts also accept.
fn short_name(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "-j" => "job_id",
        "-d" => "dataset_id",
        "-t" => "independence_test",
        "-a" => "alpha",
        "-c" => "cores",
        "-s" => "subset_size",
        "-v" => "verbose",
        _ => return None,
    })
}

/// A token that starts an option (so it cannot be a value); `-1` is a value.
fn is_option(token: &str) -> bool {
    token.starts_with("--") || short_name(token).is_some()
}

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Self> {
        let mut script = None;
        let mut raw: Vec<(String, String)> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let token = args[i].as_ref();
            i += 1;
            let (key, inline) = if let Some(rest) = token.strip_prefix("--") {
                if rest.is_empty() {
                    continue;
                }
                match rest.split_once('=') {
                    Some((k, v)) => (k.replace('-', "_"), Some(v.to_string())),
                    None => (rest.replace('-', "_"), None),
                }
            } else if let Some(name) = short_name(token) {
                (name.to_string(), None)
            } else {
                // Positional: the script name first; stray ones are tolerated.
                script.get_or_insert_with(|| token.to_string());
                continue;
            };
            let value = match inline {
                Some(v) => v,
                None if i < args.len() && !is_option(args[i].as_ref()) => {
                    i += 1;
                    args[i - 1].as_ref().to_string()
                }
                None => "True".to_string(), // a bare flag
            };
            raw.push((key, value));
        }
        Self::from_raw(script, raw)
    }

    fn from_raw(script: Option<String>, raw: Vec<(String, String)>) -> Result<Self> {
        // The last occurrence of a key wins, as with argparse.
        let get = |key: &str| raw.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let required = |key: &str| get(key).with_context(|| format!("missing required option --{key}"));

        let job_id = parse_int(required("job_id")?).context("--job_id / -j")?;
        let dataset_id = parse_int(required("dataset_id")?).context("--dataset_id / -d")?;
        let api_host = required("api_host")?.trim().to_string();
        if api_host.is_empty() || api_host.contains("://") {
            bail!("--api_host must be host[:port][/path] without a scheme, got {api_host:?}");
        }
        let send_sepsets = get("send_sepsets").map(parse_bool).transpose()?.unwrap_or(false);

        let alpha = parse_float(required("alpha")?).context("--alpha / -a")?;
        if !(0.0..=1.0).contains(&alpha) {
            bail!("--alpha must be in [0, 1], got {alpha}");
        }
        let test_name = get("independence_test").unwrap_or("gaussCI");
        let test = TestKind::parse(test_name).with_context(|| {
            format!("unsupported --independence_test {test_name:?} (supported: gaussCI, disCI, binCI, chisq)")
        })?;
        let cores = match get("cores") {
            None => None,
            Some(v) => {
                let c = parse_int(v).context("--cores / -c")?;
                if c < 1 {
                    bail!("--cores must be at least 1, got {c}");
                }
                Some(c as usize)
            }
        };
        let subset_size = match get("subset_size").map(parse_int).transpose().context("--subset_size / -s")? {
            None | Some(-1) => None,
            Some(s) if s >= 0 => Some(s as usize),
            Some(s) => bail!("--subset_size must be -1 or at least 0, got {s}"),
        };
        let sampling_factor =
            get("sampling_factor").map(parse_float).transpose().context("--sampling_factor")?.unwrap_or(1.0);
        if !(sampling_factor > 0.0 && sampling_factor <= 1.0) {
            bail!("--sampling_factor must be in (0, 1], got {sampling_factor}");
        }
        // Contract §2: `random` (default) samples at random, any other value keeps the top rows.
        let sampling_method = match get("sampling_method").unwrap_or("random") {
            "random" => SamplingMethod::Random,
            _ => SamplingMethod::Top,
        };
        let verbose = get("verbose").map(parse_bool).transpose().context("--verbose / -v")?.unwrap_or(false);
        let sepset_rule = match get("sepset_rule").unwrap_or("union") {
            "union" => SepsetRule::Union,
            "first" => SepsetRule::First,
            other => bail!("--sepset_rule must be union or first, got {other:?}"),
        };
        Ok(Self {
            script,
            job_id,
            dataset_id,
            api_host,
            send_sepsets,
            alpha,
            test,
            cores,
            subset_size,
            sampling_factor,
            sampling_method,
            verbose,
            sepset_rule,
            raw,
        })
    }

    /// Worker threads to use.
    pub fn threads(&self) -> usize {
        self.cores.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// `api_host` with any `/t/<token>` path part masked, for logs and `meta_results`.
    pub fn api_host_redacted(&self) -> String {
        match self.api_host.split_once("/t/") {
            Some((host, _)) => format!("{host}/t/***"),
            None => self.api_host.clone(),
        }
    }

    /// The parsed options as a flat JSON object (MPCSL stores "the parsed option list" as
    /// `meta_results`). Flat on purpose: the backend rejects non-integer numbers nested deeper
    /// than the top level (contract §3.1). Unknown options are kept as strings.
    pub fn to_meta(&self) -> Map<String, Value> {
        let mut m = Map::new();
        for (k, v) in &self.raw {
            m.insert(k.clone(), Value::String(v.clone()));
        }
        m.insert("job_id".into(), self.job_id.into());
        m.insert("dataset_id".into(), self.dataset_id.into());
        m.insert("api_host".into(), self.api_host_redacted().into());
        m.insert("send_sepsets".into(), i64::from(self.send_sepsets).into());
        m.insert("alpha".into(), self.alpha.into());
        m.insert("independence_test".into(), self.test.name().into());
        m.insert("cores".into(), (self.threads() as u64).into());
        m.insert("subset_size".into(), self.subset_size.map_or(-1, |s| s as i64).into());
        m.insert("sampling_factor".into(), self.sampling_factor.into());
        let method = match self.sampling_method {
            SamplingMethod::Random => "random",
            SamplingMethod::Top => "top",
        };
        m.insert("sampling_method".into(), method.into());
        m.insert("verbose".into(), i64::from(self.verbose).into());
        let rule = match self.sepset_rule {
            SepsetRule::Union => "union",
            SepsetRule::First => "first",
        };
        m.insert("sepset_rule".into(), rule.into());
        m
    }
}

/// An integer in Python `str()` form: `3`, `3.0`, `True`.
pub fn parse_int(text: &str) -> Result<i64> {
    let t = text.trim();
    match t {
        "True" | "true" => return Ok(1),
        "False" | "false" => return Ok(0),
        _ => {}
    }
    if let Ok(v) = t.parse::<i64>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 => Ok(f as i64),
        _ => bail!("{text:?} is not an integer"),
    }
}

/// A float in Python `str()` form.
pub fn parse_float(text: &str) -> Result<f64> {
    let t = text.trim();
    match t {
        "True" | "true" => Ok(1.0),
        "False" | "false" => Ok(0.0),
        _ => t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .with_context(|| format!("{text:?} is not a number")),
    }
}

/// A boolean in Python `str()` form: `1`, `1.0`, `True` / `0`, `0.0`, `False`.
pub fn parse_bool(text: &str) -> Result<bool> {
    match text.trim() {
        "True" | "true" | "TRUE" | "yes" => Ok(true),
        "False" | "false" | "FALSE" | "no" | "" => Ok(false),
        t => Ok(parse_float(t).with_context(|| format!("{text:?} is not a boolean"))? != 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Options> {
        Options::parse(&line.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn parses_the_scheduler_command_line() {
        let o = parse(
            "pcalg_pc.r -j 12 -d 3 --api_host backend:5000/t/abc --send_sepsets 1 --alpha 0.05 \
             --independence_test disCI --cores 2.0 --subset_size -1 --verbose True \
             --discrete_limit 11 --skeleton_method stable.fast --sampling_factor 1.0",
        )
        .unwrap();
        assert_eq!(o.script.as_deref(), Some("pcalg_pc.r"));
        assert_eq!((o.job_id, o.dataset_id), (12, 3));
        assert_eq!(o.api_host, "backend:5000/t/abc");
        assert_eq!(o.api_host_redacted(), "backend:5000/t/***");
        assert!(o.send_sepsets && o.verbose);
        assert_eq!(o.alpha, 0.05);
        assert_eq!(o.test, TestKind::DisCi);
        assert_eq!(o.cores, Some(2));
        assert_eq!(o.subset_size, None);
        assert_eq!(o.sampling_method, SamplingMethod::Random);
        let meta = o.to_meta();
        assert_eq!(meta["discrete_limit"], "11");
        assert_eq!(meta["alpha"], 0.05);
        assert_eq!(meta["api_host"], "backend:5000/t/***");
        assert!(meta.values().all(|v| !v.is_object() && !v.is_array()));
    }

    #[test]
    fn short_forms_defaults_and_inline_values() {
        let o = parse("x.r -j 1 -d 2 --api_host h -a 0.01 -t gaussCI -c 3 -s 2 -v 0 --sampling_method=top")
            .unwrap();
        assert_eq!(o.test, TestKind::GaussCi);
        assert_eq!(o.cores, Some(3));
        assert_eq!(o.subset_size, Some(2));
        assert!(!o.verbose && !o.send_sepsets);
        assert_eq!(o.sampling_method, SamplingMethod::Top);
        assert_eq!(o.sepset_rule, SepsetRule::Union);
        let o = parse("x.r -j 1 -d 2 --api_host h --alpha 0.01 --unknown_flag").unwrap();
        assert_eq!(o.test, TestKind::GaussCi);
        assert_eq!(o.raw.last().unwrap(), &("unknown_flag".to_string(), "True".to_string()));
    }

    #[test]
    fn rejects_invalid_values() {
        assert!(parse("x -d 2 --api_host h --alpha 0.1").is_err()); // no job id
        assert!(parse("x -j 1 -d 2 --api_host h").is_err()); // no alpha
        assert!(parse("x -j 1 -d 2 --api_host h --alpha 2").is_err());
        assert!(parse("x -j 1 -d 2 --api_host h --alpha 0.1 -t KCIT").is_err());
        assert!(parse("x -j 1 -d 2 --api_host h --alpha 0.1 -c 0").is_err());
        assert!(parse("x -j 1 -d 2 --api_host h --alpha 0.1 -s -2").is_err());
        assert!(parse("x -j 1 -d 2 --api_host http://h --alpha 0.1").is_err());
        assert!(parse("x -j 1.5 -d 2 --api_host h --alpha 0.1").is_err());
    }

    #[test]
    fn python_str_forms() {
        assert_eq!(parse_int("4.0").unwrap(), 4);
        assert_eq!(parse_int("True").unwrap(), 1);
        assert!(parse_bool("1.0").unwrap());
        assert!(!parse_bool("0").unwrap());
        assert!(!parse_bool("False").unwrap());
        assert!(parse_bool("maybe").is_err());
    }
}
