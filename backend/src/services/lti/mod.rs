//! Reel as an LTI 1.3 tool: platform registration, the tool's keys, the OIDC login and the
//! launch's checks. HTTP lives in `actions::lti`; rows in `db::lti`.

pub mod deep_link;
pub mod identity;
pub mod keys;
pub mod launch;
pub mod platform_keys;
pub mod registry;

/// Why a login or launch was refused: a stable code for the person to pass on to the LMS
/// administrator, and a detail for the audit trail (never shown in the page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Stable snake_case code (`lti_bad_signature`, …).
    pub code: &'static str,
    /// What exactly failed, for the operator's audit trail.
    pub detail: String,
}

impl Refusal {
    /// A refusal with its code and detail.
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// Reel itself could not finish (its database did not answer): not the launch's fault.
    pub fn unavailable(error: anyhow::Error) -> Self {
        Self::new("lti_unavailable", format!("{error:#}"))
    }

    /// A token that is not a JWT.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new("lti_malformed_token", detail)
    }

    /// What the person is told, by code: what happened and whom to tell.
    pub fn message(&self) -> &'static str {
        match self.code {
            "lti_unknown_platform" => "This learning platform is not registered with Reel.",
            "lti_unknown_deployment" => "This installation of Reel in your learning platform is not registered with Reel.",
            "lti_missing_token" | "lti_malformed_token" => "The learning platform sent Reel an incomplete launch.",
            "lti_state_mismatch" | "lti_state_unknown" => "This launch did not start in this browser, or it was used already.",
            "lti_replayed" => "This launch was used already.",
            "lti_expired" => "This launch has expired, or the clocks of Reel and the learning platform disagree.",
            "lti_role_not_supported" => "Reel opens for instructors and course staff of this course for now.",
            "lti_unavailable" => "Reel could not finish opening just now. Try again in a moment.",
            "lti_course_taken" => "This course's videos in Reel are managed by the instructor who opened Reel in it first; sharing a course between several instructors is not available yet.",
            "lti_bad_pick" => "This choice of videos could not be sent to your course. Open the video picker again from your course.",
            "lti_platform_unreachable" => "Reel could not reach the learning platform to check this launch.",
            _ => "Reel could not verify that this launch came from your learning platform.",
        }
    }
}
