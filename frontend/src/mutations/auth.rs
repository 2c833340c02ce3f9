//! Signing in and out, and what that does to the cached data.

use crate::api::{self, ClientError};
use crate::query::{QueryClient, QueryKey};
use shared::dto::MeDto;

/// Signs in; on success the cache knows who is signed in.
pub async fn sign_in(
    client: &QueryClient,
    email: String,
    password: String,
) -> Result<MeDto, ClientError> {
    let me = api::auth::login(email, password).await?;
    // Someone else may have been signed in on this tab: start from a clean cache.
    client.clear();
    client.set_data(&QueryKey::Me, me.clone());
    Ok(me)
}

/// Signs out; all cached server data is forgotten even if the server could not be reached,
/// so nothing of the account stays on screen.
pub async fn sign_out(client: &QueryClient) -> Result<(), ClientError> {
    let result = api::auth::logout().await.map(|_| ());
    // Inside an LMS: the tokens go too, or the next 401 would sign the person back in.
    api::bearer::forget();
    client.clear();
    // Remembered upload URLs belong to this instructor: nothing of them may outlive the session.
    super::upload::forget_everything();
    result
}
