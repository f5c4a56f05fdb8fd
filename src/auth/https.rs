//! GET of JSON documents from the OIDC issuer over HTTPS (or HTTP, for tests and in-cluster
//! issuers), with rustls and the system's root certificates: the TLS stack kube already uses.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde_json::Value;

/// Larger answers are no discovery document or key set.
const MAX_DOCUMENT: usize = 1 << 20;

pub struct JsonFetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
}

impl JsonFetcher {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(JsonFetcher { client: Client::builder(TokioExecutor::new()).build(connector), timeout })
    }

    pub async fn get(&self, url: &str) -> anyhow::Result<Value> {
        let uri: poem::http::Uri = url.parse()?;
        let fetch = async {
            let response = self.client.get(uri).await?;
            let status = response.status();
            if !status.is_success() {
                anyhow::bail!("{url} answered {status}");
            }
            let body = http_body_util::Limited::new(response.into_body(), MAX_DOCUMENT)
                .collect()
                .await
                .map_err(|err| anyhow::anyhow!("reading {url}: {err}"))?
                .to_bytes();
            Ok(serde_json::from_slice(&body)?)
        };
        tokio::time::timeout(self.timeout, fetch)
            .await
            .map_err(|_| anyhow::anyhow!("{url} did not answer within {:?}", self.timeout))?
    }
}
