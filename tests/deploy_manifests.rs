//! The Kubernetes deployment and the container images, checked without a cluster.
//!
//! `kubectl kustomize` renders each overlay of `deploy/kubernetes`; every object is parsed into
//! its k8s-openapi type (an unknown kind, a misspelt or misplaced field fails) and the
//! invariants the deployment relies on are checked: probes and resource requests, pinned
//! images, the scheduler's minimal RBAC, the ingress routes and their upload limits, the
//! executor NetworkPolicy, references between objects, and the NATS configuration from `nats/`.
//! The Dockerfiles in `deploy/images` are parsed too: pinned base images, a non-root user.
//!
//! Needs `kubectl` (any version with `kubectl kustomize`, i.e. 1.14+) on PATH or in `$KUBECTL`.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
};

use k8s_openapi::{
    api::{
        apps::v1::{Deployment, StatefulSet},
        batch::v1::Job,
        core::v1::{
            ConfigMap, Container, PersistentVolumeClaim, PodTemplateSpec, Secret, Service, ServiceAccount,
        },
        networking::v1::{Ingress, NetworkPolicy},
        policy::v1::PodDisruptionBudget,
        rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding},
    },
    apimachinery::pkg::{apis::meta::v1::ObjectMeta, util::intstr::IntOrString},
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;

const NAMESPACE: &str = "causeway";
const COMPONENTS: &[&str] =
    &["api", "scheduler", "collector", "nats", "postgres", "executor", "migration", "ingress", "config"];
/// Secrets an operator creates before applying the production overlay (never committed).
const EXTERNAL_SECRETS: &[&str] =
    &["causeway-database", "causeway-nats-users", "causeway-data-sources", "causeway-tls"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------------------------------------------------
// Rendering and parsing
// ------------------------------------------------------------------------------------------------

/// Every object of one rendered overlay, by kind.
#[derive(Default)]
struct Manifests {
    overlay: String,
    deployments: Vec<Deployment>,
    stateful_sets: Vec<StatefulSet>,
    jobs: Vec<Job>,
    services: Vec<Service>,
    ingresses: Vec<Ingress>,
    service_accounts: Vec<ServiceAccount>,
    roles: Vec<Role>,
    role_bindings: Vec<RoleBinding>,
    cluster_roles: Vec<ClusterRole>,
    cluster_role_bindings: Vec<ClusterRoleBinding>,
    network_policies: Vec<NetworkPolicy>,
    config_maps: Vec<ConfigMap>,
    secrets: Vec<Secret>,
    persistent_volume_claims: Vec<PersistentVolumeClaim>,
    disruption_budgets: Vec<PodDisruptionBudget>,
    /// (kind, metadata) of every object, in output order.
    all: Vec<(String, ObjectMeta)>,
}

fn render(overlay: &str) -> Manifests {
    let dir = root().join("deploy/kubernetes/overlays").join(overlay);
    let kubectl = std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".into());
    let output = match Command::new(&kubectl).arg("kustomize").arg(&dir).output() {
        Ok(output) => output,
        Err(err) => panic!(
            "cannot run `{kubectl} kustomize` ({err}). These tests need kubectl on PATH (Debian: \
             apt-get install kubernetes-client) or its path in $KUBECTL."
        ),
    };
    assert!(
        output.status.success(),
        "`kubectl kustomize {}` failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("kustomize output is UTF-8");
    parse_stream(overlay, &text)
}

fn parse_stream(overlay: &str, text: &str) -> Manifests {
    let mut manifests = Manifests { overlay: overlay.to_owned(), ..Default::default() };
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let value =
            Value::deserialize(document).unwrap_or_else(|err| panic!("{overlay}: invalid YAML: {err}"));
        if value.is_null() {
            continue;
        }
        let kind =
            value["kind"].as_str().unwrap_or_else(|| panic!("{overlay}: object without kind: {value}"));
        let kind = kind.to_owned();
        let mut value = value;
        if kind == "Secret" {
            // kustomize wraps long base64 values over lines; the API server (Go) ignores the
            // line breaks, k8s-openapi's ByteString does not.
            if let Some(Value::Object(data)) = value.get_mut("data") {
                for item in data.values_mut() {
                    if let Value::String(text) = item {
                        text.retain(|c| !c.is_whitespace());
                    }
                }
            }
        }
        let m = &mut manifests;
        let meta = match kind.as_str() {
            "Deployment" => push(&mut m.deployments, value, |o| &o.metadata),
            "StatefulSet" => push(&mut m.stateful_sets, value, |o| &o.metadata),
            "Job" => push(&mut m.jobs, value, |o| &o.metadata),
            "Service" => push(&mut m.services, value, |o| &o.metadata),
            "Ingress" => push(&mut m.ingresses, value, |o| &o.metadata),
            "ServiceAccount" => push(&mut m.service_accounts, value, |o| &o.metadata),
            "Role" => push(&mut m.roles, value, |o| &o.metadata),
            "RoleBinding" => push(&mut m.role_bindings, value, |o| &o.metadata),
            "ClusterRole" => push(&mut m.cluster_roles, value, |o| &o.metadata),
            "ClusterRoleBinding" => push(&mut m.cluster_role_bindings, value, |o| &o.metadata),
            "NetworkPolicy" => push(&mut m.network_policies, value, |o| &o.metadata),
            "ConfigMap" => push(&mut m.config_maps, value, |o| &o.metadata),
            "Secret" => push(&mut m.secrets, value, |o| &o.metadata),
            "PersistentVolumeClaim" => push(&mut m.persistent_volume_claims, value, |o| &o.metadata),
            "PodDisruptionBudget" => push(&mut m.disruption_budgets, value, |o| &o.metadata),
            other => panic!(
                "{overlay}: unexpected kind {other} ({}); add it to tests/deploy_manifests.rs with its checks",
                value["metadata"]["name"]
            ),
        };
        manifests.all.push((kind, meta));
    }
    assert!(!manifests.all.is_empty(), "{overlay}: kustomize rendered nothing");
    manifests
}

/// Parses one object into its typed form and checks that serialising it again gives the same
/// JSON: a field k8s-openapi does not know (a typo, a wrong level of indentation) would vanish.
fn push<T: DeserializeOwned + serde::Serialize>(
    list: &mut Vec<T>,
    value: Value,
    meta: impl Fn(&T) -> &ObjectMeta,
) -> ObjectMeta {
    let name = format!(
        "{}/{}",
        value["kind"].as_str().unwrap_or("?"),
        value["metadata"]["name"].as_str().unwrap_or("?")
    );
    let object: T = serde_json::from_value(value.clone()).unwrap_or_else(|err| panic!("{name}: {err}"));
    let again = serde_json::to_value(&object).expect("serialisable");
    let mut differences = Vec::new();
    diff("", &value, &again, &mut differences);
    assert!(
        differences.is_empty(),
        "{name}: fields that k8s-openapi does not keep (unknown or misplaced):\n  {}",
        differences.join("\n  ")
    );
    let metadata = meta(&object).clone();
    list.push(object);
    metadata
}

fn diff(path: &str, original: &Value, again: &Value, out: &mut Vec<String>) {
    match (original, again) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => diff(&here, value, other, out),
                    None => out.push(format!("{here} = {value}")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{index}]"), x, y, out);
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} became {b}")),
        _ => {}
    }
}

// ------------------------------------------------------------------------------------------------
// Helpers over the parsed objects
// ------------------------------------------------------------------------------------------------

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

fn labels(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

impl Manifests {
    /// Every pod template: (owner, template).
    fn pod_templates(&self) -> Vec<(String, &PodTemplateSpec)> {
        let mut templates = Vec::new();
        for d in &self.deployments {
            templates.push((format!("Deployment/{}", name(&d.metadata)), &d.spec.template));
        }
        for s in &self.stateful_sets {
            templates.push((format!("StatefulSet/{}", name(&s.metadata)), &s.spec.template));
        }
        for j in &self.jobs {
            templates.push((format!("Job/{}", name(&j.metadata)), &j.spec.as_ref().expect("spec").template));
        }
        templates
    }

    /// Every container, init containers included: (owner/container, container).
    fn containers(&self) -> Vec<(String, &Container)> {
        let mut all = Vec::new();
        for (owner, template) in self.pod_templates() {
            let spec = template.spec.as_ref().unwrap_or_else(|| panic!("{owner}: pod template without spec"));
            for c in spec.init_containers.iter().flatten().chain(&spec.containers) {
                all.push((format!("{owner}/{}", c.name), c));
            }
        }
        all
    }

    fn deployment(&self, wanted: &str) -> &Deployment {
        self.deployments
            .iter()
            .find(|d| name(&d.metadata) == wanted)
            .unwrap_or_else(|| panic!("{}: no Deployment {wanted}", self.overlay))
    }

    fn stateful_set(&self, wanted: &str) -> Option<&StatefulSet> {
        self.stateful_sets.iter().find(|s| name(&s.metadata) == wanted)
    }

    fn service(&self, wanted: &str) -> &Service {
        self.services
            .iter()
            .find(|s| name(&s.metadata) == wanted)
            .unwrap_or_else(|| panic!("{}: no Service {wanted}", self.overlay))
    }

    /// The generated ConfigMap whose name starts with `prefix` (kustomize adds a hash suffix).
    fn generated_config_map(&self, prefix: &str) -> &ConfigMap {
        let found: Vec<_> =
            self.config_maps.iter().filter(|c| generated_from(name(&c.metadata), prefix)).collect();
        assert_eq!(found.len(), 1, "{}: expected one ConfigMap {prefix}-<hash>", self.overlay);
        found[0]
    }

    fn has_object(&self, kind: &str, wanted: &str) -> bool {
        self.all.iter().any(|(k, meta)| k == kind && name(meta) == wanted)
    }
}

/// `name` is `prefix` itself or `prefix-<hash>`.
fn generated_from(name: &str, prefix: &str) -> bool {
    name == prefix
        || name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('-') && !rest[1..].contains('-'))
}

fn container_named<'a>(template: &'a PodTemplateSpec, wanted: &str) -> &'a Container {
    template
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == wanted))
        .unwrap_or_else(|| panic!("no container {wanted}"))
}

fn env_value<'a>(container: &'a Container, var: &str) -> Option<&'a k8s_openapi::api::core::v1::EnvVar> {
    container.env.iter().flatten().find(|e| e.name == var)
}

/// Checks that an image reference names an exact version: a digest, or a tag with a digit
/// that is not `latest`.
fn check_pinned(image: &str) -> Result<(), String> {
    if let Some((_, digest)) = image.split_once("@sha256:") {
        return if digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(())
        } else {
            Err(format!("{image}: malformed sha256 digest"))
        };
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Err(format!("{image}: no tag or digest (means :latest)")),
        Some((_, "latest")) => Err(format!("{image}: :latest is not a version")),
        Some((_, tag)) if !exact_version(tag) => {
            Err(format!("{image}: tag {tag:?} is not an exact version (pin e.g. 1.2 or 1.2.3, or a digest)"))
        }
        Some(_) => Ok(()),
    }
}

/// A tag naming one release: it contains `<digits>.<digits>` (`12.12-slim`, `2.10.24-alpine`)
/// or a date (`bookworm-20250224-slim`), not just a major version (`3-slim`) or a codename.
fn exact_version(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let dotted = bytes.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    let dated = bytes.windows(8).any(|w| w.iter().all(u8::is_ascii_digit));
    dotted || dated
}

#[test]
fn image_pinning_rule() {
    assert!(check_pinned("nats:2.10.24-alpine").is_ok());
    assert!(check_pinned("registry.example.com:5000/causeway/causeway:0.1.0").is_ok());
    assert!(check_pinned(&format!("debian:12.12-slim@sha256:{}", "a".repeat(64))).is_ok());
    assert!(check_pinned("registry.example.com:5000/causeway/causeway").is_err());
    assert!(check_pinned("nats:latest").is_err());
    assert!(check_pinned("debian:bookworm-slim").is_err());
    assert!(check_pinned("python:3-slim").is_err());
    assert!(check_pinned("debian:bookworm-20250224-slim").is_ok());
    assert!(check_pinned("debian@sha256:abc").is_err());
}

/// "256m" → bytes (nginx size syntax).
fn nginx_size(text: &str) -> u64 {
    let text = text.trim().to_ascii_lowercase();
    let (number, factor) = match text.chars().last() {
        Some('k') => (&text[..text.len() - 1], 1u64 << 10),
        Some('m') => (&text[..text.len() - 1], 1 << 20),
        Some('g') => (&text[..text.len() - 1], 1 << 30),
        _ => (text.as_str(), 1),
    };
    number.parse::<u64>().unwrap_or_else(|_| panic!("{text:?} is not an nginx size")) * factor
}

fn rule_triples(rules: &[PolicyRule]) -> BTreeSet<(String, String, String)> {
    let mut triples = BTreeSet::new();
    for rule in rules {
        assert!(rule.non_resource_urls.is_none(), "unexpected nonResourceURLs in {rule:?}");
        for group in rule.api_groups.iter().flatten() {
            for resource in rule.resources.iter().flatten() {
                for verb in &rule.verbs {
                    for part in [group, resource, verb] {
                        assert!(!part.contains('*'), "wildcard in RBAC rule {rule:?}");
                    }
                    triples.insert((group.clone(), resource.clone(), verb.clone()));
                }
            }
        }
    }
    triples
}

fn triples(group: &str, resource: &str, verbs: &[&str]) -> Vec<(String, String, String)> {
    verbs.iter().map(|v| (group.to_owned(), resource.to_owned(), (*v).to_owned())).collect()
}

// ------------------------------------------------------------------------------------------------
// Checks common to every overlay
// ------------------------------------------------------------------------------------------------

fn check_common(m: &Manifests) {
    let overlay = &m.overlay;

    // Labels and namespaces.
    for (kind, meta) in &m.all {
        let labels = labels(meta);
        let id = format!("{overlay}: {kind}/{}", name(meta));
        assert_eq!(
            labels.get("app.kubernetes.io/name").map(String::as_str),
            Some("causeway"),
            "{id}: name label"
        );
        let component =
            labels.get("app.kubernetes.io/component").unwrap_or_else(|| panic!("{id}: no component label"));
        assert!(COMPONENTS.contains(&component.as_str()), "{id}: unknown component {component}");
        let cluster_scoped = matches!(kind.as_str(), "ClusterRole" | "ClusterRoleBinding");
        if cluster_scoped {
            assert!(meta.namespace.is_none(), "{id}: cluster-scoped object with a namespace");
        } else {
            assert_eq!(meta.namespace.as_deref(), Some(NAMESPACE), "{id}: namespace");
        }
    }
    for (owner, template) in m.pod_templates() {
        let labels = template.metadata.as_ref().map(labels).unwrap_or_default();
        assert_eq!(
            labels.get("app.kubernetes.io/name").map(String::as_str),
            Some("causeway"),
            "{overlay}: {owner} pods"
        );
        let component = labels.get("app.kubernetes.io/component").map(String::as_str).unwrap_or("");
        assert!(COMPONENTS.contains(&component), "{overlay}: {owner} pods have component {component:?}");
    }

    // Selectors select their own pods; Services select some pods.
    let template_labels: Vec<BTreeMap<String, String>> =
        m.pod_templates().iter().map(|(_, t)| t.metadata.as_ref().map(labels).unwrap_or_default()).collect();
    let selects = |selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>| {
        selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    };
    for d in &m.deployments {
        let spec = &d.spec;
        let selector = spec.selector.match_labels.clone().unwrap_or_default();
        assert!(!selector.is_empty(), "{overlay}: Deployment/{} selects nothing", name(&d.metadata));
        assert!(
            selects(&selector, &spec.template.metadata.as_ref().map(labels).unwrap_or_default()),
            "{overlay}: Deployment/{} selector does not match its pods",
            name(&d.metadata)
        );
    }
    for s in &m.stateful_sets {
        let spec = &s.spec;
        let selector = spec.selector.match_labels.clone().unwrap_or_default();
        assert!(
            !selector.is_empty()
                && selects(&selector, &spec.template.metadata.as_ref().map(labels).unwrap_or_default()),
            "{overlay}: StatefulSet/{} selector does not match its pods",
            name(&s.metadata)
        );
        let governing =
            spec.service_name.as_deref().unwrap_or_else(|| panic!("StatefulSet without serviceName"));
        assert_eq!(
            m.service(governing).spec.as_ref().and_then(|s| s.cluster_ip.as_deref()),
            Some("None"),
            "{overlay}: StatefulSet/{}: serviceName must be a headless Service",
            name(&s.metadata)
        );
    }
    for s in &m.services {
        let selector = s.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default();
        assert!(
            template_labels.iter().any(|labels| selects(&selector, labels)) && !selector.is_empty(),
            "{overlay}: Service/{} selects no pods of this deployment",
            name(&s.metadata)
        );
    }

    // Images: pinned everywhere.
    for (id, c) in m.containers() {
        let image = c.image.as_deref().unwrap_or_else(|| panic!("{overlay}: {id}: no image"));
        if let Err(err) = check_pinned(image) {
            panic!("{overlay}: {id}: {err}");
        }
    }

    // Probes and requests: every long-running container; the Causeway roles answer /readyz and
    // /healthz on the port named http.
    for d in &m.deployments {
        let spec = d.spec.template.spec.as_ref().expect("pod spec");
        for c in &spec.containers {
            let id = format!("{overlay}: Deployment/{}/{}", name(&d.metadata), c.name);
            let path = |probe: &Option<k8s_openapi::api::core::v1::Probe>| {
                let get = probe.as_ref().and_then(|p| p.http_get.as_ref());
                get.map(|g| (g.path.clone().unwrap_or_default(), g.port.clone()))
            };
            assert_eq!(
                path(&c.readiness_probe),
                Some(("/readyz".into(), IntOrString::String("http".into()))),
                "{id}: readiness probe"
            );
            assert_eq!(
                path(&c.liveness_probe),
                Some(("/healthz".into(), IntOrString::String("http".into()))),
                "{id}: liveness probe"
            );
            let http = c.ports.iter().flatten().find(|p| p.name.as_deref() == Some("http"));
            assert_eq!(http.map(|p| p.container_port), Some(8080), "{id}: port http");
        }
    }
    for s in &m.stateful_sets {
        let spec = s.spec.template.spec.as_ref().expect("pod spec");
        for c in &spec.containers {
            let id = format!("{overlay}: StatefulSet/{}/{}", name(&s.metadata), c.name);
            assert!(c.readiness_probe.is_some(), "{id}: no readiness probe");
            assert!(c.liveness_probe.is_some(), "{id}: no liveness probe");
        }
    }
    for (id, c) in m.containers() {
        let requests = c.resources.as_ref().and_then(|r| r.requests.clone()).unwrap_or_default();
        for resource in ["cpu", "memory"] {
            assert!(requests.contains_key(resource), "{overlay}: {id}: no {resource} request");
        }
    }

    // Pods run as non-root, without privilege escalation.
    for (owner, template) in m.pod_templates() {
        let spec = template.spec.as_ref().expect("pod spec");
        let pod = spec.security_context.as_ref();
        assert_eq!(pod.and_then(|s| s.run_as_non_root), Some(true), "{overlay}: {owner}: runAsNonRoot");
        assert!(pod.and_then(|s| s.run_as_user).is_some_and(|uid| uid > 0), "{overlay}: {owner}: runAsUser");
        for c in spec.init_containers.iter().flatten().chain(&spec.containers) {
            let sc = c.security_context.as_ref();
            assert_eq!(
                sc.and_then(|s| s.allow_privilege_escalation),
                Some(false),
                "{overlay}: {owner}/{}: allowPrivilegeEscalation",
                c.name
            );
        }
    }

    // The shared configuration.
    let config = m.generated_config_map("causeway-config");
    let data = config.data.clone().unwrap_or_default();
    let get = |key: &str| {
        data.get(key).map(String::as_str).unwrap_or_else(|| panic!("{overlay}: causeway-config lacks {key}"))
    };
    assert_eq!(get("CAUSEWAY_LISTEN"), "0.0.0.0:8080");
    assert_eq!(get("CAUSEWAY_LAUNCHER"), "kubernetes");
    assert_eq!(get("CAUSEWAY_REQUIRE_UPLOAD_TOKEN"), "true");
    // Listening on 0.0.0.0, the roles must authenticate callers (an open API would not start).
    assert!(["token", "oidc"].contains(&get("CAUSEWAY_AUTH")), "CAUSEWAY_AUTH = {}", get("CAUSEWAY_AUTH"));
    assert_eq!(get("CAUSEWAY_LOG_FORMAT"), "json");
    assert_eq!(
        get("CAUSEWAY_NATS_PREFIX"),
        "causeway",
        "nats/nats-server.conf permissions assume the prefix causeway"
    );
    let collector_port = m
        .service("causeway-collector")
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|p| p.iter().find(|p| p.name.as_deref() == Some("http")))
        .map(|p| p.port)
        .expect("collector port http");
    assert_eq!(
        get("CAUSEWAY_API_HOST"),
        format!("causeway-collector:{collector_port}"),
        "executors reach the collector"
    );
    assert!(!get("CAUSEWAY_IMAGE_NAMESPACE").is_empty());
    assert!(!get("CAUSEWAY_RELEASE_NAME").is_empty());

    // Every reference to a ConfigMap or Secret resolves (kustomize rewrote the hashed names);
    // only the Secrets an operator creates may be missing.
    let external: BTreeSet<&str> =
        if m.secrets.is_empty() { EXTERNAL_SECRETS.iter().copied().collect() } else { BTreeSet::new() };
    for (owner, template) in m.pod_templates() {
        let spec = template.spec.as_ref().expect("pod spec");
        for c in spec.init_containers.iter().flatten().chain(&spec.containers) {
            for from in c.env_from.iter().flatten() {
                if let Some(cm) = &from.config_map_ref {
                    assert!(
                        m.has_object("ConfigMap", &cm.name),
                        "{overlay}: {owner}/{}: ConfigMap {} missing",
                        c.name,
                        cm.name
                    );
                }
            }
            for var in c.env.iter().flatten() {
                let Some(source) = &var.value_from else { continue };
                if let Some(secret) = &source.secret_key_ref {
                    let optional = secret.optional == Some(true);
                    let exists = m.secrets.iter().find(|s| name(&s.metadata) == secret.name);
                    match exists {
                        Some(s) => assert!(
                            s.data.as_ref().is_some_and(|d| d.contains_key(&secret.key))
                                || s.string_data.as_ref().is_some_and(|d| d.contains_key(&secret.key)),
                            "{overlay}: {owner}/{}: Secret {} has no key {}",
                            c.name,
                            secret.name,
                            secret.key
                        ),
                        None => assert!(
                            optional || external.contains(secret.name.as_str()),
                            "{overlay}: {owner}/{}: Secret {} missing",
                            c.name,
                            secret.name
                        ),
                    }
                }
            }
        }
        for volume in spec.volumes.iter().flatten() {
            if let Some(cm) = &volume.config_map {
                assert!(
                    m.has_object("ConfigMap", &cm.name),
                    "{overlay}: {owner}: ConfigMap {} missing",
                    cm.name
                );
            }
        }
    }

    check_rbac(m);
    check_ingress(m);
    check_network_policies(m);
    check_nats(m);
    check_migration(m);
}

fn check_rbac(m: &Manifests) {
    let overlay = &m.overlay;
    for role in &m.roles {
        rule_triples(role.rules.as_deref().unwrap_or_default());
    }
    for role in &m.cluster_roles {
        assert!(role.aggregation_rule.is_none(), "{overlay}: aggregated ClusterRole");
        rule_triples(role.rules.as_deref().unwrap_or_default());
    }
    assert_eq!(m.roles.len(), 1, "{overlay}: one Role (the scheduler's)");
    assert_eq!(m.cluster_roles.len(), 1, "{overlay}: one ClusterRole (nodes)");

    let role = &m.roles[0];
    let expected: BTreeSet<_> = [
        triples("batch", "jobs", &["create", "get", "list", "watch", "delete"]),
        triples("", "pods", &["get", "list", "watch", "delete"]),
        triples("", "pods/log", &["get"]),
    ]
    .concat()
    .into_iter()
    .collect();
    assert_eq!(
        rule_triples(role.rules.as_deref().unwrap_or_default()),
        expected,
        "{overlay}: scheduler Role"
    );
    let cluster_role = &m.cluster_roles[0];
    let expected: BTreeSet<_> = triples("", "nodes", &["get", "list"]).into_iter().collect();
    assert_eq!(
        rule_triples(cluster_role.rules.as_deref().unwrap_or_default()),
        expected,
        "{overlay}: nodes ClusterRole"
    );

    assert_eq!(m.service_accounts.len(), 1, "{overlay}: one ServiceAccount (the scheduler's)");
    let account = name(&m.service_accounts[0].metadata);
    let is_scheduler = |subjects: &Option<Vec<k8s_openapi::api::rbac::v1::Subject>>| {
        let subjects = subjects.as_deref().unwrap_or_default();
        subjects.len() == 1
            && subjects[0].kind == "ServiceAccount"
            && subjects[0].name == account
            && subjects[0].namespace.as_deref().unwrap_or(NAMESPACE) == NAMESPACE
    };
    assert_eq!(m.role_bindings.len(), 1);
    let binding = &m.role_bindings[0];
    assert_eq!(
        (binding.role_ref.kind.as_str(), binding.role_ref.name.as_str()),
        ("Role", name(&role.metadata))
    );
    assert!(is_scheduler(&binding.subjects), "{overlay}: RoleBinding subjects {:?}", binding.subjects);
    assert_eq!(m.cluster_role_bindings.len(), 1);
    let binding = &m.cluster_role_bindings[0];
    assert_eq!(
        (binding.role_ref.kind.as_str(), binding.role_ref.name.as_str()),
        ("ClusterRole", name(&cluster_role.metadata))
    );
    assert!(
        is_scheduler(&binding.subjects)
            && binding.subjects.as_ref().unwrap()[0].namespace.as_deref() == Some(NAMESPACE),
        "{overlay}: ClusterRoleBinding must name the scheduler's account in namespace {NAMESPACE}: {:?}",
        binding.subjects
    );

    // Only the scheduler gets an API token.
    for (owner, template) in m.pod_templates() {
        let spec = template.spec.as_ref().expect("pod spec");
        if owner == "Deployment/causeway-scheduler" {
            assert_eq!(spec.service_account_name.as_deref(), Some(account), "{overlay}: scheduler account");
        } else {
            assert_eq!(spec.service_account_name, None, "{overlay}: {owner} uses a ServiceAccount");
            assert_eq!(
                spec.automount_service_account_token,
                Some(false),
                "{overlay}: {owner} mounts an API token"
            );
        }
    }
}

fn check_ingress(m: &Manifests) {
    let overlay = &m.overlay;
    assert_eq!(m.ingresses.len(), 1, "{overlay}: one Ingress");
    let ingress = &m.ingresses[0];
    let annotations = ingress.metadata.annotations.clone().unwrap_or_default();
    let annotation = |key: &str| {
        annotations
            .get(&format!("nginx.ingress.kubernetes.io/{key}"))
            .unwrap_or_else(|| panic!("{overlay}: Ingress lacks nginx.ingress.kubernetes.io/{key}"))
            .as_str()
    };
    assert!(
        nginx_size(annotation("proxy-body-size")) >= 200 << 20,
        "{overlay}: body size below 200m (1M-edge uploads)"
    );
    for key in ["proxy-read-timeout", "proxy-send-timeout"] {
        let seconds: u64 =
            annotation(key).parse().unwrap_or_else(|_| panic!("{key} is not a number of seconds"));
        assert!(seconds >= 1200, "{overlay}: {key} = {seconds} s, uploads need >= 1200");
    }
    assert_eq!(
        annotation("proxy-request-buffering"),
        "off",
        "{overlay}: uploads should stream to the collector"
    );

    let spec = ingress.spec.as_ref().expect("Ingress spec");
    assert!(spec.ingress_class_name.is_some(), "{overlay}: ingressClassName");
    let mut routes = BTreeMap::new();
    for rule in spec.rules.iter().flatten() {
        for path in rule.http.iter().flat_map(|h| &h.paths) {
            let service = path.backend.service.as_ref().expect("service backend");
            let port = service.port.as_ref().and_then(|p| p.name.clone()).expect("backend port by name");
            let target = m.service(&service.name);
            assert!(
                target
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .is_some_and(|ports| ports.iter().any(|p| p.name.as_deref() == Some(&port))),
                "{overlay}: Ingress backend {}:{port} has no such port",
                service.name
            );
            routes.insert(
                path.path.clone().unwrap_or_default(),
                (path.path_type.clone(), service.name.clone()),
            );
        }
    }
    for (path, service) in [
        ("/api", "causeway-api"),
        ("/ws", "causeway-api"),
        ("/swagger", "causeway-api"),
        ("/", "causeway-api"),
        ("/t", "causeway-collector"),
    ] {
        assert_eq!(
            routes.get(path),
            Some(&("Prefix".to_owned(), service.to_owned())),
            "{overlay}: Ingress route {path} (routes: {routes:?})"
        );
    }
}

fn check_network_policies(m: &Manifests) {
    let overlay = &m.overlay;
    let executor = m
        .network_policies
        .iter()
        .find(|p| {
            let selector =
                p.spec.as_ref().and_then(|s| s.pod_selector.as_ref()).and_then(|s| s.match_labels.clone());
            selector.unwrap_or_default().get("app.kubernetes.io/component").map(String::as_str)
                == Some("executor")
        })
        .unwrap_or_else(|| panic!("{overlay}: no NetworkPolicy for executor pods"));
    let spec = executor.spec.as_ref().expect("spec");
    let types = spec.policy_types.clone().unwrap_or_default();
    assert!(
        types.iter().any(|t| t == "Egress") && types.iter().any(|t| t == "Ingress"),
        "{overlay}: executor policy types {types:?}"
    );
    assert!(
        spec.ingress.as_deref().unwrap_or_default().is_empty(),
        "{overlay}: executors accept no connections"
    );

    let collector = m.deployment("causeway-collector");
    let collector_labels = collector.spec.template.metadata.as_ref().map(labels).unwrap_or_default();
    let collector_port = container_named(&collector.spec.template, "collector")
        .ports
        .iter()
        .flatten()
        .find(|p| p.name.as_deref() == Some("http"))
        .map(|p| p.container_port)
        .expect("collector port");
    let mut reaches_collector = false;
    for rule in spec.egress.iter().flatten() {
        let ports = rule.ports.as_deref().unwrap_or_default();
        let peers = rule.to.as_deref().unwrap_or_default();
        assert!(
            !ports.is_empty() && !peers.is_empty(),
            "{overlay}: executor egress rule open to everything: {rule:?}"
        );
        let port_numbers: BTreeSet<i32> = ports
            .iter()
            .map(|p| match &p.port {
                Some(IntOrString::Int(n)) => *n,
                other => panic!("{overlay}: executor egress port must be a number: {other:?}"),
            })
            .collect();
        if port_numbers == BTreeSet::from([53]) {
            // DNS: to the cluster DNS pods only.
            for peer in peers {
                assert!(peer.ip_block.is_none(), "{overlay}: DNS egress to an IP block");
                let selector =
                    peer.pod_selector.as_ref().and_then(|s| s.match_labels.clone()).unwrap_or_default();
                assert!(!selector.is_empty(), "{overlay}: DNS egress to any pod");
            }
            continue;
        }
        assert_eq!(port_numbers, BTreeSet::from([collector_port]), "{overlay}: executor egress ports");
        for peer in peers {
            assert!(
                peer.namespace_selector.is_none() && peer.ip_block.is_none(),
                "{overlay}: executor egress beyond the namespace"
            );
            let selector =
                peer.pod_selector.as_ref().and_then(|s| s.match_labels.clone()).unwrap_or_default();
            assert!(
                !selector.is_empty() && selector.iter().all(|(k, v)| collector_labels.get(k) == Some(v)),
                "{overlay}: executor egress selects more than the collector: {selector:?}"
            );
        }
        reaches_collector = true;
    }
    assert!(reaches_collector, "{overlay}: executors cannot reach the collector");
}

fn check_nats(m: &Manifests) {
    let overlay = &m.overlay;
    let conf = std::fs::read_to_string(root().join("nats/nats-server.conf")).expect("nats/nats-server.conf");
    let streams = std::fs::read_to_string(root().join("nats/streams.json")).expect("nats/streams.json");
    let config_map = m.generated_config_map("causeway-nats-config");
    let data = config_map.data.clone().unwrap_or_default();
    assert_eq!(
        data.get("nats-server.conf"),
        Some(&conf),
        "{overlay}: ConfigMap differs from nats/nats-server.conf"
    );
    assert_eq!(
        data.get("streams.json"),
        Some(&streams),
        "{overlay}: ConfigMap differs from nats/streams.json"
    );

    let nats = m.stateful_set("causeway-nats").unwrap_or_else(|| panic!("{overlay}: no NATS StatefulSet"));
    let spec = &nats.spec;
    let pod = spec.template.spec.as_ref().expect("pod spec");
    let container = container_named(&spec.template, "nats");
    // Every $VARIABLE of the configuration comes from the environment.
    let variables = config_variables(&conf);
    assert!(variables.contains("API_PASSWORD"), "nats-server.conf reads passwords from the environment");
    for var in &variables {
        assert!(env_value(container, var).is_some(), "{overlay}: NATS container lacks ${var}");
    }
    // The configuration is mounted where the server reads it.
    let args = container.args.clone().unwrap_or_default();
    let conf_path =
        args.windows(2).find(|w| w[0] == "--config" || w[0] == "-c").map(|w| w[1].clone()).expect("--config");
    let (conf_dir, conf_file) = conf_path.rsplit_once('/').expect("absolute config path");
    assert_eq!(conf_file, "nats-server.conf");
    let mount =
        container.volume_mounts.iter().flatten().find(|v| v.mount_path == conf_dir).expect("config mount");
    let volume = pod.volumes.iter().flatten().find(|v| v.name == mount.name).expect("config volume");
    assert_eq!(volume.config_map.as_ref().map(|c| c.name.as_str()), config_map.metadata.name.as_deref());
    // JetStream's store_dir is on the PersistentVolume.
    let store_dir = conf
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("store_dir:"))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .expect("store_dir in nats-server.conf");
    let claims = spec.volume_claim_templates.as_deref().unwrap_or_default();
    let data_mount = container
        .volume_mounts
        .iter()
        .flatten()
        .find(|v| v.mount_path == store_dir)
        .expect("store_dir mounted");
    assert!(
        claims.iter().any(|c| c.metadata.name.as_deref() == Some(&data_mount.name)),
        "{overlay}: JetStream store_dir {store_dir} is not on a PersistentVolumeClaim"
    );

    // Each role connects as its own NATS user, with that user's password.
    let users: BTreeSet<String> =
        conf.lines().filter_map(|l| l.trim().strip_prefix("user:")).map(|u| u.trim().to_owned()).collect();
    for role in ["api", "scheduler", "collector"] {
        assert!(users.contains(role), "nats-server.conf has no user {role}");
        let deployment = m.deployment(&format!("causeway-{role}"));
        let container = container_named(&deployment.spec.template, role);
        let url = env_value(container, "NATS_URL").and_then(|e| e.value.clone()).expect("NATS_URL");
        assert_eq!(
            url,
            format!("nats://{role}:$(NATS_PASSWORD)@causeway-nats:4222"),
            "{overlay}: {role} NATS_URL"
        );
        let password = env_value(container, "NATS_PASSWORD")
            .and_then(|e| e.value_from.as_ref())
            .and_then(|v| v.secret_key_ref.as_ref())
            .expect("NATS_PASSWORD from a Secret");
        assert!(
            generated_from(&password.name, "causeway-nats-users") && password.key == role,
            "{overlay}: {role} password key"
        );
        let index = |name: &str| container.env.iter().flatten().position(|e| e.name == name);
        assert!(
            index("NATS_PASSWORD") < index("NATS_URL"),
            "{overlay}: $(NATS_PASSWORD) must be defined before NATS_URL"
        );
    }
    let service = m.service("causeway-nats");
    let ports: BTreeSet<i32> = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default()
        .iter()
        .map(|p| p.port)
        .collect();
    assert!(ports.contains(&4222), "{overlay}: causeway-nats serves clients on 4222");
}

/// The `$VARIABLE` references of a nats-server configuration, outside comments and quoted
/// strings (where `$JS.API...` is a subject, not a variable).
fn config_variables(conf: &str) -> BTreeSet<String> {
    let mut variables = BTreeSet::new();
    for line in conf.lines() {
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '#' if !quoted => break,
                '$' if !quoted => {
                    let mut name = String::new();
                    while let Some(&next) = chars.peek().filter(|c| c.is_ascii_alphanumeric() || **c == '_') {
                        name.push(next);
                        chars.next();
                    }
                    variables.insert(name);
                }
                _ => {}
            }
        }
    }
    variables
}

#[test]
fn config_variables_skip_subjects_and_comments() {
    let conf = "password: $API_PASSWORD\nallow: [\"$JS.API.INFO\"] # $NOT_THIS\n";
    assert_eq!(config_variables(conf), BTreeSet::from(["API_PASSWORD".to_owned()]));
}

fn check_migration(m: &Manifests) {
    let overlay = &m.overlay;
    let job = m.jobs.iter().find(|j| name(&j.metadata) == "causeway-migrate").expect("migration Job");
    let pod = job.spec.as_ref().expect("spec").template.spec.as_ref().expect("pod spec");
    let args = |c: &Container| c.args.clone().unwrap_or_default();
    let init: Vec<_> = pod.init_containers.iter().flatten().map(args).collect();
    let main: Vec<_> = pod.containers.iter().map(args).collect();
    assert_eq!(init, vec![vec!["migrate".to_owned()]], "{overlay}: migrate runs first");
    assert_eq!(main, vec![vec!["seed".to_owned()]], "{overlay}: then seed");
    assert_ne!(pod.restart_policy.as_deref(), Some("Always"));
}

// ------------------------------------------------------------------------------------------------
// The overlays
// ------------------------------------------------------------------------------------------------

#[test]
fn dev_overlay() {
    let m = render("dev");
    check_common(&m);

    // Postgres in the cluster, on a PersistentVolume, reached through its Service.
    let postgres = m.stateful_set("causeway-postgres").expect("dev runs Postgres");
    let spec = &postgres.spec;
    assert!(!spec.volume_claim_templates.as_deref().unwrap_or_default().is_empty(), "Postgres data on a PVC");
    assert_eq!(spec.replicas, Some(1));
    m.service("causeway-postgres");
    let database = m
        .secrets
        .iter()
        .find(|s| generated_from(name(&s.metadata), "causeway-database"))
        .expect("DATABASE_URL Secret");
    let url = database.data.as_ref().and_then(|d| d.get("url")).expect("key url");
    let url = String::from_utf8(url.0.clone()).expect("UTF-8");
    assert!(
        url.starts_with("postgres://") && url.contains("@causeway-postgres:5432/"),
        "dev DATABASE_URL {url}"
    );

    for d in &m.deployments {
        assert_eq!(d.spec.replicas, Some(1), "dev: one replica of {}", name(&d.metadata));
    }
}

#[test]
fn production_overlay() {
    let m = render("production");
    check_common(&m);

    assert!(m.stateful_set("causeway-postgres").is_none(), "production uses an external database");
    assert!(m.secrets.is_empty(), "production must not ship Secrets (created by the operator)");
    for role in ["causeway-api", "causeway-collector"] {
        let replicas = m.deployment(role).spec.replicas.unwrap_or(1);
        assert!(replicas >= 2, "production: {role} has {replicas} replica(s)");
        assert!(
            m.disruption_budgets.iter().any(|b| name(&b.metadata) == role),
            "production: no PodDisruptionBudget for {role}"
        );
    }
    for (id, c) in m.containers() {
        let limits = c.resources.as_ref().and_then(|r| r.limits.clone()).unwrap_or_default();
        for resource in ["cpu", "memory"] {
            assert!(limits.contains_key(resource), "production: {id}: no {resource} limit");
        }
    }
    let tls = m.ingresses[0].spec.as_ref().and_then(|s| s.tls.clone()).unwrap_or_default();
    assert!(!tls.is_empty(), "production: the Ingress serves TLS");
}

// ------------------------------------------------------------------------------------------------
// Dockerfiles
// ------------------------------------------------------------------------------------------------

struct Stage {
    name: Option<String>,
    user: Option<String>,
    entrypoint: Option<String>,
    copies_from_context: bool,
}

/// Logical instructions: comments dropped, continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(start) = trimmed.strip_suffix('\\') {
            current.push_str(start);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let full = std::mem::take(&mut current);
        let (word, rest) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        out.push((word.to_ascii_uppercase(), rest.trim().to_owned()));
    }
    out
}

fn parse_dockerfile(path: &Path) -> Vec<Stage> {
    let text = std::fs::read_to_string(path).expect("readable Dockerfile");
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut stages: Vec<Stage> = Vec::new();
    for (instruction, rest) in instructions(&text) {
        match instruction.as_str() {
            "FROM" => {
                let words: Vec<&str> = rest.split_whitespace().filter(|w| !w.starts_with("--")).collect();
                let image = words.first().unwrap_or_else(|| panic!("{file}: FROM without image"));
                assert!(
                    !image.contains('$'),
                    "{file}: FROM {image}: base images must be literal to be checked"
                );
                let earlier_stage = stages.iter().any(|s| s.name.as_deref() == Some(*image));
                if !earlier_stage && let Err(err) = check_pinned(image) {
                    panic!("{file}: FROM {err}");
                }
                let name = match words.as_slice() {
                    [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some((*name).to_owned()),
                    [_] => None,
                    other => panic!("{file}: cannot read FROM {other:?}"),
                };
                stages.push(Stage { name, user: None, entrypoint: None, copies_from_context: false });
            }
            _ if stages.is_empty() => {
                assert!(instruction == "ARG", "{file}: {instruction} before the first FROM");
            }
            "USER" => stages.last_mut().unwrap().user = Some(rest),
            "ENTRYPOINT" => stages.last_mut().unwrap().entrypoint = Some(rest),
            "COPY" | "ADD" if !rest.split_whitespace().any(|w| w.starts_with("--from=")) => {
                stages.last_mut().unwrap().copies_from_context = true;
            }
            _ => {}
        }
    }
    assert!(!stages.is_empty(), "{file}: no FROM");
    stages
}

#[test]
fn dockerfiles_pin_their_bases_and_run_as_non_root() {
    let dir = root().join("deploy/images");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("deploy/images") {
        let path = entry.expect("entry").path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(file == "Dockerfile" || file.ends_with(".Dockerfile")) {
            continue;
        }
        let stages = parse_dockerfile(&path);
        let last = stages.last().unwrap();
        let user = last
            .user
            .as_deref()
            .unwrap_or_else(|| panic!("{file}: the final stage sets no USER (runs as root)"));
        let uid = user.split(':').next().unwrap_or_default();
        assert!(
            uid.parse::<u32>().is_ok_and(|uid| uid > 0),
            "{file}: USER {user}: use a numeric non-root uid (Kubernetes checks runAsNonRoot by number)"
        );
        let entrypoint = last.entrypoint.as_deref().unwrap_or_else(|| panic!("{file}: no ENTRYPOINT"));
        assert!(
            serde_json::from_str::<Vec<String>>(entrypoint).is_ok_and(|e| !e.is_empty()),
            "{file}: ENTRYPOINT must be an exec-form array (the scheduler passes the script as args)"
        );
        if stages.len() > 1 {
            assert!(
                !last.copies_from_context,
                "{file}: the runtime stage should copy only from build stages"
            );
        }
        // A per-Dockerfile ignore file keeps target/ (gigabytes) out of the build context.
        let ignore = std::fs::read_to_string(dir.join(format!("{file}.dockerignore")))
            .unwrap_or_else(|_| panic!("{file}: no {file}.dockerignore next to it"));
        assert!(ignore.lines().any(|l| l.trim() == "target"), "{file}.dockerignore must exclude target");
        seen.insert(file);
    }
    for expected in [
        "causeway.Dockerfile",
        "executor-pc.Dockerfile",
        "executor-python.Dockerfile",
        "executor-r.Dockerfile",
        "generator-r.Dockerfile",
    ] {
        assert!(seen.contains(expected), "deploy/images/{expected} missing");
    }
}

#[test]
fn dockerfile_parser_reads_stages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.Dockerfile");
    std::fs::write(
        &path,
        "ARG X=1\nFROM --platform=$BUILDPLATFORM rust:1.95.0-slim AS build\nRUN a \\\n  && b\n# USER 0\n\
         FROM debian:12.12-slim\nCOPY --from=build /a /a\nUSER 10001:10001\nENTRYPOINT [\"/a\"]\n",
    )
    .unwrap();
    let stages = parse_dockerfile(&path);
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].name.as_deref(), Some("build"));
    assert_eq!(stages[0].user, None);
    assert_eq!(stages[1].user.as_deref(), Some("10001:10001"));
    assert!(!stages[1].copies_from_context);
}
