//! `JsonBody<T>`: a JSON request body validated the MPCSL way.
//!
//! poem-openapi's own `Json<T>` rejects a whole body on the first type error with a text reason.
//! MPCSL's clients expect a 400 whose `message` maps every bad field to its messages, and unknown
//! fields to be ignored. `JsonBody<T>` keeps `T`'s schema in the OpenAPI document (so generated
//! clients know the shape) but parses with `T::from_json`, which reports field by field.

use poem::{Request, RequestBody};
use poem_openapi::{
    impl_apirequest_for_payload,
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde_json::{Map, Value};

use super::error::{ApiError, FieldErrors};

/// A request body type that validates itself from raw JSON.
pub trait FromJsonBody: Type + Sized {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors>;
}

pub struct JsonBody<T>(pub T);

impl<T: FromJsonBody> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        is_json_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: FromJsonBody + Send> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let object = read_json_object(request, body).await?;
        T::from_json(&object).map(JsonBody).map_err(|fields| ApiError::invalid_fields(fields).into())
    }
}

impl_apirequest_for_payload!(JsonBody<T>, T: FromJsonBody + Send);

pub fn is_json_content_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The largest JSON body an operation parses whole. Result and dataset uploads are streamed
/// and have no such limit; everything else is small, so a larger body is refused before it
/// is read into memory.
pub const MAX_JSON_BODY: usize = 1 << 20;

/// Reads the body as one JSON object; anything else is a 400 that says what was wrong.
pub async fn read_json_object(request: &Request, body: &mut RequestBody) -> poem::Result<Map<String, Value>> {
    let bytes = read_limited(request, body).await?;
    parse_json_object(&bytes)
}

/// The whole body, refused with 413 as soon as it is known to exceed [`MAX_JSON_BODY`].
async fn read_limited(request: &Request, body: &mut RequestBody) -> poem::Result<Vec<u8>> {
    use futures::StreamExt;
    let too_large = || -> poem::Error {
        ApiError::payload_too_large(format!(
            "The request body is larger than {} KiB, the limit for this operation",
            MAX_JSON_BODY / 1024
        ))
        .into()
    };
    let declared = request.header(poem::http::header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_JSON_BODY) {
        return Err(too_large());
    }
    let mut stream = body.take()?.into_bytes_stream();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|err| ApiError::bad_request(format!("The request body could not be read: {err}")))?;
        if bytes.len() + chunk.len() > MAX_JSON_BODY {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn parse_json_object(bytes: &[u8]) -> poem::Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => {
            reject_unstorable_text(&object).map_err(ApiError::invalid_fields)?;
            Ok(object)
        }
        Ok(_) => Err(ApiError::bad_request("The request body must be a JSON object").into()),
        Err(err) => Err(ApiError::bad_request(format!("The request body is not valid JSON: {err}")).into()),
    }
}

pub const NUL_CHARACTER: &str = "Must not contain the NUL character (\\u0000).";

/// Postgres cannot store the NUL character in text or JSON, so a body that carries one
/// anywhere is refused up front with the path of every such field (`parameters.alpha`,
/// `edges[2]`), instead of failing half-way through a write.
pub fn reject_unstorable_text(object: &Map<String, Value>) -> Result<(), FieldErrors> {
    fn visit(value: &Value, path: &str, errors: &mut FieldErrors) {
        match value {
            Value::String(text) if text.contains('\0') => errors.add(path, NUL_CHARACTER),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    visit(item, &format!("{path}[{index}]"), errors);
                }
            }
            Value::Object(map) => visit_object(map, Some(path), errors),
            _ => {}
        }
    }
    fn visit_object(map: &Map<String, Value>, prefix: Option<&str>, errors: &mut FieldErrors) {
        for (key, value) in map {
            let path = match prefix {
                Some(prefix) => format!("{prefix}.{key}"),
                None => key.clone(),
            };
            if key.contains('\0') {
                errors.add(&path.replace('\0', "\\u0000"), NUL_CHARACTER);
            } else {
                visit(value, &path, errors);
            }
        }
    }
    let mut errors = FieldErrors::default();
    visit_object(object, None, &mut errors);
    errors.finish_fields()
}

/// Field readers with marshmallow's rules and messages (api.md §0.2). Each returns `None` after
/// recording a message when the value is unusable, so one pass reports every bad field.
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    pub errors: FieldErrors,
}

pub const MISSING: &str = "Missing data for required field.";
pub const NOT_NULL: &str = "Field may not be null.";

impl<'a> Fields<'a> {
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Fields { object, errors: FieldErrors::default() }
    }

    pub fn has(&self, key: &str) -> bool {
        self.object.contains_key(key)
    }

    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key)
    }

    /// A string that must be present, non-null and non-empty.
    pub fn required_string(&mut self, key: &str) -> Option<String> {
        match self.object.get(key) {
            None => self.fail(key, MISSING),
            Some(Value::Null) => self.fail(key, NOT_NULL),
            Some(Value::String(s)) if s.is_empty() => self.fail(key, "Shorter than minimum length 1."),
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => self.fail(key, "Not a valid string."),
        }
    }

    /// An optional string; absent and null are both `None`.
    pub fn optional_string(&mut self, key: &str) -> Option<String> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => self.fail(key, "Not a valid string."),
        }
    }

    pub fn required_int(&mut self, key: &str) -> Option<i64> {
        match self.object.get(key) {
            None => self.fail(key, MISSING),
            Some(Value::Null) => self.fail(key, NOT_NULL),
            Some(value) => self.int_value(key, value),
        }
    }

    pub fn optional_int(&mut self, key: &str) -> Option<i64> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => self.int_value(key, value),
        }
    }

    pub fn optional_bool(&mut self, key: &str) -> Option<bool> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => match parse_bool(value) {
                Some(b) => Some(b),
                None => self.fail(key, "Not a valid boolean."),
            },
        }
    }

    /// An object that must be present and non-null.
    pub fn required_object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.object.get(key) {
            None => self.fail(key, MISSING),
            Some(Value::Null) => self.fail(key, NOT_NULL),
            Some(Value::Object(map)) => Some(map),
            Some(_) => self.fail(key, "Not a valid mapping type."),
        }
    }

    /// An optional number (integer or decimal); absent and null are both `None`.
    pub fn optional_number(&mut self, key: &str) -> Option<f64> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
                s.trim().parse().ok()
            }
            Some(_) => self.fail(key, "Not a valid number."),
        }
    }

    fn int_value(&mut self, key: &str, value: &Value) -> Option<i64> {
        match value {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => self.fail(key, "Not a valid integer."),
        }
    }

    pub fn fail<T>(&mut self, key: &str, message: &str) -> Option<T> {
        self.errors.add(key, message);
        None
    }
}

/// marshmallow's Boolean (api.md §4.2): JSON booleans, 0/1 and `true`/`True`/`TRUE`/`t`/`T`/`1`
/// with their false forms; anything else is not a boolean.
pub fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "true" | "True" | "TRUE" | "t" | "T" | "1" => Some(true),
            "false" | "False" | "FALSE" | "f" | "F" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// How the document describes a JSON body of type `T`.
fn json_request_meta<T: Type>(required: bool) -> Option<poem_openapi::registry::MetaRequest> {
    Some(poem_openapi::registry::MetaRequest {
        description: None,
        content: vec![poem_openapi::registry::MetaMediaType {
            content_type: "application/json",
            schema: T::schema_ref(),
        }],
        required,
    })
}

/// An optional JSON body: read only when the request says it is JSON (api.md §4.7); any other
/// content type, or no body, counts as `{}`.
pub struct OptionalJsonBody<T>(pub T);

impl<'a, T: FromJsonBody + Send> poem_openapi::ApiExtractor<'a> for OptionalJsonBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] = &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        json_request_meta::<T>(false)
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _options: poem_openapi::ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let is_json = request.content_type().is_some_and(is_json_content_type);
        let object = if is_json {
            let bytes = read_limited(request, body).await?;
            if bytes.iter().all(u8::is_ascii_whitespace) { Map::new() } else { parse_json_object(&bytes)? }
        } else {
            Map::new()
        };
        T::from_json(&object).map(OptionalJsonBody).map_err(|fields| ApiError::invalid_fields(fields).into())
    }
}

/// A JSON body that is streamed, not parsed here: documented with `T`'s schema, accepted with
/// any content type (MPCSL's Python executor sends none).
pub struct StreamedJsonBody<T> {
    pub body: poem::Body,
    _schema: std::marker::PhantomData<T>,
}

impl<'a, T: Type + Send> poem_openapi::ApiExtractor<'a> for StreamedJsonBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] = &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        json_request_meta::<T>(true)
    }

    async fn from_request(
        _request: &'a Request,
        body: &mut RequestBody,
        _options: poem_openapi::ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        Ok(StreamedJsonBody { body: body.take()?, _schema: std::marker::PhantomData })
    }
}

/// Declares a JSON value whose document schema is written by hand (the handlers check it).
#[macro_export]
macro_rules! json_with_schema {
    ($(#[$doc:meta])* $name:ident, $schema:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub ::serde_json::Value);

        impl ::poem_openapi::types::Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                $schema
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ::poem_openapi::types::ParseFromJSON for $name {
            fn parse_from_json(value: Option<::serde_json::Value>) -> ::poem_openapi::types::ParseResult<Self> {
                Ok($name(value.unwrap_or_default()))
            }
        }

        impl ::poem_openapi::types::ToJSON for $name {
            fn to_json(&self) -> Option<::serde_json::Value> {
                Some(self.0.clone())
            }
        }
    };
}

json_with_schema!(
    /// A JSON object (any keys); `null` and other values are refused.
    JsonObject,
    poem_openapi::registry::MetaSchemaRef::Inline(Box::new(poem_openapi::registry::MetaSchema {
        additional_properties: Some(Box::new(poem_openapi::registry::MetaSchemaRef::Inline(Box::new(
            poem_openapi::registry::MetaSchema::ANY
        )))),
        ..poem_openapi::registry::MetaSchema::new("object")
    }))
);
