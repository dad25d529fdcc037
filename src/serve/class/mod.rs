//! The class game: `cadre-sim serve --class`. Students play cadres on their phones inside
//! one model world; the trainer sets the pace and the regime; the debrief fits the model's
//! decision rule to the class's choices.
//!
//! - [`game`]: the world with students' seats, rounds, outcomes by the model's own rules;
//! - [`fit`]: the maximum-likelihood fit of the logit choice (temperature, loss aversion);
//! - [`pass`]: quarters that pass between rounds, the model playing every seat;
//! - [`projection`]: the debrief's projection of the class's world under both regimes;
//! - [`text`]: every word, English and Chinese;
//! - this file: the HTTP side. Students join at `/` and get a seat token (kept in the
//!   phone's storage, sent in the `X-Seat-Token` header, never in a URL) that acts for that
//!   seat only; the trainer's screen is `/trainer` and its API asks for the trainer token
//!   printed in the terminal (`Authorization: Bearer`). Every refusal is a 4xx JSON answer
//!   like the classroom page's ([`ApiError`]); requests are rate-limited per seat, joins
//!   globally, bodies are small, and the numbers of students and rounds are capped.
//!
//! The round timer runs on a thread of its own; everything else happens in the handlers,
//! under one lock held for microseconds (a round's step of a 1000-cadre world included).

pub mod fit;
pub mod game;
pub mod pass;
pub mod projection;
pub mod text;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::Uri;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::request::{self, ApiError, Problem};
use crate::i18n::Lang;
use crate::scenario::builtin;
use game::{CardKind, Game, GameError, Phase};

pub const STUDENT_HTML: &str = include_str!("assets/student.html");
pub const TRAINER_HTML: &str = include_str!("assets/trainer.html");
pub const CLASS_CSS: &str = include_str!("assets/class.css");
pub const STUDENT_JS: &str = include_str!("assets/student.js");
pub const TRAINER_JS: &str = include_str!("assets/trainer.js");
pub const COMMON_JS: &str = include_str!("assets/common.js");

/// The largest request body: a nickname or an answer.
const MAX_BODY: usize = 4 * 1024;
/// Requests a seat may make in a burst, and per second after it (a phone polls once a
/// second).
const SEAT_BURST: f64 = 20.0;
const SEAT_RATE: f64 = 5.0;
/// Joins in a burst (a whole class at once), and per second after it.
const JOIN_BURST: f64 = game::MAX_STUDENTS as f64;
const JOIN_RATE: f64 = 20.0;
/// A phone not heard from for this long is shown as gone (its seat holds back).
const GONE_AFTER: Duration = Duration::from_secs(10);
/// The round timer's bounds, in seconds.
pub const TIMER_MIN: u32 = 5;
pub const TIMER_MAX: u32 = 600;

/// How the game starts.
#[derive(Debug, Clone)]
pub struct ClassConfig {
    /// The first regime: a built-in scenario (its world and its `[regime]`).
    pub scenario: String,
    pub seed: u64,
    pub timer_s: u32,
    /// The address students open (shown and in the QR code).
    pub join_url: String,
    /// The trainer's token.
    pub trainer_token: String,
}

/// A token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: f64) -> Bucket {
        Bucket {
            tokens: burst,
            at: Instant::now(),
        }
    }
    fn take(&mut self, burst: f64, rate: f64, now: Instant) -> bool {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * rate;
        self.tokens = (self.tokens + refill).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The round's clock: running to a deadline, or paused with time left.
#[derive(Debug, Clone, Copy)]
enum Clock {
    Stopped,
    Running(Instant),
    Paused(Duration),
}

struct Inner {
    game: Game,
    tokens: HashMap<String, usize>,
    last_seen: Vec<Instant>,
    buckets: Vec<Bucket>,
    joins: Bucket,
    timer_s: u32,
    clock: Clock,
    /// Regime switches: (first round under it, regime).
    switches: Vec<(u32, String)>,
}

impl Inner {
    /// Closes the open round when its time is up or everyone with an opportunity answered.
    fn tick(&mut self, now: Instant) {
        if self.game.phase != Phase::Open {
            return;
        }
        let due = matches!(self.clock, Clock::Running(deadline) if now >= deadline);
        if due || self.game.all_answered() {
            self.close();
        }
    }
    fn close(&mut self) {
        if self.game.close_round().is_ok() {
            self.clock = Clock::Stopped;
        }
    }
    fn remaining_ms(&self, now: Instant) -> Option<u64> {
        match self.clock {
            Clock::Stopped => None,
            Clock::Running(d) => Some(d.saturating_duration_since(now).as_millis() as u64),
            Clock::Paused(left) => Some(left.as_millis() as u64),
        }
    }
}

struct ClassState {
    inner: Mutex<Inner>,
    trainer_token: String,
    join_url: String,
    qr_svg: String,
}

impl ClassState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock would be a bug; the game stays usable after it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type Shared = Arc<ClassState>;

/// A refusal of the class game: 4xx JSON with `kind`, plain words in both languages.
fn refuse(
    status: StatusCode,
    kind: &'static str,
    error: impl Into<String>,
    lang: Lang,
) -> ApiError {
    ApiError::new(Problem::Class(kind), error)
        .with_status(status)
        .in_lang(lang)
}

fn game_error(e: GameError, lang: Lang) -> ApiError {
    use GameError::*;
    let (status, kind, error) = match e {
        Full => (
            StatusCode::CONFLICT,
            "class_full",
            format!("the class is full ({} students)", game::MAX_STUDENTS),
        ),
        NicknameEmpty => (
            StatusCode::BAD_REQUEST,
            "nickname_empty",
            "`nickname` is empty".into(),
        ),
        NicknameTooLong => (
            StatusCode::BAD_REQUEST,
            "nickname_too_long",
            format!(
                "`nickname` is longer than {} characters",
                game::NICKNAME_MAX
            ),
        ),
        NicknameTaken => (
            StatusCode::CONFLICT,
            "nickname_taken",
            "`nickname` is already taken".into(),
        ),
        WrongRound { open, asked } => (
            StatusCode::CONFLICT,
            "wrong_round",
            format!("`round` = {asked} is not the open round ({open:?})"),
        ),
        AlreadyAnswered => (
            StatusCode::CONFLICT,
            "already_answered",
            "this seat has already answered this round".into(),
        ),
        NoOpportunity => (
            StatusCode::CONFLICT,
            "no_opportunity",
            "this seat has no opportunity this round".into(),
        ),
        RoundOpen => (
            StatusCode::CONFLICT,
            "round_open",
            "a round is open; close it first".into(),
        ),
        NoRoundOpen => (
            StatusCode::CONFLICT,
            "no_round_open",
            "no round is open".into(),
        ),
        UnknownRegime(name) => (
            StatusCode::BAD_REQUEST,
            "unknown_regime",
            format!(
                "unknown regime `{name}`; the built-in scenarios are: {}",
                builtin::names().collect::<Vec<_>>().join(", ")
            ),
        ),
        Over => (
            StatusCode::CONFLICT,
            "game_over",
            format!("the game has played its {} rounds", game::MAX_ROUNDS),
        ),
        BadQuarters(n) => {
            return ApiError::param(
                Problem::Class("invalid_request"),
                format!(
                    "`quarters` = {n} is out of range: it must be an integer in [1, {}]",
                    pass::MAX_PASS
                ),
                "quarters".into(),
                &json!(n),
                format!("an integer in [1, {}]", pass::MAX_PASS),
            )
            .in_lang(lang);
        }
    };
    refuse(status, kind, error, lang)
}

/// The class game's web application; a bad configuration is refused with the option that
/// set it (`--scenario`, `--join-url`) and what is wrong.
pub fn router(config: ClassConfig) -> Result<Router, (&'static str, String)> {
    let game = Game::new(&config.scenario, config.seed).map_err(|_| {
        (
            "--scenario",
            format!(
                "unknown scenario `{}`; the class game plays built-in scenarios: {}",
                config.scenario,
                builtin::names().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let qr_svg = qr_svg(&config.join_url).map_err(|m| ("--join-url", m))?;
    let state = Arc::new(ClassState {
        inner: Mutex::new(Inner {
            game,
            tokens: HashMap::new(),
            last_seen: Vec::new(),
            buckets: Vec::new(),
            joins: Bucket::full(JOIN_BURST),
            timer_s: config.timer_s.clamp(TIMER_MIN, TIMER_MAX),
            clock: Clock::Stopped,
            switches: vec![(0, config.scenario.clone())],
        }),
        trainer_token: config.trainer_token,
        join_url: config.join_url,
        qr_svg,
    });
    start_clock(Arc::downgrade(&state));
    let page = |ct: &'static str, body: &'static str| {
        move || async move {
            (
                [
                    (header::CONTENT_TYPE, ct),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                body,
            )
                .into_response()
        }
    };
    Ok(Router::new()
        .route("/", get(page("text/html; charset=utf-8", STUDENT_HTML)))
        .route(
            "/trainer",
            get(page("text/html; charset=utf-8", TRAINER_HTML)),
        )
        .route(
            "/class.css",
            get(page("text/css; charset=utf-8", CLASS_CSS)),
        )
        .route(
            "/common.js",
            get(page("text/javascript; charset=utf-8", COMMON_JS)),
        )
        .route(
            "/student.js",
            get(page("text/javascript; charset=utf-8", STUDENT_JS)),
        )
        .route(
            "/trainer.js",
            get(page("text/javascript; charset=utf-8", TRAINER_JS)),
        )
        .route(
            super::assets::CJK_FONT_PATH,
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "font/otf"),
                        (header::CACHE_CONTROL, "max-age=86400"),
                    ],
                    crate::plot::fonts::CJK,
                )
                    .into_response()
            }),
        )
        .route("/qr.svg", get(qr))
        .route("/api/text", get(texts))
        .route("/api/join", post(join))
        .route("/api/me", get(me))
        .route("/api/answer", post(answer))
        .route("/api/trainer/state", get(trainer_state))
        .route("/api/trainer/control", post(control))
        .route("/api/trainer/debrief", get(debrief))
        .route("/api/trainer/export.csv", get(export))
        .route("/api/trainer/projection", get(projection::serve_json))
        .route("/api/trainer/projection.csv", get(projection::serve_csv))
        .method_not_allowed_fallback(|headers: HeaderMap| async move {
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed: /api/join, /api/answer and /api/trainer/control take \
                 POST; the rest GET",
                request::request_lang(None, &headers),
            )
        })
        .fallback(|headers: HeaderMap| async move {
            refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such page or API: students join at /, the trainer's screen is /trainer",
                request::request_lang(None, &headers),
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state))
}

/// The round timer: a thread that closes rounds whose time is up, until the server goes.
fn start_clock(state: Weak<ClassState>) {
    std::thread::spawn(move || {
        while let Some(state) = state.upgrade() {
            state.lock().tick(Instant::now());
            drop(state);
            std::thread::sleep(Duration::from_millis(200));
        }
    });
}

/// The join address as an SVG QR code, made here (no network).
pub fn qr_svg(url: &str) -> Result<String, String> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| format!("cannot make a QR code of {url}: {e}"))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

async fn qr(State(state): State<Shared>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        state.qr_svg.clone(),
    )
        .into_response()
}

/// Every text in both languages, and the regimes the trainer can pick.
async fn texts() -> Response {
    let ui: serde_json::Map<String, Value> = text::UI
        .iter()
        .map(|(k, t)| (k.to_string(), json!(t)))
        .collect();
    axum::Json(json!({ "ui": ui, "regimes": regimes() })).into_response()
}

fn regimes() -> Vec<Value> {
    builtin::names()
        .map(|name| {
            let label = super::text::SCENARIOS
                .iter()
                .find(|(n, ..)| *n == name)
                .map_or(json!({ "en": name, "zh": name }), |(_, l, _)| json!(l));
            json!({ "name": name, "label": label })
        })
        .collect()
}

/// A JSON body, or a 4xx answer.
fn parse_body<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, BytesRejection>,
    headers: &HeaderMap,
) -> Result<(T, Lang), ApiError> {
    let lang0 = request::request_lang(None, headers);
    let body = body.map_err(|r| refuse(r.status(), "invalid_request", r.body_text(), lang0))?;
    let lang = request::request_lang(request::body_lang(&body).as_deref(), headers);
    let value = serde_json::from_slice(&body).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("the request body is not valid: {e}"),
            lang,
        )
    })?;
    Ok((value, lang))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinBody {
    nickname: String,
    #[serde(default)]
    #[allow(dead_code)]
    lang: Option<String>,
}

/// A new seat token: 128 random bits from the operating system's generator, in hex.
fn new_token() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    format!("{:032x}", rng.random::<u128>())
}

/// Equal tokens, compared in time independent of where they differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `POST /api/join {"nickname": "..."}`: a seat and its token.
async fn join(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (body, lang): (JoinBody, Lang) = parse_body(body, &headers)?;
    let mut inner = state.lock();
    let now = Instant::now();
    if !inner.joins.take(JOIN_BURST, JOIN_RATE, now) {
        return Err(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many joins at once; try again in a moment",
            lang,
        ));
    }
    let seat = inner
        .game
        .join(&body.nickname)
        .map_err(|e| game_error(e, lang))?;
    let token = new_token();
    inner.tokens.insert(token.clone(), seat);
    inner.last_seen.push(now);
    inner.buckets.push(Bucket::full(SEAT_BURST));
    let view = student_view(&inner, seat, now);
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "token": token, "me": view })),
    )
        .into_response())
}

/// The seat whose token the request carries, after its rate limit.
fn seat_of(
    inner: &mut Inner,
    headers: &HeaderMap,
    lang: Lang,
    now: Instant,
) -> Result<usize, ApiError> {
    let token = headers
        .get("x-seat-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(&seat) = inner.tokens.get(token) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unknown_seat",
            "missing or unknown `X-Seat-Token`: join first (POST /api/join)",
            lang,
        ));
    };
    if !inner.buckets[seat].take(SEAT_BURST, SEAT_RATE, now) {
        return Err(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("more than {SEAT_RATE} requests a second from this seat"),
            lang,
        ));
    }
    inner.last_seen[seat] = now;
    Ok(seat)
}

/// What a student's phone shows.
fn student_view(inner: &Inner, seat: usize, now: Instant) -> Value {
    let g = &inner.game;
    let s = &g.seats[seat];
    let cadre = &g.world().cadres()[s.cadre as usize];
    let card = if g.phase == Phase::Open {
        s.card.as_ref()
    } else {
        None
    };
    json!({
        "seat": seat,
        "nickname": s.nickname,
        "unit": g.world().groups().unit_of(s.cadre) + 1,
        "phase": g.phase,
        "round": g.round(),
        "remaining_ms": inner.remaining_ms(now),
        "paused": matches!(inner.clock, Clock::Paused(_)),
        "card": card,
        "answer": s.answer.map(|a| if a { "reform" } else { "hold" }),
        "outcome": s.outcome,
        "career": cadre.career,
        "regime": g.regime(),
    })
}

async fn me(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    let now = Instant::now();
    let mut inner = state.lock();
    inner.tick(now);
    let seat = seat_of(&mut inner, &headers, lang, now)?;
    Ok(axum::Json(student_view(&inner, seat, now)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    round: u32,
    choice: Choice,
    #[serde(default)]
    #[allow(dead_code)]
    lang: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Choice {
    Reform,
    Hold,
}

/// `POST /api/answer {"round": t, "choice": "reform" | "hold"}` for the token's seat.
async fn answer(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let (body, lang): (AnswerBody, Lang) = parse_body(body, &headers)?;
    let now = Instant::now();
    let mut inner = state.lock();
    inner.tick(now);
    let seat = seat_of(&mut inner, &headers, lang, now)?;
    inner
        .game
        .answer(seat, body.round, matches!(body.choice, Choice::Reform))
        .map_err(|e| game_error(e, lang))?;
    // The answer is recorded with the view as it was; the round may close at once when it
    // was the last one, and the next poll shows the outcome.
    let view = student_view(&inner, seat, now);
    inner.tick(now);
    Ok(axum::Json(view).into_response())
}

/// Refuses a request without the trainer's token.
fn trainer(state: &ClassState, headers: &HeaderMap, lang: Lang) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if same_token(given, &state.trainer_token) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::UNAUTHORIZED,
            "not_trainer",
            "missing or wrong trainer token (`Authorization: Bearer <token>`, printed in the \
             terminal)",
            lang,
        ))
    }
}

async fn trainer_state(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    trainer(&state, &headers, lang)?;
    let now = Instant::now();
    let mut inner = state.lock();
    inner.tick(now);
    Ok(axum::Json(trainer_view(&inner, &state, now)).into_response())
}

fn trainer_view(inner: &Inner, state: &ClassState, now: Instant) -> Value {
    let g = &inner.game;
    let open = g.phase == Phase::Open;
    let students: Vec<Value> = g
        .seats
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let has_card = open && s.card.as_ref().map(|c| c.kind) == Some(CardKind::Opportunity);
            json!({
                "nickname": s.nickname,
                "connected": now.saturating_duration_since(inner.last_seen[i]) < GONE_AFTER,
                "opportunity": has_card,
                "answered": s.answer.is_some(),
            })
        })
        .collect();
    let with_card = students.iter().filter(|s| s["opportunity"] == true).count();
    let answered = students.iter().filter(|s| s["answered"] == true).count();
    json!({
        "phase": g.phase,
        "round": g.round(),
        "timer_s": inner.timer_s,
        "remaining_ms": inner.remaining_ms(now),
        "paused": matches!(inner.clock, Clock::Paused(_)),
        "regime": g.regime(),
        "switches": inner.switches,
        "regimes": regimes(),
        "join_url": state.join_url,
        "students": students,
        "opportunities": with_card,
        "answered": answered,
        "rounds": g.rounds,
        "cadres": g.cadres(),
        "max_rounds": game::MAX_ROUNDS,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlBody {
    action: Action,
    #[serde(default)]
    seconds: Option<u32>,
    #[serde(default)]
    regime: Option<String>,
    /// For `pass`: how many quarters (default a year, 4).
    #[serde(default)]
    quarters: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)]
    lang: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Action {
    Open,
    Close,
    Pause,
    Resume,
    Timer,
    Regime,
    Pass,
}

/// `POST /api/trainer/control {"action": ...}`: open, close, pause, resume a round; set the
/// timer (`seconds`); switch the regime (`regime`) from the next round on; let `quarters`
/// quarters pass (`pass`, default 4), the model playing every seat.
async fn control(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let lang0 = request::request_lang(None, &headers);
    trainer(&state, &headers, lang0)?;
    let (body, lang): (ControlBody, Lang) = parse_body(body, &headers)?;
    let now = Instant::now();
    let mut inner = state.lock();
    inner.tick(now);
    match body.action {
        Action::Open => {
            inner.game.open_round().map_err(|e| game_error(e, lang))?;
            inner.clock = Clock::Running(now + Duration::from_secs(inner.timer_s as u64));
        }
        Action::Close => {
            if inner.game.phase != Phase::Open {
                return Err(game_error(GameError::NoRoundOpen, lang));
            }
            inner.close();
        }
        Action::Pause => {
            if let Clock::Running(deadline) = inner.clock {
                inner.clock = Clock::Paused(deadline.saturating_duration_since(now));
            }
        }
        Action::Resume => {
            if let Clock::Paused(left) = inner.clock {
                inner.clock = Clock::Running(now + left);
            }
        }
        Action::Timer => {
            let seconds = body.seconds.unwrap_or(0);
            if !(TIMER_MIN..=TIMER_MAX).contains(&seconds) {
                return Err(ApiError::param(
                    Problem::Class("invalid_request"),
                    format!("`seconds` = {seconds} is out of range: it must be an integer in [{TIMER_MIN}, {TIMER_MAX}]"),
                    "seconds".into(),
                    &json!(seconds),
                    format!("an integer in [{TIMER_MIN}, {TIMER_MAX}]"),
                )
                .in_lang(lang));
            }
            inner.timer_s = seconds;
        }
        Action::Regime => {
            let name = body.regime.unwrap_or_default();
            inner
                .game
                .switch_regime(&name)
                .map_err(|e| game_error(e, lang))?;
            let at = inner.game.round();
            inner.switches.retain(|(r, _)| *r != at);
            inner.switches.push((at, name));
        }
        Action::Pass => {
            let quarters = body.quarters.unwrap_or(pass::YEAR);
            inner.game.pass(quarters).map_err(|e| game_error(e, lang))?;
        }
    }
    inner.tick(now);
    Ok(axum::Json(trainer_view(&inner, &state, now)).into_response())
}

/// The debrief: the class against the model round by round, and the class's fitted rule.
pub fn debrief_of(g: &Game) -> Value {
    let choices: Vec<fit::Choice> = g
        .decisions
        .iter()
        .map(|d| {
            let (gain, loss) = d.utility_terms();
            fit::Choice {
                gain,
                loss,
                reform: d.reform,
            }
        })
        .collect();
    let fitted = match fit::fit(&choices) {
        Ok(f) => json!(f),
        Err(e) => json!({ "none": e }),
    };
    let pop = crate::model::Population::default();
    json!({
        "rounds": g.rounds,
        "fit": fitted,
        "defaults": { "loss_aversion": pop.loss_aversion, "temperature": pop.temperature },
        "decisions": g.decisions.len(),
    })
}

async fn debrief(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    trainer(&state, &headers, lang)?;
    let inner = state.lock();
    Ok(axum::Json(debrief_of(&inner.game)).into_response())
}

/// A CSV cell that a spreadsheet will not run as a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The decisions as CSV: one row per opportunity a student had; nicknames only when asked.
pub fn export_csv(g: &Game, names: bool) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["round", "seat"];
    if names {
        head.push("nickname");
    }
    head.extend([
        "regime",
        "difficulty",
        "skill",
        "p_success",
        "belief",
        "reward",
        "detect",
        "severity",
        "review_chance",
        "review_tolerates",
        "answered",
        "choice",
        "outcome",
        "model_probability",
    ]);
    w.write_record(&head)?;
    for d in &g.decisions {
        let mut row = vec![(d.round + 1).to_string(), (d.seat + 1).to_string()];
        if names {
            row.push(inert(&g.seats[d.seat].nickname));
        }
        let s = d.stakes;
        row.extend([
            d.regime.clone(),
            format!("{:.4}", d.difficulty),
            format!("{:.4}", d.skill),
            format!("{:.4}", d.p_success),
            format!("{:.4}", d.belief),
            s.reward.to_string(),
            s.detect.to_string(),
            s.severity.to_string(),
            format!("{:.4}", s.review_chance),
            format!("{:.4}", s.review_tolerates),
            d.answered.to_string(),
            if d.reform { "reform" } else { "hold" }.to_string(),
            d.outcome.clone(),
            format!("{:.4}", d.model_probability),
        ]);
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    trainer(&state, &headers, lang)?;
    // The one option: `?names=1` adds the nicknames; anything else is refused.
    let names = match uri.query().unwrap_or("") {
        "" | "names=0" => false,
        "names=1" => true,
        other => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("unknown query `{other}`: the export takes `names=1` or nothing"),
                lang,
            ));
        }
    };
    let inner = state.lock();
    let csv = export_csv(&inner.game, names).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            e.to_string(),
            lang,
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"class-decisions.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Binds `addr` (port 0 picks a free port), serves the class game in the background on the
/// current tokio runtime, and returns the address bound. For tests and embedding.
pub async fn spawn(
    addr: std::net::SocketAddr,
    config: ClassConfig,
) -> std::io::Result<std::net::SocketAddr> {
    let router = router(config).map_err(|(_, m)| std::io::Error::other(m))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(local)
}

/// A trainer token for a new game.
pub fn trainer_token() -> String {
    new_token()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_compared_whole() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, &a[..31]));
        assert!(!same_token("", &a));
    }

    #[test]
    fn buckets_refill_at_their_rate() {
        let mut b = Bucket::full(2.0);
        let t0 = b.at;
        assert!(b.take(2.0, 1.0, t0));
        assert!(b.take(2.0, 1.0, t0));
        assert!(!b.take(2.0, 1.0, t0));
        assert!(b.take(2.0, 1.0, t0 + Duration::from_millis(1100)));
    }

    #[test]
    fn the_export_has_no_nicknames_unless_asked_and_no_formulas() {
        let mut g = Game::new("nominal_tolerance", 2).unwrap();
        for k in 0..30 {
            g.join(&format!("=HYPERLINK(\"x\"){k}")).unwrap();
        }
        g.open_round().unwrap();
        g.close_round().unwrap();
        assert!(!g.decisions.is_empty());
        let plain = String::from_utf8(export_csv(&g, false).unwrap()).unwrap();
        assert!(!plain.contains("HYPERLINK"));
        assert!(plain.starts_with("round,seat,regime,"));
        let named = String::from_utf8(export_csv(&g, true).unwrap()).unwrap();
        assert!(named.contains("'=HYPERLINK"), "{named}");
        assert!(!named.contains(",=HYPERLINK"));
        assert_eq!(plain.lines().count(), g.decisions.len() + 1);
        // Nobody answered: every decision is "hold", not answered.
        assert!(g.decisions.iter().all(|d| !d.answered && !d.reform));
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_join_address() {
        let svg = qr_svg("http://192.168.1.20:8080/").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
