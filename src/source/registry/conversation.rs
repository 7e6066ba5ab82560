//! A run of small requests to one registry (listing, describing tags), sans-IO: the steps
//! ([`Steps`]) say what to ask and read each answer; the [`Conversation`] adds the
//! authentication (a token for the steps' scope, or Basic), buffers bodies up to a limit, and
//! stops at the first error. The transport drives it through [`super::Exchange`].

use super::auth::{Challenged, Credentials, Session};
use super::fetch::{Next, Purpose, Request, ResponseHead};
use crate::error::{Error, Result};

/// One request the steps want sent (authorization is the conversation's).
#[derive(Debug, Clone)]
pub struct Ask {
    pub url: String,
    pub accept: Option<&'static str>,
    pub purpose: Purpose,
    /// More headers (an audit's `Origin`).
    pub headers: Vec<(String, String)>,
    /// Whether a 401 is answered with credentials or a token (`false`: the 401 is the answer,
    /// as an audit wants to see it).
    pub authenticate: bool,
}

impl Ask {
    /// A request with no more headers than `Accept`.
    pub fn new(url: String, accept: Option<&'static str>, purpose: Purpose) -> Ask {
        Ask {
            url,
            accept,
            purpose,
            headers: Vec::new(),
            authenticate: true,
        }
    }
}

/// What a conversation is for: which requests, and what their answers mean.
pub trait Steps {
    /// The next request, or `None` when done.
    fn next(&mut self) -> Option<Ask>;
    /// The token scope to ask for when a challenge names none.
    fn scope(&self) -> String;
    /// A 2xx answer, with its body (empty for HEAD).
    fn answered(&mut self, ask: &Ask, head: &ResponseHead, body: Vec<u8>) -> Result<()>;
    /// Whether a challenge porthole cannot answer (Basic without credentials, a token service
    /// that refuses) is an answer to give [`Steps::refused`] rather than the run's end (an
    /// audit's probes).
    fn unanswerable_is_answer(&self) -> bool {
        false
    }
    /// The request could not be sent or its answer broke off (`message`): the run's end, unless
    /// the steps take it as an answer (an audit's probe a browser was not allowed to send).
    fn failed(&mut self, ask: &Ask, message: &str) -> Result<()> {
        Err(Error::io(format!("cannot reach {}: {message}", ask.url)))
    }
    /// Any other answer (a 401 only once credentials or a token were tried), with its body
    /// (empty for HEAD): an error ends the run, `Ok` goes on (a tag that is gone, say).
    /// `credentials`: whether the user gave any.
    fn refused(&mut self, ask: &Ask, head: &ResponseHead, body: &[u8], credentials: bool) -> Result<()>;
}

/// Bytes of one answer read at most.
const MAX_ANSWER_BYTES: usize = 16 << 20;
/// Times one request is sent again after 429 Too Many Requests, and the longest wait.
const MAX_RETRIES: u32 = 4;
const MAX_WAIT_MS: u64 = 60_000;

/// A run of requests with authentication.
pub struct Conversation<S: Steps> {
    pub steps: S,
    session: Session,
    /// A token request, or the ask to send again, before the steps' next.
    pending: Option<(Ask, Vec<(String, String)>)>,
    in_flight: Option<Ask>,
    /// The headers the request in flight was sent with (sent again as they were after a 429:
    /// a token request keeps its credentials).
    in_flight_headers: Vec<(String, String)>,
    /// The ask a token is being fetched for.
    resume: Option<Ask>,
    head: ResponseHead,
    body: Vec<u8>,
    error: Option<Error>,
    /// A wait to say before sending `pending` again (429), and how often it was said in a row.
    wait: Option<u64>,
    retries: u32,
}

impl<S: Steps> Conversation<S> {
    /// `authorization`: a token another conversation with this registry obtained.
    pub fn new(steps: S, creds: Option<Credentials>, api_host: &str, authorization: Option<String>) -> Self {
        Conversation {
            steps,
            session: Session::new(creds, api_host, authorization),
            pending: None,
            in_flight: None,
            in_flight_headers: Vec::new(),
            resume: None,
            head: ResponseHead::default(),
            body: Vec::new(),
            error: None,
            wait: None,
            retries: 0,
        }
    }

    /// The `Authorization` value that worked (to share with the next conversation).
    pub fn authorization(&self) -> Option<&str> {
        self.session.authorization.as_deref()
    }

    /// The next request to send, or `Done`.
    pub fn next_step(&mut self) -> Next {
        if self.error.is_some() {
            return Next::Done;
        }
        if let Some(ms) = self.wait.take() {
            return Next::Wait(ms);
        }
        let (ask, headers) = match self.pending.take() {
            Some(p) => p,
            None => match self.steps.next() {
                Some(ask) => {
                    let headers = self.session.headers(ask.accept);
                    (ask, headers)
                }
                None => return Next::Done,
            },
        };
        self.in_flight_headers = headers.clone();
        let mut headers = headers;
        headers.extend(ask.headers.iter().cloned());
        let req = Request {
            url: ask.url.clone(),
            headers,
            purpose: ask.purpose.clone(),
        };
        self.in_flight = Some(ask);
        Next::Send(req)
    }

    /// The answer's status and headers; `true` when its body is wanted.
    pub fn head(&mut self, head: ResponseHead) -> bool {
        self.head = head;
        self.body.clear();
        let Some(ask) = self.in_flight.clone() else {
            return false;
        };
        let status = self.head.status;
        let has_body = ask.purpose.method() != "HEAD";
        if (200..300).contains(&status) {
            self.retries = 0;
            return ask.purpose.method() == "GET";
        }
        // Too many requests: wait as long as the registry asks (else 1, 2, 4, 8 s), then again.
        if status == 429 && self.retries < MAX_RETRIES {
            let asked = self
                .head
                .header("Retry-After")
                .and_then(|s| s.trim().parse::<u64>().ok());
            let ms = asked
                .map_or(1000 << self.retries, |s| s.saturating_mul(1000))
                .min(MAX_WAIT_MS);
            self.retries += 1;
            self.wait = Some(ms);
            self.pending = Some((ask, std::mem::take(&mut self.in_flight_headers)));
            self.in_flight = None;
            return false;
        }
        if ask.purpose == Purpose::Token {
            // The token service's refusal is the answer to the request it was for.
            if self.steps.unanswerable_is_answer() {
                return true;
            }
            let why = if self.session.has_credentials() {
                "check the username and password or token"
            } else {
                "give a username and password or token"
            };
            self.fail(Error::io(format!(
                "the registry's token service refused a token (HTTP {status}): {why}"
            )));
            self.in_flight = None;
            return false;
        }
        if status == 401 && ask.authenticate {
            let header = self.head.header("WWW-Authenticate").unwrap_or("").to_string();
            match self.session.challenge(&header, &self.steps.scope()) {
                Challenged::Token { url, headers } => {
                    self.resume = Some(ask);
                    let token = Ask::new(url, None, Purpose::Token);
                    self.pending = Some((token, headers));
                }
                Challenged::Again => {
                    let headers = self.session.headers(ask.accept);
                    self.pending = Some((ask, headers));
                }
                // Refused after trying: the answer is the steps' (in `end`).
                Challenged::Refused => return has_body,
                Challenged::Fail(_) if self.steps.unanswerable_is_answer() => return has_body,
                Challenged::Fail(why) => self.fail(Error::io(why)),
            }
            self.in_flight = None;
            return false;
        }
        has_body
    }

    /// A chunk of the answer's body.
    pub fn body(&mut self, chunk: &[u8]) {
        if self.in_flight.is_none() || self.error.is_some() {
            return;
        }
        if self.body.len() + chunk.len() > MAX_ANSWER_BYTES {
            let url = self.in_flight.as_ref().map(|a| a.url.clone()).unwrap_or_default();
            self.in_flight = None;
            return self.fail(Error::limit(format!(
                "the answer of {url} is over {MAX_ANSWER_BYTES} bytes"
            )));
        }
        self.body.extend_from_slice(chunk);
    }

    /// The answer is complete.
    pub fn end(&mut self) {
        let Some(ask) = self.in_flight.take() else {
            return;
        };
        if self.error.is_some() {
            return;
        }
        let body = std::mem::take(&mut self.body);
        if ask.purpose == Purpose::Token && !(200..300).contains(&self.head.status) {
            // Only for steps that take a refusal as an answer (`head` ends the run otherwise).
            let head = std::mem::take(&mut self.head);
            let credentials = self.session.has_credentials();
            // Judged: the next request's challenge gets its retry again.
            self.session.answered();
            if let Some(resume) = self.resume.take()
                && let Err(e) = self.steps.refused(&resume, &head, &body, credentials)
            {
                self.fail(e);
            }
            return;
        }
        if ask.purpose == Purpose::Token {
            match (self.session.token(&body), self.resume.take()) {
                (Ok(()), Some(resume)) => {
                    let headers = self.session.headers(resume.accept);
                    self.pending = Some((resume, headers));
                }
                (Err(e), _) => self.fail(Error::io(e)),
                (Ok(()), None) => {}
            }
            return;
        }
        self.session.answered();
        let head = std::mem::take(&mut self.head);
        let done = if (200..300).contains(&head.status) {
            self.steps.answered(&ask, &head, body)
        } else {
            let credentials = self.session.has_credentials();
            self.steps.refused(&ask, &head, &body, credentials)
        };
        if let Err(e) = done {
            self.fail(e);
        }
    }

    /// The request could not be sent, or its answer broke off.
    pub fn transport_error(&mut self, message: &str) {
        let Some(ask) = self.in_flight.take() else {
            return self.fail(Error::io(format!("a request failed: {message}")));
        };
        // For steps that take failures as answers, a token request that failed stands for the
        // request it was for.
        let ask = match (
            ask.purpose == Purpose::Token && self.steps.unanswerable_is_answer(),
            self.resume.take(),
        ) {
            (true, Some(resume)) => resume,
            _ => ask,
        };
        match self.steps.failed(&ask, message) {
            Ok(()) => self.session.answered(),
            Err(e) => self.fail(e),
        }
    }

    /// Whether the run stopped on an error.
    pub fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// The steps, or the error that stopped them.
    pub fn finish(self) -> Result<S> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.steps),
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
}
