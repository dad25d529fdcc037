//! Classroom mode: `cadre-sim serve`, a local web page trainers can project and play with.
//!
//! The page (embedded in the binary, see [`assets`]) asks `GET /api/meta` for the scenarios,
//! levers, labels and colours, then starts runs with `POST /api/run`; each run streams its
//! steps back as server-sent events ([`stream`]) while the simulation advances. Requests are
//! validated by the scenario rules ([`request`]), sizes are capped (an average of N runs
//! counts N times), at most [`MAX_RUNS`] runs compute at once, and no request touches the
//! file system. Refusals are JSON with a plain-words message in the page's language
//! ([`text::error_message`]). The page's Chinese text uses the embedded CJK font subset,
//! served as a web font.

pub mod assets;
pub mod class;
pub mod connections;
pub mod request;
pub mod stream;
pub mod text;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use request::{ApiError, Problem, RunRequest};

/// The most runs computing at once; more are refused with 429 until one finishes.
pub const MAX_RUNS: usize = 4;
/// The largest request body accepted.
const MAX_BODY: usize = 64 * 1024;
/// Steps buffered between the simulation and a slow page before the simulation waits.
const STREAM_BUFFER: usize = 64;

/// What every request handler shares.
#[derive(Clone)]
struct AppState {
    runs: Arc<Semaphore>,
}

/// The web application: the page, its assets, and the API.
pub fn router() -> Router {
    let state = AppState {
        runs: Arc::new(Semaphore::new(MAX_RUNS)),
    };
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", assets::INDEX_HTML) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", assets::STYLE_CSS) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", assets::APP_JS) }),
        )
        .route(assets::CJK_FONT_PATH, get(|| async { cjk_font() }))
        .route("/api/meta", get(|| async { axum::Json(assets::meta()) }))
        .route("/api/run", post(run))
        .method_not_allowed_fallback(|headers: HeaderMap| async move {
            ApiError::new(
                Problem::MethodNotAllowed,
                "method not allowed: /api/run takes POST with a JSON body; the page and \
                 /api/meta take GET",
            )
            .with_status(StatusCode::METHOD_NOT_ALLOWED)
            .in_lang(request::request_lang(None, &headers))
        })
        .fallback(|headers: HeaderMap| async move {
            ApiError::new(
                Problem::NotFound,
                "no such page or API: the page is at /, the API at /api/meta and /api/run",
            )
            .with_status(StatusCode::NOT_FOUND)
            .in_lang(request::request_lang(None, &headers))
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The embedded Chinese font (the subset the plots use), so that 中文 shows on a computer
/// without Chinese fonts. It never changes while the server runs: cached for a day.
fn cjk_font() -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/otf"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        crate::plot::fonts::CJK,
    )
        .into_response()
}

/// `POST /api/run`: validate, take a run slot, then stream the steps as they are computed.
/// Errors are worded in the request's language (`lang`, else `Accept-Language`).
async fn run(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // A body over the size limit (or unreadable) gets a JSON answer like every other error.
    let body = body.map_err(|r| {
        ApiError::bad(format!(
            "{}; a run request is a small JSON object",
            r.body_text()
        ))
        .with_status(r.status())
        .in_lang(request::request_lang(None, &headers))
    })?;
    let lang = request::request_lang(request::body_lang(&body).as_deref(), &headers);
    let scenario = RunRequest::parse(&body)
        .and_then(|r| r.resolve())
        .map_err(|e| e.in_lang(lang))?;
    let permit = state.runs.try_acquire_owned().map_err(|_| {
        ApiError::new(
            Problem::Busy,
            format!("{MAX_RUNS} runs are already computing on this server; try again in a moment"),
        )
        .with_status(StatusCode::TOO_MANY_REQUESTS)
        .in_lang(lang)
    })?;
    let (tx, rx) = mpsc::channel::<Result<String, Infallible>>(STREAM_BUFFER);
    tokio::task::spawn_blocking(move || {
        // The slot is held until the run ends or the page goes away (sending fails).
        let _permit = permit;
        stream::run_events(&scenario, |event| tx.blocking_send(Ok(event)).is_ok());
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response())
}

/// Serves the classroom page on `listener` until the process ends, under the same
/// connection limits as the class game ([`connections`]).
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    connections::serve(listener, router(), connections::Limits::default()).await
}

/// Binds `addr` (port 0 picks a free port), starts serving in the background on the current
/// tokio runtime, and returns the address actually bound. For tests and embedding.
pub async fn spawn(addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(serve(listener));
    Ok(local)
}
