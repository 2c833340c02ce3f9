//! `GET /healthz`: the server answers and its database does too.

use crate::db;
use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::web;
use shared::dto::HealthDto;

/// Liveness plus a trivial database query.
pub async fn health(state: web::Data<AppState>) -> ApiResult<web::Json<HealthDto>> {
    db::run(&state.pool, |conn| Ok(db::answers(conn)?)).await?;
    Ok(web::Json(HealthDto {
        status: "ok".into(),
    }))
}
