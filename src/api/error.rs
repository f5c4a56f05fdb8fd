//! The one error type of the REST API: every error is JSON `{"message": …}`.
//!
//! `message` is a string naming the problem, or (schema validation) a map from field name to a
//! list of messages, as MPCSL's marshmallow schemas produce. Unexpected failures are logged with
//! their whole cause chain and answered with an opaque 500.

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response,
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::{ApiResponse, Object, payload::Json};
use serde_json::{Map, Value, json};

use super::operations::Operations;

#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// What went wrong: a sentence, or a map of field name → messages for invalid input.
    pub message: Value,
}

#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is invalid; nothing was changed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No credentials, or credentials that are not valid (unknown, expired or revoked token).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The caller may not do this: the role is too low, or the upload token is not this job's.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// The object named in the path does not exist.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with the current state (e.g. the data behind a dataset changed).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body is larger than this operation accepts.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The request body's `Content-Type` is not one this operation reads (or is missing).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// An unexpected failure; details are in the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

pub type ApiResult<T> = Result<T, ApiError>;

fn body(message: Value) -> Json<ErrorBody> {
    Json(ErrorBody { message })
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(body(Value::String(message.into())))
    }

    /// 400 with a field map, e.g. `{"alpha": ["Must be between 0.0 and 1.0."]}`.
    pub fn invalid_fields(fields: FieldErrors) -> Self {
        ApiError::BadRequest(body(fields.into_value()))
    }

    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        ApiError::NotFound(body(Value::String(format!("{what} {id} does not exist"))))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::Conflict(body(Value::String(message.into())))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden(body(Value::String(message.into())))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::Unauthorized(body(Value::String(message.into())))
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        ApiError::PayloadTooLarge(body(Value::String(message.into())))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> &Value {
        match self {
            ApiError::BadRequest(b)
            | ApiError::Unauthorized(b)
            | ApiError::Forbidden(b)
            | ApiError::NotFound(b)
            | ApiError::Conflict(b)
            | ApiError::PayloadTooLarge(b)
            | ApiError::UnsupportedMediaType(b)
            | ApiError::Internal(b) => &b.message,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = format!("{err:#}"), "request failed");
        ApiError::Internal(body(json!("Internal Server Error")))
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::{DbErr, RuntimeErr};
        if let DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) = &err
            && let Some(message) = unstorable_text(sqlx)
        {
            return ApiError::bad_request(message);
        }
        anyhow::Error::new(err).into()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if let Some(message) = unstorable_text(&err) {
            return ApiError::bad_request(message);
        }
        anyhow::Error::new(err).into()
    }
}

/// Text Postgres cannot store (a NUL byte, a character outside the encoding) is the caller's
/// input, not a server failure. Request bodies are checked field by field before this (see
/// `body::reject_unstorable_text`); this is the net under every other path.
fn unstorable_text(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    // 22021 character_not_in_repertoire (NUL), 22P05 untranslatable_character.
    matches!(db.code().as_deref(), Some("22021" | "22P05"))
        .then(|| format!("a text value cannot be stored: {}", db.message()))
}

/// Field-level validation messages, in the order the fields were checked.
#[derive(Debug, Default)]
pub struct FieldErrors(Map<String, Value>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let entry = self.0.entry(field.to_owned()).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(list) = entry {
            list.push(Value::String(message.into()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }

    /// `Ok(())` when nothing was added, else the messages themselves.
    pub fn finish_fields(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// `Ok(())` when nothing was added, else the 400 error.
    pub fn finish(self) -> ApiResult<()> {
        if self.is_empty() { Ok(()) } else { Err(ApiError::invalid_fields(self)) }
    }
}

/// Wraps the API so that every error poem or poem-openapi produces on its own (bad path segment,
/// unsupported content type, unknown route, wrong method, …) has the same JSON shape, names
/// parameters as the document does, and a 405 says what is allowed. Errors that already are an
/// `ApiError` response pass through unchanged.
pub fn json_errors<E: Endpoint + 'static>(endpoint: E) -> impl Endpoint<Output = Response> {
    endpoint.around(|endpoint, request| async move {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        Ok(match endpoint.call(request).await {
            Ok(output) => output.into_response(),
            Err(err) => json_error(err, &method, &path),
        })
    })
}

fn json_error(err: poem::Error, method: &Method, path: &str) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let operations = Operations::get();
    let status = err.status();
    let message = if status == StatusCode::NOT_FOUND {
        "The requested URL was not found on the server. If you entered the URL manually please \
         check your spelling and try again."
            .to_owned()
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        "The method is not allowed for the requested URL.".to_owned()
    } else if let Some(param) = err.downcast_ref::<poem_openapi::error::ParsePathError>() {
        let name = param
            .name
            .strip_prefix("param")
            .and_then(|index| index.parse().ok())
            .and_then(|index| operations.path_parameter(method, path, index))
            .unwrap_or("in the path");
        format!("The path parameter {name} {}", parameter_problem(&param.reason))
    } else if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        format!("The parameter {} {}", param.name, parameter_problem(&param.reason))
    } else {
        err.to_string()
    };
    let status = if status.is_server_error() {
        // poem's own 5xx (should not happen) are still reported as JSON, without internals.
        tracing::error!(error = %err, "unhandled error");
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    let mut response = poem::web::Json(json!({ "message": message })).with_status(status).into_response();
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = operations.allow(path).and_then(|a| HeaderValue::from_str(&a).ok())
    {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// What is wrong with a parameter, from poem-openapi's reason (`failed to parse
/// "integer_int64": invalid digit found in string (occurred while parsing
/// "optional_integer_int64")`), in words instead of its internal type names.
fn parameter_problem(reason: &str) -> String {
    let reason = reason.split(" (occurred while parsing").next().unwrap_or(reason);
    let Some((kind, detail)) =
        reason.strip_prefix("failed to parse \"").and_then(|rest| rest.split_once("\": "))
    else {
        return format!("is not valid: {reason}.");
    };
    let kind = kind.trim_start_matches("optional_");
    let wanted = match kind {
        "integer_int32" => "an integer between -2147483648 and 2147483647",
        "integer_int64" => "an integer between -9223372036854775808 and 9223372036854775807",
        "number_float" | "number_double" => "a number",
        "boolean" => "true or false",
        "string" => "text",
        _ => "a valid value",
    };
    format!("must be {wanted} ({detail}).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_problems_use_words_not_type_names() {
        assert_eq!(
            parameter_problem(
                "failed to parse \"integer_int64\": invalid digit found in string (occurred while parsing \"optional_integer_int64\")"
            ),
            "must be an integer between -9223372036854775808 and 9223372036854775807 (invalid digit found in string)."
        );
        assert_eq!(parameter_problem("something else"), "is not valid: something else.");
    }
}
