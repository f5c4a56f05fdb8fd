//! The REST API under `/api`: MPCSL's paths and JSON, one module per resource.

pub mod algorithms;
pub mod auth;
pub mod body;
pub mod datasets;
pub mod distributions;
pub mod document;
pub mod error;
pub mod experiments;
pub mod generation;
pub mod graphs;
pub mod jobs;
pub mod nodes;
pub mod operations;
pub mod results;
pub mod socketio;
pub mod studies;
pub mod views;
pub mod ws;

use poem_openapi::OpenApiService;

pub type Apis = (
    algorithms::AlgorithmsApi,
    auth::AuthApi,
    datasets::DatasetsApi,
    distributions::DistributionsApi,
    distributions::InterventionApi,
    experiments::ExperimentsApi,
    generation::GenerationApi,
    graphs::GraphsApi,
    jobs::JobsApi,
    nodes::NodesApi,
    results::ResultsApi,
    studies::StudiesApi,
);

/// The OpenAPI service (also what `causeway openapi` prints). Handlers reach the shared state
/// through poem's `Data` extractor, so the document can be produced without a database.
pub fn service() -> OpenApiService<document::Documented<Apis>, ()> {
    OpenApiService::new(
        document::Documented((
            algorithms::AlgorithmsApi,
            auth::AuthApi,
            datasets::DatasetsApi,
            distributions::DistributionsApi,
            distributions::InterventionApi,
            experiments::ExperimentsApi,
            generation::GenerationApi,
            graphs::GraphsApi,
            jobs::JobsApi,
            nodes::NodesApi,
            results::ResultsApi,
            studies::StudiesApi,
        )),
        "Causeway API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "MPCSL-compatible REST API of Causeway: datasets, algorithms, experiments, jobs and \
         results of causal structure learning. Every error is JSON `{\"message\": …}`. \
         Unless authentication is off, send `Authorization: Bearer <token>` (an API token or an \
         OIDC access token): reads need the viewer role, changes the editor role, the algorithm \
         catalogue and API tokens the admin role (docs/security.md).",
    )
    .server("/api")
}

/// Groups of operations in the OpenAPI document.
#[derive(poem_openapi::Tags)]
pub enum Tag {
    /// The algorithm catalogue.
    Algorithms,
    /// Datasets (observation matrices), their data and metadata.
    Datasets,
    /// Experiments: an algorithm with parameters over a dataset.
    Experiments,
    /// Dataset columns as graph nodes.
    Nodes,
    /// Runs of experiments: start, watch, cancel, logs.
    Jobs,
    /// Routes executors call (also under `/t/<token>/api/…`).
    Executors,
    /// Learned graphs: edges, separating sets, neighbourhoods, comparison, export.
    Results,
    /// Researchers' verdicts on learned edges.
    Annotations,
    /// Synthetic datasets with a known ground truth.
    Generation,
    /// Logging in, the caller's identity, API tokens.
    Auth,
    /// Studies: parameter sweeps over datasets and algorithms, their progress and benchmark.
    Studies,
}
