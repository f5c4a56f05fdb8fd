//! Dataset generators known to the scheduler (executor-contract.md §6, job-lifecycle.md §4.2).

pub mod builtin;

/// Which generator a dataset-generation job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorType {
    /// Causeway's built-in generator (`causeway generate`): runs locally and as an image.
    Causeway,
    /// MPCSL's R generator (pcalg `randomDAG` + `rmvDAG`); image only.
    Pcalg,
    /// MPCSL's manm-cs generator; image only.
    Mpcsl,
}

impl GeneratorType {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "CAUSEWAY" => Some(GeneratorType::Causeway),
            "PCALG" => Some(GeneratorType::Pcalg),
            "MPCSL" => Some(GeneratorType::Mpcsl),
            _ => None,
        }
    }

    /// Image (below the image namespace) and first argument. MPCSL's scheduler asked for
    /// `generator_r` while the build publishes `mpci_generator_r` (a known inconsistency); the
    /// published name is used here.
    pub fn image_and_script(self) -> (&'static str, &'static str) {
        match self {
            GeneratorType::Causeway => ("causeway-generator", "generate"),
            GeneratorType::Pcalg => ("mpci_generator_r", "generator.r"),
            GeneratorType::Mpcsl => ("manm-cs", "generate_and_upload.sh"),
        }
    }

    /// Whether `image` is one of the generators' own images (always allowed to launch).
    pub fn is_builtin_image(image: &str) -> bool {
        [GeneratorType::Causeway, GeneratorType::Pcalg, GeneratorType::Mpcsl]
            .iter()
            .any(|generator| generator.image_and_script().0 == image)
    }

    /// How the local launcher runs it (`None`: image only). `causeway_bin` is the configured
    /// `causeway` executable, this one when unset.
    pub fn local_command(self, causeway_bin: Option<&str>) -> Option<Vec<String>> {
        match self {
            GeneratorType::Causeway => {
                let exe = match causeway_bin {
                    Some(path) => path.to_owned(),
                    None => std::env::current_exe().ok()?.to_string_lossy().into_owned(),
                };
                Some(vec![exe])
            }
            GeneratorType::Pcalg | GeneratorType::Mpcsl => None,
        }
    }
}

/// Arguments of a generator run: `<script> --apiHost <host> --uploadEndpoint <url> --k v …`.
pub fn generator_args(
    script: &str,
    api_host: &str,
    job_id: i32,
    parameters: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    let mut args = vec![
        script.to_owned(),
        "--apiHost".into(),
        api_host.to_owned(),
        "--uploadEndpoint".into(),
        format!("http://{api_host}/api/job/{job_id}/dataset_generation"),
    ];
    for (key, value) in parameters {
        args.push(format!("--{key}"));
        args.push(crate::parameters::python_str(value));
    }
    args
}
