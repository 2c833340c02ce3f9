//! Video and upload states as types. They are stored as their snake_case names in TEXT
//! columns; a name the code does not know fails the read (a corrupt or newer row is an error
//! to see, never silently some other state).

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every state, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The state a stored name means, if any.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> ToSql<Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                Self::parse(&text).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " {:?}"), text).into()
                })
            }
        }
    };
}

text_enum! {
    /// Where a video is in its life.
    VideoStatus {
        /// Bytes are still arriving.
        Uploading = "uploading",
        /// Every byte is stored; the probe has not finished.
        Processing = "processing",
        /// Playable.
        Ready = "ready",
        /// The upload or the probe failed (`failure_reason` says why).
        Failed = "failed",
        /// Deleted by its owner; restorable until purged.
        Deleted = "deleted",
        /// Its upload was terminated or expired before it finished.
        Canceled = "canceled",
    }
}

text_enum! {
    /// Where a tus upload is in its life.
    UploadState {
        /// Accepting PATCHes.
        Active = "active",
        /// Every byte arrived.
        Completed = "completed",
        /// Ended by its owner (or its video was deleted).
        Terminated = "terminated",
        /// Its time ran out.
        Expired = "expired",
        /// Storage refused it beyond repair.
        Failed = "failed",
    }
}

impl VideoStatus {
    /// Statuses a chapter's list shows.
    pub const LISTED: [VideoStatus; 4] = [
        VideoStatus::Uploading,
        VideoStatus::Processing,
        VideoStatus::Ready,
        VideoStatus::Failed,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_as_itself_and_nothing_else_reads() {
        for status in VideoStatus::ALL {
            assert_eq!(VideoStatus::parse(status.as_str()), Some(*status));
        }
        for state in UploadState::ALL {
            assert_eq!(UploadState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(VideoStatus::parse("Deleted"), None);
        assert_eq!(UploadState::parse(""), None);
    }
}
