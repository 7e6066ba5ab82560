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
pub mod link;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod reference;

pub use auth::{Challenge, Credentials};
pub use fetch::{Fetch, Next, Purpose, Request, ResponseHead};
pub use reference::Reference;

/// What to tell a user whose browser refused a registry's answer (the page sees only
/// "Failed to fetch"): which headers the registry and its token service must send.
pub fn cors_help(registry: &str, origin: &str) -> String {
    format!(
        "The browser blocked the answer from {registry}: the registry does not allow cross-origin requests from \
{origin} (CORS). Browsers only hand a page a registry's answer when the registry (and its token service) \
sends Access-Control-Allow-Origin: {origin} (or *), Access-Control-Allow-Headers: Authorization, Accept, \
Access-Control-Expose-Headers: Docker-Content-Digest, WWW-Authenticate, Retry-After, Link, and answers the OPTIONS \
preflight with 2xx without asking for credentials. For the CNCF distribution registry, set http.headers in its \
config; with authentication on it answers the preflight with 401, so put nginx in front to answer OPTIONS \
(see the README, \"Inspecting from a registry\"). Docker Hub sends no CORS headers at all: inspect Hub images \
with the porthole CLI, or `docker save` them and drop the tarball here."
    )
}
