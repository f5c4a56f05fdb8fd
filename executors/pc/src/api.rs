//! The three backend calls of the executor contract, over plain HTTP:
//! load the dataset (§2), upload the result (§3), report failure (§4).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// Client for `http://<api_host>`; `api_host` may carry a path prefix such as `/t/<token>`.
pub struct Api {
    base: String,
    agent: ureq::Agent,
    /// Attempts for the dataset download and the result upload (MPCSL retries up to 5 times).
    pub load_attempts: u32,
    pub retry_delay: Duration,
}

/// The downloaded dataset.
pub struct Loaded {
    pub csv: String,
    /// Wall-clock time of the successful request, including the body (`dataset_loading_time`).
    pub seconds: f64,
    /// The `X-Content-Length` header (always 0 from the backend; logged only).
    pub x_content_length: Option<String>,
    pub attempts: u32,
}

impl Api {
    pub fn new(api_host: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false) // statuses are handled below, with the body for the log
            .proxy(None) // the backend is reached directly, whatever the pod's environment says
            .timeout_connect(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        Self {
            base: format!("http://{}", api_host.trim_end_matches('/')),
            agent,
            load_attempts: 5,
            retry_delay: Duration::from_secs(1),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /api/dataset/<id>/loadwithids`, retried on connection errors and 5xx answers.
    pub fn load_dataset(&self, dataset_id: i64) -> Result<Loaded> {
        let url = self.url(&format!("/api/dataset/{dataset_id}/loadwithids"));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let outcome = self.get_text(&url);
            match outcome {
                Ok((csv, x_content_length)) => {
                    let seconds = started.elapsed().as_secs_f64();
                    return Ok(Loaded { csv, seconds, x_content_length, attempts: attempt });
                }
                Err(Failure::Permanent(e)) => return Err(e),
                Err(Failure::Retryable(e)) if attempt >= self.load_attempts => {
                    return Err(e.context(format!("giving up after {attempt} attempts")));
                }
                Err(Failure::Retryable(_)) => std::thread::sleep(self.retry_delay * attempt),
            }
        }
    }

    fn get_text(&self, url: &str) -> Result<(String, Option<String>), Failure> {
        let mut resp = self
            .agent
            .get(url)
            .call()
            .map_err(|e| Failure::Retryable(anyhow::Error::new(e).context(format!("GET {url}"))))?;
        let status = resp.status().as_u16();
        let x_len = resp.headers().get("X-Content-Length").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(u64::MAX) // datasets can exceed ureq's 10 MB default
            .read_to_string()
            .map_err(|e| Failure::Retryable(anyhow::Error::new(e).context(format!("reading GET {url}"))));
        match status {
            200..=299 => Ok((body?, x_len)),
            _ => {
                let e =
                    anyhow::anyhow!("GET {url} answered {status}: {}", snippet(&body.unwrap_or_default()));
                Err(if status >= 500 { Failure::Retryable(e) } else { Failure::Permanent(e) })
            }
        }
    }

    /// `POST /api/job/<id>/result` with the JSON body, retried (as often as the download) on
    /// connection errors and 5xx answers: a backend that restarts its database or its collector
    /// must not cost the run. A retry after an upload that was stored but whose answer was lost
    /// gets 409 (the job is done); the result is stored once either way. Any other non-2xx
    /// answer is an error at once.
    pub fn post_result(&self, job_id: i64, body: &[u8]) -> Result<()> {
        let url = self.url(&format!("/api/job/{job_id}/result"));
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.post_once(&url, body) {
                Ok(()) => return Ok(()),
                Err(Failure::Permanent(e)) => return Err(e),
                Err(Failure::Retryable(e)) if attempt >= self.load_attempts => {
                    return Err(e.context(format!("giving up after {attempt} attempts")));
                }
                Err(Failure::Retryable(e)) => {
                    println!("upload attempt {attempt} failed ({e:#}); retrying");
                    std::thread::sleep(self.retry_delay * attempt);
                }
            }
        }
    }

    fn post_once(&self, url: &str, body: &[u8]) -> Result<(), Failure> {
        let mut resp = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| Failure::Retryable(anyhow::Error::new(e).context(format!("POST {url}"))))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let e = anyhow::anyhow!("POST {url} answered {status}: {}", snippet(&text));
        Err(if status >= 500 { Failure::Retryable(e) } else { Failure::Permanent(e) })
    }

    /// `PUT /api/job/<id>` with no body: marks the running job as failed (contract §4).
    pub fn mark_failed(&self, job_id: i64) -> Result<u16> {
        let url = self.url(&format!("/api/job/{job_id}"));
        let resp = self.agent.put(&url).send_empty().with_context(|| format!("PUT {url}"))?;
        Ok(resp.status().as_u16())
    }
}

enum Failure {
    Retryable(anyhow::Error),
    Permanent(anyhow::Error),
}

/// The start of a response body, for error messages.
fn snippet(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &t[..cut]),
        None => t.to_string(),
    }
}
