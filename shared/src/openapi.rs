//! OpenAPI schemas for the action table's bodies (feature `openapi`, which only the server
//! enables). A named DTO becomes a `$ref` to its component; a list becomes an array of them.

use crate::dto::{
    ActivityPage, BulkDeleteRequest, BulkDeleteResponse, ChapterDeleted, ChapterDto, ChapterTitle,
    CourseDto, CourseUpdate, DeleteResult, Empty, HealthDto, LoginRequest, MeDto, NewCourse,
    OrderRequest, RefreshRequest, TokenPair, VideoDto, VideoUpdate,
};
use crate::error::ApiErrorBody;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Named schemas a document must carry in `components.schemas`.
pub type Components = Vec<(String, RefOr<Schema>)>;

/// A type that can be an action's request or response body.
pub trait BodySchema {
    /// The schema where the body is described (a `$ref` for named types).
    fn body_schema() -> RefOr<Schema>;
    /// Adds the named schemas the body refers to.
    fn components(out: &mut Components);
}

/// Every DTO that is a whole body is described by reference to its own component.
macro_rules! named_bodies {
    ($($t:ty),* $(,)?) => {$(
        impl BodySchema for $t {
            fn body_schema() -> RefOr<Schema> {
                Ref::from_schema_name(<$t as ToSchema>::name()).into()
            }
            fn components(out: &mut Components) {
                out.push((<$t as ToSchema>::name().into_owned(), <$t as PartialSchema>::schema()));
                <$t as ToSchema>::schemas(out);
            }
        }
    )*};
}

named_bodies!(
    LoginRequest,
    MeDto,
    Empty,
    CourseDto,
    VideoDto,
    DeleteResult,
    BulkDeleteRequest,
    BulkDeleteResponse,
    HealthDto,
    ApiErrorBody,
    NewCourse,
    CourseUpdate,
    ChapterTitle,
    ChapterDto,
    OrderRequest,
    VideoUpdate,
    ActivityPage,
    ChapterDeleted,
    RefreshRequest,
    TokenPair,
);

impl<T: BodySchema> BodySchema for Vec<T> {
    fn body_schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(T::body_schema()).into()
    }
    fn components(out: &mut Components) {
        T::components(out);
    }
}

/// One action's body schemas, as plain function pointers so they can sit in the const table.
#[derive(Clone, Copy, Debug)]
pub struct BodySchemas {
    /// The request body's schema.
    pub input: fn() -> RefOr<Schema>,
    /// The response body's schema.
    pub output: fn() -> RefOr<Schema>,
    /// Adds the components both refer to.
    pub components: fn(&mut Components),
}

impl BodySchemas {
    /// The schemas of an action with input `I` and output `O`.
    pub const fn of<I: BodySchema, O: BodySchema>() -> Self {
        Self {
            input: I::body_schema,
            output: O::body_schema,
            components: both::<I, O>,
        }
    }
}

fn both<I: BodySchema, O: BodySchema>(out: &mut Components) {
    I::components(out);
    O::components(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::ALL;

    #[test]
    fn a_list_body_is_an_array_of_references_to_its_item() {
        let json = serde_json::to_value(<Vec<VideoDto>>::body_schema()).expect("json");
        assert_eq!(json["type"], "array");
        assert_eq!(json["items"]["$ref"], "#/components/schemas/VideoDto");
    }

    #[test]
    fn every_action_brings_the_components_its_bodies_refer_to() {
        for action in ALL {
            let mut components = Components::new();
            (action.schemas.components)(&mut components);
            let names: Vec<&str> = components.iter().map(|(n, _)| n.as_str()).collect();
            let item = action
                .output
                .trim_start_matches("Vec")
                .trim_matches(|c| c == '<' || c == '>' || c == ' ');
            assert!(
                names.contains(&item),
                "{} lacks {item} in {names:?}",
                action.name
            );
        }
        let mut components = Components::new();
        VideoDto::components(&mut components);
        let names: Vec<&str> = components.iter().map(|(n, _)| n.as_str()).collect();
        for name in ["VideoDto", "VideoId", "ChapterId", "VideoStatus"] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }
}
