//! Small builders the document is assembled from, so each operation reads as a list of what it
//! takes and what it answers.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{Content, Ref, RefOr, Required};

/// JSON bodies.
pub const JSON: &str = "application/json";
/// tus chunk bodies.
pub const CHUNK: &str = "application/offset+octet-stream";

/// A string.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A non-negative 64-bit integer.
pub fn count() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0))
}

/// An integer (64-bit, any sign).
pub fn integer() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
}

/// Raw bytes.
pub fn binary() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
}

/// A reference to a named component schema.
pub fn schema_ref(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

fn parameter(
    place: ParameterIn,
    name: &str,
    required: bool,
    schema: impl Into<RefOr<Schema>>,
    description: &str,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

/// A path parameter (always required).
pub fn path_param(name: &str, description: &str) -> Parameter {
    parameter(
        ParameterIn::Path,
        name,
        true,
        string().min_length(Some(1)),
        description,
    )
}

/// A path parameter that is one of `values`.
pub fn path_choice(name: &str, values: &[&str], description: &str) -> Parameter {
    let schema = string().enum_values(Some(values.iter().copied()));
    parameter(ParameterIn::Path, name, true, schema, description)
}

/// A query parameter.
pub fn query_param(
    name: &str,
    required: bool,
    schema: impl Into<RefOr<Schema>>,
    description: &str,
) -> Parameter {
    parameter(ParameterIn::Query, name, required, schema, description)
}

/// A request header.
pub fn header_param(
    name: &str,
    required: bool,
    schema: impl Into<RefOr<Schema>>,
    description: &str,
) -> Parameter {
    parameter(ParameterIn::Header, name, required, schema, description)
}

/// A response header.
pub fn header(schema: impl Into<RefOr<Schema>>, description: &str) -> Header {
    let mut header = Header::new(schema);
    header.description = Some(description.into());
    header
}

/// A JSON request body.
pub fn json_body(schema: RefOr<Schema>, required: bool) -> RequestBody {
    RequestBodyBuilder::new()
        .required(Some(if required {
            Required::True
        } else {
            Required::False
        }))
        .content(JSON, Content::new(Some(schema)))
        .build()
}

/// A request body of raw bytes in `media_type`.
pub fn bytes_body(media_type: &str, required: bool, description: &str) -> RequestBody {
    RequestBodyBuilder::new()
        .description(Some(description))
        .required(Some(if required {
            Required::True
        } else {
            Required::False
        }))
        .content(media_type, Content::new(Some(binary())))
        .build()
}

/// A response with a JSON body.
pub fn json_response(description: &str, schema: RefOr<Schema>) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content(JSON, Content::new(Some(schema)))
}

/// A response without a body.
pub fn empty_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description)
}

/// An error response: the `{code, message}` body every failure carries.
pub fn error(description: &str) -> Response {
    json_response(description, schema_ref("ApiErrorBody")).build()
}
