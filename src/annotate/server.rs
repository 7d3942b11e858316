//! The HTTP front of an annotation [`Session`]: the page, its script and style, and the JSON
//! API (`GET /api/next[?client=]`, `POST /api/label`, `POST /api/skip`, `POST /api/undo`,
//! `GET /api/progress`, `GET /api/guess?id=`).
//!
//! HTTP is tiny_http's (a small synchronous server, a pool of worker threads here); this file
//! only decides who may ask and what each route answers. A local server is reachable by every
//! web page the user visits, so every request must pass two checks before anything else:
//! - the `Host` header names this server by an IP literal or `localhost` and its port, which
//!   defeats DNS rebinding (a rebound name arrives with the attacker's host name);
//! - it carries the session's random token, as `?token=` or as the cookie the page's first
//!   load sets (`HttpOnly`, `SameSite=Strict`), compared in constant time.
//!
//! No CORS header is ever sent, writes are POSTs whose body must be `application/json` (a
//! cross-site form cannot send that without a preflight, which fails), and every answer says
//! `no-store`, `nosniff`, no referrer, no framing, and a content security policy that allows
//! only this server's own script: text from the corpus is put on the page as text, never as
//! markup, and even if it were, no inline script would run.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tiny_http::{Header, Method, Request, Response};

use super::error::AnnotateError;
use super::session::{Refusal, Session};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// The largest request body read; an answer is a few hundred bytes.
const MAX_BODY: u64 = 64 * 1024;

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
         img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
];

/// A bound server; [`AnnotationServer::run`] serves until stopped.
pub struct AnnotationServer {
    http: Arc<tiny_http::Server>,
    address: SocketAddr,
    token: String,
    session: Arc<Session>,
}

impl AnnotationServer {
    /// Binds `host:port` (port 0 picks a free one) for `session`, with a fresh random token.
    pub fn bind(session: Arc<Session>, host: &str, port: u16) -> Result<Self, AnnotateError> {
        let address = format!("{host}:{port}");
        let bind_error = |message: String| AnnotateError::Bind {
            address: address.clone(),
            message,
        };
        let http = tiny_http::Server::http(&address).map_err(|e| bind_error(e.to_string()))?;
        let bound = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| bind_error("not an IP address".into()))?;
        Ok(AnnotationServer {
            http: Arc::new(http),
            address: bound,
            token: new_token()?,
            session,
        })
    }

    /// The address bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The URL to open, token included.
    pub fn url(&self) -> String {
        let host = match self.address {
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
            SocketAddr::V4(a) => a.ip().to_string(),
        };
        format!(
            "http://{host}:{}/?token={}",
            self.address.port(),
            self.token
        )
    }

    /// Serves on `workers` threads until `stop` is set, then writes what is queued.
    pub fn run(&self, workers: usize, stop: &AtomicBool) {
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                scope.spawn(|| {
                    while !stop.load(Ordering::SeqCst) {
                        match self.http.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => self.handle(request),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                });
            }
        });
        self.session.close();
    }

    fn handle(&self, mut request: Request) {
        let (path, query) = split_url(request.url());
        if !self.host_ok(&request) {
            return reply(
                request,
                text(403, "forbidden: the Host header does not name this server"),
            );
        }
        let from_query = query_value(&query, "token");
        let token_ok = from_query.as_deref().is_some_and(|t| self.token_eq(t))
            || cookie_value(&request, &self.cookie_name()).is_some_and(|t| self.token_eq(&t));
        if !token_ok {
            return reply(
                request,
                text(
                    403,
                    "forbidden: open the URL stance printed (it carries the token)",
                ),
            );
        }
        let method = request.method().clone();
        let response = match (&method, path.as_str()) {
            (Method::Get, "/") => {
                let mut r = body(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec());
                if from_query.is_some() {
                    let cookie = format!(
                        "{}={}; Path=/; HttpOnly; SameSite=Strict",
                        self.cookie_name(),
                        self.token
                    );
                    add_header(&mut r, "Set-Cookie", &cookie);
                }
                r
            }
            (Method::Get, "/app.js") => body(200, "text/javascript; charset=utf-8", SCRIPT.into()),
            (Method::Get, "/app.css") => body(200, "text/css; charset=utf-8", STYLE.into()),
            (Method::Get, "/api/next") => {
                match self.session.next(query_value(&query, "client").as_deref()) {
                    Some(next) => json(200, &next),
                    None => body(204, "application/json", Vec::new()),
                }
            }
            (Method::Get, "/api/progress") => json(200, &self.session.progress()),
            (Method::Get, "/api/guess") => match query_value(&query, "id") {
                Some(id) => refusal_or(self.session.guess(&id), |g| json(200, &g)),
                None => text(400, "missing ?id="),
            },
            (Method::Post, "/api/label") => match read_json::<LabelBody>(&mut request) {
                Ok(b) => refusal_or(self.session.label(&b.id, &b.label), |()| {
                    json(200, &self.session.progress())
                }),
                Err(r) => r,
            },
            (Method::Post, "/api/skip") => match read_json::<SkipBody>(&mut request) {
                Ok(b) => refusal_or(self.session.skip(&b.id), |()| {
                    json(200, &self.session.progress())
                }),
                Err(r) => r,
            },
            (Method::Post, "/api/undo") => match read_json::<serde_json::Value>(&mut request) {
                Ok(_) => refusal_or(self.session.undo(), |id| {
                    json(200, &serde_json::json!({ "undone": id }))
                }),
                Err(r) => r,
            },
            (_, "/" | "/app.js" | "/app.css" | "/api/next" | "/api/progress" | "/api/guess") => {
                text(405, "method not allowed")
            }
            (_, "/api/label" | "/api/skip" | "/api/undo") => text(405, "use POST"),
            _ => text(404, "not found"),
        };
        reply(request, response)
    }

    fn cookie_name(&self) -> String {
        format!("stance_token_{}", self.address.port())
    }

    fn token_eq(&self, given: &str) -> bool {
        let (a, b) = (given.as_bytes(), self.token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Whether the Host header is an IP literal or `localhost`, with this server's port.
    fn host_ok(&self, request: &Request) -> bool {
        let Some(host) = header_value(request, "Host") else {
            return false;
        };
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.address.port()) {
            return false;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        name.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelBody {
    id: String,
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipBody {
    id: String,
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

fn new_token() -> Result<String, AnnotateError> {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| AnnotateError::Param {
            parameter: "token",
            message: format!("no randomness for the token: {e}"),
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Adds a header; every name and value passed is ASCII written in this file (or hex), so the
/// conversion cannot fail in practice, and a header that could not be built is left out.
fn add_header(r: &mut Answer, name: &str, value: &str) {
    if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        r.add_header(h);
    }
}

fn body(status: u16, content_type: &str, data: Vec<u8>) -> Answer {
    let mut r = Response::from_data(data).with_status_code(status);
    add_header(&mut r, "Content-Type", content_type);
    for (name, value) in SECURITY_HEADERS {
        add_header(&mut r, name, value);
    }
    r
}

fn text(status: u16, message: &str) -> Answer {
    body(
        status,
        "text/plain; charset=utf-8",
        format!("{message}\n").into_bytes(),
    )
}

fn json<T: serde::Serialize>(status: u16, value: &T) -> Answer {
    match serde_json::to_vec(value) {
        Ok(bytes) => body(status, "application/json", bytes),
        Err(e) => text(500, &format!("cannot write the answer: {e}")),
    }
}

fn error_json(status: u16, message: &str) -> Answer {
    json(status, &serde_json::json!({ "error": message }))
}

fn refusal_or<T>(result: Result<T, Refusal>, ok: impl FnOnce(T) -> Answer) -> Answer {
    match result {
        Ok(value) => ok(value),
        Err(Refusal::BadRequest(m)) => error_json(400, &m),
        Err(Refusal::UnknownId(id)) => error_json(404, &format!("no text has id {id:?}")),
        Err(Refusal::Storage(m)) => error_json(500, &m),
    }
}

/// The request's JSON body, or the answer refusing it: 415 without a JSON content type, 413
/// over [`MAX_BODY`], 400 when it does not parse.
fn read_json<T: serde::de::DeserializeOwned>(request: &mut Request) -> Result<T, Answer> {
    let is_json = header_value(request, "Content-Type").is_some_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(error_json(
            415,
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    let mut bytes = Vec::new();
    if request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Err(error_json(400, "the body could not be read"));
    }
    if bytes.len() as u64 > MAX_BODY {
        return Err(error_json(413, "the body is too large"));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| error_json(400, &format!("malformed JSON body: {e}")))
}

fn reply(request: Request, response: Answer) {
    // A client that went away is no concern of the server's.
    let _ = request.respond(response);
}

fn header_value(request: &Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

fn cookie_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Cookie"))
        .flat_map(|h| {
            h.value
                .as_str()
                .split(';')
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

fn split_url(url: &str) -> (String, String) {
    match url.split_once('?') {
        Some((path, query)) => (path.to_string(), query.to_string()),
        None => (url.to_string(), String::new()),
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
