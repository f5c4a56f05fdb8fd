//! The subject of the request being served, for the events it causes.
//!
//! Events are written deep inside the domain code (`lifecycle::apply`, dataset and result
//! stores), which knows nothing of HTTP. The API middleware opens a scope per request
//! ([`scope`]); the caller extractors fill it in once they know who is calling ([`set`]); the
//! outbox writes [`current`] into every event row. Outside a request (the scheduler, the
//! seed) there is no actor and events carry none.

use std::{cell::RefCell, future::Future};

tokio::task_local! {
    static ACTOR: RefCell<Option<String>>;
}

/// Runs `future` (one request) with an empty actor slot.
pub async fn scope<F: Future>(future: F) -> F::Output {
    ACTOR.scope(RefCell::new(None), future).await
}

/// Records who is calling (no effect outside a [`scope`]).
pub fn set(subject: &str) {
    let _ = ACTOR.try_with(|actor| *actor.borrow_mut() = Some(subject.to_owned()));
}

/// The subject of the current request, if any.
pub fn current() -> Option<String> {
    ACTOR.try_with(|actor| actor.borrow().clone()).ok().flatten()
}
