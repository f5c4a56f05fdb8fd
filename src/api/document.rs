//! What the OpenAPI document says each operation can answer.
//!
//! Every handler returns [`ApiError`](super::error::ApiError), whose derive lists all of its
//! statuses on every operation. [`Documented`] narrows that list to what the operation can
//! really answer, so generated clients and schemathesis see the truth:
//!
//! - 413 and 415 only where there is a request body (a body too large, a wrong `Content-Type`);
//! - 400 only where there is something to be invalid: a parameter or a body;
//! - 404 only where the path or the body names an object;
//! - 401 and 403 only where credentials are checked: operations with a security requirement
//!   and the executor routes (an upload token of another job is a 403);
//! - 409 only on the operations of [`CONFLICTING`].
//!
//! 405 is not an answer of any documented operation: it is what a path answers for a method
//! it does not have, with `Allow` (docs/api.md).

use std::collections::HashMap;

use poem::http::Method;
use poem_openapi::{
    OpenApi, Tags,
    registry::{MetaApi, MetaOperation, MetaParamIn, Registry},
};

/// An API whose operations list only the error statuses they can answer.
pub struct Documented<A>(pub A);

impl<A: OpenApi> OpenApi for Documented<A> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = A::meta();
        for operation in apis.iter_mut().flat_map(|api| &mut api.paths).flat_map(|path| &mut path.operations)
        {
            narrow_responses(operation);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        A::register(registry);
    }

    fn add_routes(
        self,
        route_table: &mut HashMap<String, HashMap<Method, poem::endpoint::BoxEndpoint<'static>>>,
    ) {
        self.0.add_routes(route_table);
    }
}

/// The operations that can answer 409, by operationId: a job whose status does not allow the
/// change (reports, uploads, cancels; an upload of a retried job's earlier attempt), an object
/// still in use (an algorithm, a dataset, a running study), data changed behind a dataset
/// (downloads and starts), an algorithm that cannot run under this launcher (starts), a
/// generation job that already delivered its dataset.
const CONFLICTING: &[&str] = &[
    "deleteAlgorithm",
    "deleteDataset",
    "downloadDataset",
    "downloadDatasetWithIds",
    "uploadGeneratedDataset",
    "startExperiment",
    "reportJobError",
    "cancelOrHideJob",
    "uploadResult",
    "deleteStudy",
    "startStudy",
];

fn narrow_responses(operation: &mut MetaOperation) {
    let conflicts = operation.operation_id.is_some_and(|id| CONFLICTING.contains(&id));
    let has_body = operation.request.is_some();
    let has_params = !operation.params.is_empty();
    let names_object = has_body || operation.params.iter().any(|p| p.in_type == MetaParamIn::Path);
    let checks_credentials =
        !operation.security.is_empty() || operation.tags.contains(&super::Tag::Executors.name());
    operation.responses.responses.retain(|response| match response.status {
        Some(413 | 415) => has_body,
        Some(400) => has_body || has_params,
        Some(404) => names_object,
        Some(401 | 403) => checks_credentials,
        Some(409) => conflicts,
        _ => true,
    });
}

#[cfg(test)]
mod tests {
    use poem_openapi::OpenApi;

    fn statuses(path: &str, method: poem::http::Method) -> Vec<u16> {
        let apis = <super::Documented<super::super::Apis> as OpenApi>::meta();
        let operation = apis
            .iter()
            .flat_map(|api| &api.paths)
            .filter(|p| p.path == path)
            .flat_map(|p| &p.operations)
            .find(|o| o.method == method)
            .unwrap_or_else(|| panic!("{method} {path} is not documented"));
        operation.responses.responses.iter().filter_map(|r| r.status).collect()
    }

    #[test]
    fn only_operations_with_a_body_document_413_and_415() {
        let create = statuses("/datasets", poem::http::Method::POST);
        assert!(create.contains(&413) && create.contains(&415), "{create:?}");
        let list = statuses("/datasets", poem::http::Method::GET);
        assert!(!list.contains(&413) && !list.contains(&415) && !list.contains(&404), "{list:?}");
    }

    #[test]
    fn only_operations_that_can_conflict_document_409() {
        let apis = <super::Documented<super::super::Apis> as OpenApi>::meta();
        let ids: Vec<&str> = apis
            .iter()
            .flat_map(|api| &api.paths)
            .flat_map(|p| &p.operations)
            .filter_map(|o| o.operation_id)
            .collect();
        for id in super::CONFLICTING {
            assert!(ids.contains(id), "{id} is not an operation (renamed?)");
        }
        assert!(statuses("/study/{study_id}/start", poem::http::Method::POST).contains(&409));
        assert!(statuses("/dataset/{dataset_id}/load", poem::http::Method::GET).contains(&409));
        for (path, method) in
            [("/algorithms", poem::http::Method::GET), ("/experiments", poem::http::Method::POST)]
        {
            assert!(!statuses(path, method.clone()).contains(&409), "{method} {path}");
        }
    }

    #[test]
    fn the_open_operation_documents_no_credential_errors() {
        let config = statuses("/auth/config", poem::http::Method::GET);
        assert!(!config.contains(&401) && !config.contains(&403), "{config:?}");
        let upload = statuses("/job/{job_id}/result", poem::http::Method::POST);
        assert!(upload.contains(&403), "{upload:?}");
    }
}
