//! The frontend's API client is generated from `frontend/src/api/openapi.json`; this keeps that
//! snapshot equal to the document the server serves. After an API change run
//! `target/debug/causeway openapi > frontend/src/api/openapi.json`.

#[test]
fn the_frontend_snapshot_is_the_servers_openapi_document() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/src/api/openapi.json");
    let snapshot = std::fs::read_to_string(path).expect("frontend/src/api/openapi.json");
    let current = format!("{}\n", causeway::api::service().spec());
    assert!(
        snapshot == current,
        "frontend/src/api/openapi.json is stale: run `target/debug/causeway openapi > frontend/src/api/openapi.json`"
    );
}
