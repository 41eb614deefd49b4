//! `/meetings` (H4): create, list, read, change, cancel, answer.

use super::reply::{Problem, Reply};
use super::{Api, Request};

/// The requests in flight per idempotency key, so two with the same key run one at a time.
#[derive(Default)]
pub struct InFlight {}

pub async fn handle(api: &Api, req: &Request) -> Reply {
    let _ = (api, req);
    Problem::new(501, "not_implemented", "H4").into()
}
