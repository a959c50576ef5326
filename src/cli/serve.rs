//! `bindery serve`: `watch`, plus a reader page on 127.0.0.1 that shows the real EPUB and
//! reloads it after every good rebuild.
//!
//! The page (`assets/reader/index.html`) runs epub.js, vendored from npm at the version
//! `tools/render` pins and compiled into the binary, so a preview needs no network and no
//! files beside the binary. It asks `/status` a few times a second for the build number:
//! a new number with a good build loads the new `/book.epub` at the same place in the text;
//! a failed build shows its errors over the last good book, which stays readable.
//!
//! Why a hand-written HTTP server rather than a crate: it serves five fixed routes to one
//! browser on the loopback interface, answers only `GET`/`HEAD` and closes every
//! connection; an HTTP library would bring a router, keep-alive and TLS options this never
//! uses. Requests are read with a size limit and a timeout, so a stuck client cannot hold a
//! thread for long, and nothing but the loopback address is ever bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::cli::snippets::SnippetRenderer;
use bindery::Report;
use bindery::config::Config;
use bindery::error::{Error, IoContext, Result};

/// The reader page and the two scripts it runs, compiled in.
const INDEX_HTML: &str = include_str!("../../assets/reader/index.html");
const EPUB_JS: &str = include_str!("../../assets/reader/epub.min.js");
const JSZIP_JS: &str = include_str!("../../assets/reader/jszip.min.js");

/// A request line and headers longer than this are refused: the page sends short ones.
const MAX_REQUEST_BYTES: u64 = 16 * 1024;

/// How long a connection may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the accept loop looks at the stop flag.
const ACCEPT_POLL: Duration = Duration::from_millis(50);

/// What the page can ask for: the newest good book and how the last build went.
#[derive(Debug, Default)]
struct Preview {
    /// Counts finished builds, good or failed; the page reloads when it changes.
    build: u64,
    /// The last good EPUB's bytes; `None` until a build succeeds.
    epub: Option<Arc<Vec<u8>>>,
    /// The errors of the last build when it failed, as plain text.
    errors: Option<String>,
}

impl Preview {
    fn status_json(&self) -> String {
        serde_json::json!({
            "build": self.build,
            "ok": self.errors.is_none(),
            "has_book": self.epub.is_some(),
            "errors": self.errors,
        })
        .to_string()
    }
}

/// Where the preview listens: 127.0.0.1 and `port` (0 picks a free one).
pub(crate) fn bind(port: u16) -> Result<TcpListener> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(address).map_err(|error| Error::Io {
        action: "listen on",
        path: PathBuf::from(address.to_string()),
        source: error,
    })
}

/// Serves the preview on `listener` and rebuilds the book on every change until `stop` is
/// set. `on_build` gets each build's result as `watch` gives it (for the terminal).
pub(crate) fn serve(
    config: &Config,
    listener: TcpListener,
    stop: &AtomicBool,
    mut on_build: impl FnMut(&Result<Report>, &[PathBuf]),
) -> Result<()> {
    let preview = Arc::new(Mutex::new(Preview::default()));
    listener
        .set_nonblocking(true)
        .context("listen on", PathBuf::from("127.0.0.1"))?;
    let server_stop = Arc::new(AtomicBool::new(false));
    let server = {
        let preview = Arc::clone(&preview);
        let server_stop = Arc::clone(&server_stop);
        thread::spawn(move || accept_loop(&listener, &preview, &server_stop))
    };
    let watched = crate::cli::watch::watch(config, stop, |result, changed| {
        record(&preview, result);
        on_build(result, changed);
    });
    server_stop.store(true, Ordering::SeqCst);
    // The accept loop ends within one poll; a connection thread still writing is detached.
    let _ = server.join();
    watched
}

/// Keeps a build's outcome for the page: the new EPUB, or the errors beside the last one.
fn record(preview: &Mutex<Preview>, result: &Result<Report>) {
    let outcome = match result {
        Ok(report) => std::fs::read(&report.output)
            .map(|bytes| Ok(Arc::new(bytes)))
            .unwrap_or_else(|error| {
                Err(format!(
                    "cannot read the new EPUB {}: {error}",
                    report.output.display()
                ))
            }),
        Err(error) => Err(plain_errors(error)),
    };
    let mut preview = preview.lock().unwrap_or_else(PoisonError::into_inner);
    preview.build += 1;
    match outcome {
        Ok(epub) => {
            preview.epub = Some(epub);
            preview.errors = None;
        }
        Err(errors) => preview.errors = Some(errors),
    }
}

/// The errors as the terminal shows them, without colours.
fn plain_errors(error: &Error) -> String {
    match error {
        Error::Input(diagnostics) => {
            let mut snippets = SnippetRenderer::new(false);
            let mut text: Vec<String> = diagnostics.iter().map(|d| snippets.render(d)).collect();
            text.push(format!("build failed: {error}"));
            text.join("\n\n")
        }
        other => other.to_string(),
    }
}

fn accept_loop(listener: &TcpListener, preview: &Arc<Mutex<Preview>>, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let preview = Arc::clone(preview);
                thread::spawn(move || {
                    // A browser that goes away mid-answer is not an error worth reporting.
                    let _ = answer(stream, &preview);
                });
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(ACCEPT_POLL);
            }
            // A failed accept (the client gave up, too many open files) ends only that try.
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

/// One response.
struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Body,
}

enum Body {
    Static(&'static [u8]),
    Owned(Vec<u8>),
    Shared(Arc<Vec<u8>>),
}

impl Body {
    fn bytes(&self) -> &[u8] {
        match self {
            Body::Static(bytes) => bytes,
            Body::Owned(bytes) => bytes,
            Body::Shared(bytes) => bytes,
        }
    }
}

fn answer(stream: TcpStream, preview: &Mutex<Preview>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    let mut reader = BufReader::new((&stream).take(MAX_REQUEST_BYTES));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // The headers are read and ignored: nothing here depends on them.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let response = match method {
        "GET" | "HEAD" => route(target, preview),
        _ => text(
            "405 Method Not Allowed",
            "the preview only answers GET and HEAD",
        ),
    };
    let mut stream = stream;
    let body = response.body.bytes();
    write!(
        stream,
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        response.status,
        response.content_type,
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn route(target: &str, preview: &Mutex<Preview>) -> Response {
    // The page adds `?build=N` to the book's address so no cache can hand it an old one.
    let path = target.split('?').next().unwrap_or("");
    let fixed = |content_type, bytes: &'static str| Response {
        status: "200 OK",
        content_type,
        body: Body::Static(bytes.as_bytes()),
    };
    match path {
        "/" | "/index.html" => fixed("text/html; charset=utf-8", INDEX_HTML),
        "/epub.min.js" => fixed("text/javascript; charset=utf-8", EPUB_JS),
        "/jszip.min.js" => fixed("text/javascript; charset=utf-8", JSZIP_JS),
        "/status" => {
            let preview = preview.lock().unwrap_or_else(PoisonError::into_inner);
            Response {
                status: "200 OK",
                content_type: "application/json",
                body: Body::Owned(preview.status_json().into_bytes()),
            }
        }
        "/book.epub" => {
            let epub = preview
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .epub
                .clone();
            match epub {
                Some(bytes) => Response {
                    status: "200 OK",
                    content_type: "application/epub+zip",
                    body: Body::Shared(bytes),
                },
                None => text("404 Not Found", "no build has succeeded yet"),
            }
        }
        _ => text("404 Not Found", "not part of the preview"),
    }
}

fn text(status: &'static str, message: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        body: Body::Owned(message.as_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bindery::diagnostics::Diagnostic;

    fn get(preview: &Mutex<Preview>, target: &str) -> (String, Vec<u8>) {
        let response = route(target, preview);
        (response.status.to_string(), response.body.bytes().to_vec())
    }

    #[test]
    fn the_book_is_there_only_after_a_good_build() {
        let preview = Mutex::new(Preview::default());
        assert_eq!(get(&preview, "/book.epub").0, "404 Not Found");
        preview.lock().unwrap().epub = Some(Arc::new(b"PK epub".to_vec()));
        let (status, body) = get(&preview, "/book.epub?build=1");
        assert_eq!(
            (status.as_str(), body.as_slice()),
            ("200 OK", &b"PK epub"[..])
        );
    }

    #[test]
    fn a_failed_build_keeps_the_last_good_book_and_shows_its_errors() {
        let preview = Mutex::new(Preview::default());
        preview.lock().unwrap().epub = Some(Arc::new(b"PK good".to_vec()));
        let failed: Result<Report> = Err(Error::Input(vec![Diagnostic::error(
            "front matter: the book has no title",
        )]));
        record(&preview, &failed);
        let (_, status) = get(&preview, "/status");
        let status: serde_json::Value = serde_json::from_slice(&status).unwrap();
        assert_eq!(status["build"], 1);
        assert_eq!(status["ok"], false);
        assert_eq!(status["has_book"], true);
        assert!(
            status["errors"]
                .as_str()
                .unwrap()
                .contains("the book has no title"),
            "{status}"
        );
        assert_eq!(get(&preview, "/book.epub").1, b"PK good");
    }

    #[test]
    fn unknown_paths_are_not_found() {
        let preview = Mutex::new(Preview::default());
        assert_eq!(get(&preview, "/../etc/passwd").0, "404 Not Found");
        assert_eq!(get(&preview, "/assets/index.html").0, "404 Not Found");
    }
}
