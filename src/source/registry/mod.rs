//! Images from a registry (OCI distribution API), with the HTTP transport injected.
//!
//! [`Fetch`] is sans-IO: it says which request to send next ([`Fetch::next_step`]) and is fed the
//! response head and body chunks. The CLI drives it with a blocking native client
//! ([`native`]); the browser worker drives it with `fetch()`, pushing each body chunk as it
//! arrives. Only GET is ever sent. Layer bodies run through the same pipeline as tarball
//! layers while they stream, and the report is assembled by the same code (the fetched
//! documents are laid out as an OCI image layout), so a registry image and a tarball of it
//! give the same report.

pub mod auth;
pub mod conversation;
pub mod describe;
mod fetch;
pub mod link;
mod list;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod reference;

pub use auth::{Challenge, Credentials};
pub use describe::{Describe, TagInfo};
pub use fetch::{ACCEPT, Fetch, Next, Purpose, Request, ResponseHead};
pub use list::{List, Listing, target};
pub use reference::Reference;

/// A sans-IO conversation with a registry ([`Fetch`], [`List`]): a transport sends what
/// `next_step` asks for and feeds back each answer.
pub trait Exchange {
    /// The next request to send, or `Done`.
    fn next_step(&mut self) -> Next;
    /// The answer's status and headers; `true` when its body is wanted.
    fn head(&mut self, head: ResponseHead) -> bool;
    /// A chunk of the answer's body.
    fn body(&mut self, chunk: &[u8]);
    /// The answer is complete.
    fn end(&mut self);
    /// The request could not be sent or its answer broke off.
    fn transport_error(&mut self, message: &str);
    /// Whether nothing more will be asked.
    fn stopped(&self) -> bool;
}

macro_rules! exchange {
    ($t:ty) => {
        impl Exchange for $t {
            fn next_step(&mut self) -> Next {
                <$t>::next_step(self)
            }
            fn head(&mut self, head: ResponseHead) -> bool {
                <$t>::head(self, head)
            }
            fn body(&mut self, chunk: &[u8]) {
                <$t>::body(self, chunk)
            }
            fn end(&mut self) {
                <$t>::end(self)
            }
            fn transport_error(&mut self, message: &str) {
                <$t>::transport_error(self, message)
            }
            fn stopped(&self) -> bool {
                <$t>::stopped(self)
            }
        }
    };
}
exchange!(Fetch);

impl<S: conversation::Steps> Exchange for conversation::Conversation<S> {
    fn next_step(&mut self) -> Next {
        conversation::Conversation::next_step(self)
    }
    fn head(&mut self, head: ResponseHead) -> bool {
        conversation::Conversation::head(self, head)
    }
    fn body(&mut self, chunk: &[u8]) {
        conversation::Conversation::body(self, chunk)
    }
    fn end(&mut self) {
        conversation::Conversation::end(self)
    }
    fn transport_error(&mut self, message: &str) {
        conversation::Conversation::transport_error(self, message)
    }
    fn stopped(&self) -> bool {
        conversation::Conversation::stopped(self)
    }
}

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
