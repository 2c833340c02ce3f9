//! Sign-in actions.

use super::{call, ClientError};
use shared::actions::{Login, Logout, Me};
use shared::dto::{Empty, LoginRequest, MeDto};

/// `POST /api/auth/login`.
pub async fn login(email: String, password: String) -> Result<MeDto, ClientError> {
    call::<Login>(&[], &LoginRequest { email, password }).await
}

/// `POST /api/auth/logout`.
pub async fn logout() -> Result<Empty, ClientError> {
    call::<Logout>(&[], &Empty {}).await
}

/// `GET /api/auth/me`.
pub async fn me() -> Result<MeDto, ClientError> {
    call::<Me>(&[], &Empty {}).await
}
