//! The API's operations by path template, read from the OpenAPI metadata once: which methods a
//! path allows (the `Allow` header of a 405) and what a path parameter is called (poem-openapi
//! reports path parameters by position, as `param0`, `param1`, …).

use std::sync::LazyLock;

use poem::http::Method;
use poem_openapi::OpenApi;

/// One path template, e.g. `/job/{job_id}/result`, and the methods it has.
struct Template {
    segments: Vec<Segment>,
    methods: Vec<Method>,
}

enum Segment {
    Literal(String),
    Parameter(String),
}

impl Template {
    fn parse(path: &str) -> Template {
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Parameter(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            })
            .collect();
        Template { segments, methods: vec![] }
    }

    fn matches(&self, path: &[&str]) -> bool {
        self.segments.len() == path.len()
            && self.segments.iter().zip(path).all(|(segment, part)| match segment {
                Segment::Literal(literal) => literal == part,
                Segment::Parameter(_) => true,
            })
    }

    fn parameter(&self, index: usize) -> Option<&str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Parameter(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .nth(index)
    }
}

pub struct Operations {
    templates: Vec<Template>,
}

static OPERATIONS: LazyLock<Operations> = LazyLock::new(|| {
    let mut templates: Vec<Template> = vec![];
    for api in <super::Apis as OpenApi>::meta() {
        for path in api.paths {
            let mut template = Template::parse(&path.path);
            template.methods = path.operations.iter().map(|o| o.method.clone()).collect();
            templates.push(template);
        }
    }
    Operations { templates }
});

impl Operations {
    pub fn get() -> &'static Operations {
        &OPERATIONS
    }

    /// The templates `path` (below `/api`) matches; literal segments win over parameters, as in
    /// the router (`/jobs/dataset_generation` is not `/job/{job_id}`).
    fn matching(&self, path: &str) -> impl Iterator<Item = &Template> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut found: Vec<&Template> = self.templates.iter().filter(|t| t.matches(&parts)).collect();
        found.sort_by_key(|t| t.segments.iter().filter(|s| matches!(s, Segment::Parameter(_))).count());
        found.into_iter()
    }

    /// The value of an `Allow` header for `path`: its methods (HEAD wherever GET is), or `None`
    /// when no operation has that path.
    pub fn allow(&self, path: &str) -> Option<String> {
        let template = self.matching(path).next()?;
        let mut methods: Vec<&str> = template.methods.iter().map(Method::as_str).collect();
        if template.methods.contains(&Method::GET) {
            methods.push("HEAD");
        }
        methods
            .sort_by_key(|m| ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].iter().position(|o| o == m));
        Some(methods.join(", "))
    }

    /// The real name of the path parameter poem-openapi calls `param<index>` in a `method`
    /// request to `path`.
    pub fn path_parameter(&self, method: &Method, path: &str, index: usize) -> Option<&str> {
        self.matching(path).find(|t| t.methods.contains(method))?.parameter(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods_come_from_the_document() {
        let operations = Operations::get();
        assert_eq!(operations.allow("/job/7").as_deref(), Some("GET, HEAD, POST, PUT, DELETE"));
        assert_eq!(operations.allow("/job/7/result").as_deref(), Some("POST"));
        assert_eq!(operations.allow("/jobs/dataset_generation").as_deref(), Some("GET, HEAD, POST"));
        assert_eq!(operations.allow("/no/such/path"), None);
    }

    #[test]
    fn path_parameters_are_named_by_position() {
        let operations = Operations::get();
        assert_eq!(operations.path_parameter(&Method::GET, "/job/abc", 0), Some("job_id"));
        assert_eq!(operations.path_parameter(&Method::GET, "/result/x/export", 0), Some("result_id"));
        assert_eq!(
            operations.path_parameter(&Method::GET, "/result/1/compare/x", 1),
            Some("other_result_id")
        );
        assert_eq!(operations.path_parameter(&Method::GET, "/job/abc", 1), None);
    }
}
