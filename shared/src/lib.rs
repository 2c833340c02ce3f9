//! Everything the Reel server and the browser app agree on: IDs, DTOs, error codes and the
//! action table. Nothing in here may name a storage detail: the client knows IDs and display
//! URLs, nothing else.

pub mod actions;
pub mod dto;
pub mod error;
pub mod ids;
pub mod media;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod titles;

pub use error::{ApiErrorBody, ErrorCode};
pub use ids::{ChapterId, CourseId, InstructorId, VideoId};
