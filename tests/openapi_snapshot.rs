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

/// Generated clients (openapi-python-client, openapi-typescript) refuse a `null` the document
/// does not allow. Every `Option` field is optional in the document (none has a default), so
/// every optional property must be `nullable` too; a `$ref` one carries it beside its `allOf`.
#[test]
fn every_optional_property_is_nullable() {
    let document: serde_json::Value = serde_json::from_str(&causeway::api::service().spec()).unwrap();
    let schemas = document["components"]["schemas"].as_object().expect("component schemas");
    let mut nullable = 0;
    let mut missing = vec![];
    for (name, schema) in schemas {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        for (property, definition) in schema["properties"].as_object().into_iter().flatten() {
            if definition["nullable"] == true {
                nullable += 1;
            } else if !required.contains(&property.as_str()) {
                missing.push(format!("{name}.{property}"));
            }
        }
    }
    assert!(missing.is_empty(), "optional but not nullable (add #[oai(nullable)]): {missing:?}");
    assert!(nullable >= 90, "only {nullable} nullable properties");
}

/// Generated clients name their functions after operationIds: every operation has one, unique,
/// in camelCase, so renaming a handler never renames a client's function.
#[test]
fn every_operation_has_a_unique_camel_case_operation_id() {
    let document: serde_json::Value = serde_json::from_str(&causeway::api::service().spec()).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            let camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric());
            assert!(camel, "{method} {path}: {id} is not camelCase");
            assert!(seen.insert(id.to_owned()), "{id} is used twice");
        }
    }
    assert!(seen.len() >= 60);
}
