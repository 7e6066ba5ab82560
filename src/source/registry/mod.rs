//! Images from a registry (OCI distribution API), with the HTTP transport injected.
//!
//! [`Fetch`] is sans-IO: it says which request to send next ([`Fetch::next_step`]) and is fed the
//! response head and body chunks. The CLI drives it with a blocking native client
//! ([`native`]); the browser worker drives it with `fetch()`, pushing each body chunk as it
//! arrives. Only GET is ever sent. Layer bodies run through the same pipeline as tarball
//! layers while they stream, and the report is assembled by the same code (the fetched
//! documents are laid out as an OCI image layout), so a registry image and a tarball of it
//! give the same report.

mod auth;
mod fetch;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod reference;

pub use auth::{Challenge, Credentials};
pub use fetch::{Fetch, Next, Purpose, Request, ResponseHead};
pub use reference::Reference;
