//! The class game's API over real HTTP (`serve --class`): a minimal HTTP/1.1 client on a
//! tokio TcpStream joins students, plays a round as the trainer, and sends what a hostile
//! phone might: forged and replayed requests, markup in nicknames, malformed bodies. Every
//! refusal must be a 4xx JSON answer; nothing may be a 5xx.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use cadre_sim::serve::class::{self, ClassConfig};
use cadre_sim::serve::connections::Limits;

const TRAINER: &str = "0123456789abcdef0123456789abcdef";

fn config() -> ClassConfig {
    ClassConfig {
        scenario: "nominal_tolerance".into(),
        seed: 4,
        timer_s: 60,
        join_url: "http://192.168.1.20:8080/".into(),
        trainer_token: TRAINER.into(),
        // These tests seat a class from this one computer.
        seats_per_address: 400,
        ..ClassConfig::default()
    }
}

async fn start() -> SocketAddr {
    start_with(config()).await
}

async fn start_with(config: ClassConfig) -> SocketAddr {
    class::spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request with extra header lines; the raw body as bytes. A POST says its body is
/// JSON unless the headers give another Content-Type.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    http_from(None, addr, method, path, headers, body).await
}

/// A connection from `from` (any 127.x.y.z address is this computer, as seen from another
/// network address), or from the default address.
async fn connect(from: Option<IpAddr>, addr: SocketAddr) -> std::io::Result<TcpStream> {
    match from {
        None => TcpStream::connect(addr).await,
        Some(ip) => {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await
        }
    }
}

async fn http_from(
    from: Option<IpAddr>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str("Host: localhost\r\n");
    }
    if method == "POST"
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = connect(from, addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head: head.to_string(),
        body: raw[split + 4..].to_vec(),
    }
}

fn bearer() -> String {
    format!("Bearer {TRAINER}")
}

async fn join(addr: SocketAddr, nickname: &str) -> Reply {
    let body = json!({ "nickname": nickname }).to_string();
    http(addr, "POST", "/api/join", &[], body.as_bytes()).await
}

#[tokio::test]
async fn a_round_over_http_with_seats_tokens_and_the_trainers_controls() {
    let addr = start().await;
    let page = http(addr, "GET", "/", &[], b"").await;
    assert_eq!(page.status, 200);
    let qr = http(addr, "GET", "/qr.svg", &[], b"").await;
    assert!(String::from_utf8_lossy(&qr.body).contains("<svg"));

    let hostile = "<script>alert(1)</script>";
    let r = join(addr, &hostile[..24]).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let me = r.json();
    // The nickname is data: kept as typed, shown as text by the pages (never as HTML).
    assert_eq!(me["me"]["nickname"], &hostile[..24]);
    let too_long = join(addr, hostile).await;
    assert_eq!(
        (too_long.status, too_long.json()["kind"].clone()),
        (400, json!("nickname_too_long"))
    );
    let mut tokens = vec![me["token"].as_str().unwrap().to_string()];
    for k in 0..29 {
        let r = join(addr, &format!("student {k}")).await;
        tokens.push(r.json()["token"].as_str().unwrap().to_string());
    }
    assert_eq!(
        join(addr, "STUDENT 3").await.status,
        409,
        "nicknames are unique"
    );

    // The trainer's API needs the token; a student's token is not it.
    let open = br#"{"action":"open"}"#;
    for auth in [
        "",
        "Bearer ",
        "Bearer 0123",
        &format!("Bearer {}", tokens[0]),
    ] {
        let r = http(
            addr,
            "POST",
            "/api/trainer/control",
            &[("Authorization", auth)],
            open,
        )
        .await;
        assert_eq!(r.status, 401, "{auth}");
        assert_eq!(r.json()["kind"], "not_trainer");
    }
    let r = http(
        addr,
        "POST",
        "/api/trainer/control",
        &[("Authorization", &bearer())],
        open,
    )
    .await;
    assert_eq!(r.status, 200);
    let state = r.json();
    assert_eq!(state["phase"], "open");
    assert!(state["opportunities"].as_u64().unwrap() > 0);

    // Each student with an opportunity answers once; a second answer is refused.
    let mut answered = 0;
    for token in &tokens {
        let me = http(addr, "GET", "/api/me", &[("X-Seat-Token", token)], b"")
            .await
            .json();
        assert_eq!(me["round"], 0);
        let kind = me["card"]["kind"].as_str().unwrap().to_string();
        let body = br#"{"round":0,"choice":"reform"}"#;
        let r = http(
            addr,
            "POST",
            "/api/answer",
            &[("X-Seat-Token", token)],
            body,
        )
        .await;
        if kind == "opportunity" {
            assert!(
                r.status == 200 || r.json()["kind"] == "no_round_open",
                "{}",
                r.status
            );
            answered += 1;
            let again = http(
                addr,
                "POST",
                "/api/answer",
                &[("X-Seat-Token", token)],
                body,
            )
            .await;
            assert_eq!(again.status, 409);
            let kind = again.json()["kind"].clone();
            assert!(
                kind == "already_answered" || kind == "no_round_open",
                "{kind}"
            );
        } else {
            assert_eq!(
                (r.status, r.json()["kind"].clone()),
                (409, json!("no_opportunity"))
            );
        }
    }
    assert!(answered > 0);
    // Everyone answered: the round closed and the outcomes are out.
    let state = http(
        addr,
        "GET",
        "/api/trainer/state",
        &[("Authorization", &bearer())],
        b"",
    )
    .await
    .json();
    assert_eq!(state["phase"], "results");
    assert_eq!(state["rounds"][0]["students"]["reforms"], answered);
    let me = http(addr, "GET", "/api/me", &[("X-Seat-Token", &tokens[0])], b"")
        .await
        .json();
    assert!(
        me["outcome"]["events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // A replayed answer for the closed round, a forged token: refused.
    let r = http(
        addr,
        "POST",
        "/api/answer",
        &[("X-Seat-Token", &tokens[0])],
        br#"{"round":0,"choice":"hold"}"#,
    )
    .await;
    assert_eq!(r.status, 409);
    let r = http(
        addr,
        "POST",
        "/api/answer",
        &[("X-Seat-Token", "f".repeat(32).as_str())],
        br#"{"round":1,"choice":"hold"}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (401, json!("unknown_seat"))
    );

    // The regime switch, the debrief, the export.
    let r = http(
        addr,
        "POST",
        "/api/trainer/control",
        &[("Authorization", &bearer())],
        br#"{"action":"regime","regime":"optimized_path"}"#,
    )
    .await;
    assert_eq!(r.json()["regime"], "optimized_path");
    let r = http(
        addr,
        "POST",
        "/api/trainer/control",
        &[("Authorization", &bearer())],
        br#"{"action":"regime","regime":"../../etc/passwd"}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (400, json!("unknown_regime"))
    );
    let d = http(
        addr,
        "GET",
        "/api/trainer/debrief",
        &[("Authorization", &bearer())],
        b"",
    )
    .await
    .json();
    assert_eq!(d["rounds"].as_array().unwrap().len(), 1);
    let csv = http(
        addr,
        "GET",
        "/api/trainer/export.csv",
        &[("Authorization", &bearer())],
        b"",
    )
    .await;
    let csv = String::from_utf8(csv.body).unwrap();
    assert!(csv.starts_with("round,seat,regime,") && !csv.contains("student"));
    let named = http(
        addr,
        "GET",
        "/api/trainer/export.csv?names=1",
        &[("Authorization", &bearer())],
        b"",
    )
    .await;
    let named = String::from_utf8(named.body).unwrap();
    assert!(named.starts_with("round,seat,nickname,") && named.contains(",student "));
}

/// A request: method, path, header lines, body.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], Vec<u8>);

#[tokio::test]
async fn hostile_requests_get_4xx_json_never_5xx() {
    let addr = start().await;
    let token = join(addr, "amy").await.json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let seat = [("X-Seat-Token", token.as_str())];
    let trainer = bearer();
    let auth = [("Authorization", trainer.as_str())];
    let junk: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let cases: Vec<Case> = vec![
        ("POST", "/api/join", &[], b"{not json".to_vec()),
        ("POST", "/api/join", &[], junk.clone()),
        ("POST", "/api/join", &[], vec![b'x'; 10_000]),
        ("POST", "/api/join", &[], br#"{"nickname":5}"#.to_vec()),
        (
            "POST",
            "/api/join",
            &[],
            br#"{"nickname":"a","admin":true}"#.to_vec(),
        ),
        (
            "POST",
            "/api/join",
            &[],
            br#"{"nickname":"\u0000\u202e"}"#.to_vec(),
        ),
        (
            "POST",
            "/api/answer",
            &seat,
            br#"{"round":-1,"choice":"reform"}"#.to_vec(),
        ),
        (
            "POST",
            "/api/answer",
            &seat,
            br#"{"round":0,"choice":"both"}"#.to_vec(),
        ),
        (
            "POST",
            "/api/answer",
            &seat,
            br#"{"round":99999999999,"choice":"hold"}"#.to_vec(),
        ),
        ("POST", "/api/answer", &seat, junk.clone()),
        (
            "POST",
            "/api/answer",
            &[],
            br#"{"round":0,"choice":"hold"}"#.to_vec(),
        ),
        ("GET", "/api/me", &[("X-Seat-Token", "' OR 1=1 --")], vec![]),
        (
            "POST",
            "/api/trainer/control",
            &auth,
            br#"{"action":"timer","seconds":0}"#.to_vec(),
        ),
        (
            "POST",
            "/api/trainer/control",
            &auth,
            br#"{"action":"explode"}"#.to_vec(),
        ),
        (
            "POST",
            "/api/trainer/control",
            &auth,
            br#"{"action":"close"}"#.to_vec(),
        ),
        ("POST", "/api/trainer/control", &auth, junk.clone()),
        ("GET", "/api/trainer/export.csv?names=%00", &auth, vec![]),
        (
            "GET",
            "/api/trainer/state",
            &[("Authorization", "Basic eDp5")],
            vec![],
        ),
        ("DELETE", "/api/join", &[], vec![]),
        ("GET", "/../../etc/passwd", &[], vec![]),
        (
            "GET",
            "/api/nothing",
            &[("Accept-Language", "zh-CN")],
            vec![],
        ),
    ];
    for (method, path, headers, body) in cases {
        let r = http(addr, method, path, headers, &body).await;
        assert!(
            (400..500).contains(&r.status),
            "{method} {path}: {}",
            r.status
        );
        let v = r.json();
        assert!(
            v["kind"].is_string() && v["messages"]["zh"].is_string(),
            "{method} {path}: {v}"
        );
    }
    // A header that is not HTTP at all is refused by the HTTP layer, before the game: 400.
    let r = http(addr, "GET", "/api/me", &[("X-Seat-Token", "\u{7f}")], b"").await;
    assert_eq!(r.status, 400);

    // Rate limit: a seat polling far faster than a phone is slowed with 429.
    let mut limited = false;
    for _ in 0..60 {
        let r = http(addr, "GET", "/api/me", &seat, b"").await;
        if r.status == 429 {
            assert_eq!(r.json()["kind"], "rate_limited");
            limited = true;
            break;
        }
        assert_eq!(r.status, 200);
    }
    assert!(limited, "60 requests in a burst are rate-limited");
}

async fn join_from(from: &str, addr: SocketAddr, nickname: &str) -> Reply {
    let body = json!({ "nickname": nickname }).to_string();
    http_from(
        Some(from.parse().unwrap()),
        addr,
        "POST",
        "/api/join",
        &[],
        body.as_bytes(),
    )
    .await
}

async fn control(addr: SocketAddr, body: Value) -> Reply {
    http(
        addr,
        "POST",
        "/api/trainer/control",
        &[("Authorization", &bearer())],
        body.to_string().as_bytes(),
    )
    .await
}

/// The attacks of a script on one phone: hundreds of empty joins a second, then taking
/// every seat. Refused joins spend nothing; one address gets a few seats; everyone else
/// still joins.
#[tokio::test]
async fn a_script_cannot_jam_joining() {
    let addr = start_with(ClassConfig {
        seats_per_address: class::SEATS_PER_ADDRESS,
        ..config()
    })
    .await;
    for _ in 0..400 {
        let r = join_from("127.0.0.2", addr, "").await;
        assert_eq!(r.json()["kind"], "nickname_empty");
    }
    for k in 0..3 {
        assert_eq!(
            join_from("127.0.0.3", addr, &format!("real {k}"))
                .await
                .status,
            201
        );
    }
    // The script now tries to take every seat: a few, then 429 for it alone.
    let mut seated = 0u32;
    for k in 0..40 {
        let r = join_from("127.0.0.2", addr, &format!("bot{k}")).await;
        match r.status {
            201 => seated += 1,
            429 => assert_eq!(r.json()["kind"], "too_many_seats"),
            other => panic!("{other}"),
        }
    }
    assert_eq!(seated, class::SEATS_PER_ADDRESS);
    assert_eq!(
        join_from("127.0.0.4", addr, "late student").await.status,
        201
    );
    // A join that does not say it is JSON (what any web page can post) is refused.
    let r = http_from(
        Some("127.0.0.5".parse().unwrap()),
        addr,
        "POST",
        "/api/join",
        &[("Content-Type", "text/plain")],
        br#"{"nickname":"forged"}"#,
    )
    .await;
    assert_eq!(r.status, 415);
}

#[tokio::test]
async fn look_alike_and_invisible_nicknames_are_one_name() {
    let addr = start().await;
    assert_eq!(join(addr, "Alice").await.status, 201);
    assert_eq!(join(addr, "Ren\u{e9}").await.status, 201);
    for twin in [
        "\u{410}lice",
        "AIice",
        "Al\u{2060}ice",
        "Al\u{ad}ice",
        "Al\u{34f}ice",
        "Al\u{180e}ice",
        "Al\u{61c}ice",
        "Rene\u{301}",
    ] {
        let r = join(addr, twin).await;
        assert_eq!(
            (r.status, r.json()["kind"].clone()),
            (409, json!("nickname_taken")),
            "{twin:?}"
        );
    }
    let r = join(addr, "Bo\u{200b}b").await.json();
    assert_eq!(r["me"]["nickname"], "Bob");
}

#[tokio::test]
async fn the_trainer_locks_joining_removes_and_renames_seats() {
    let addr = start().await;
    let mut tokens = Vec::new();
    for name in ["ann", "ben", "cat"] {
        tokens.push(
            join(addr, name).await.json()["token"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let r = control(addr, json!({"action": "lock"})).await;
    assert_eq!(r.json()["locked"], true);
    let r = join(addr, "dan").await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (403, json!("joining_locked"))
    );
    control(addr, json!({"action": "unlock"})).await;
    assert_eq!(join(addr, "dan").await.status, 201);

    // Ben is removed: his phone's token no longer acts, his cadre is a bot again.
    let r = control(addr, json!({"action": "remove", "seat": 1})).await;
    assert_eq!(r.status, 200);
    let names: Vec<Value> = r.json()["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["nickname"].clone())
        .collect();
    assert_eq!(names, [json!("ann"), json!("cat"), json!("dan")]);
    let me = http(addr, "GET", "/api/me", &[("X-Seat-Token", &tokens[1])], b"").await;
    assert_eq!(me.status, 401);
    let r = control(addr, json!({"action": "remove", "seat": 1})).await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (404, json!("no_such_seat"))
    );
    // Ben's name is free again; a round plays with three students.
    assert_eq!(join(addr, "ben").await.status, 201);

    let r = control(
        addr,
        json!({"action": "rename", "seat": 0, "nickname": "Anne"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let me = http(addr, "GET", "/api/me", &[("X-Seat-Token", &tokens[0])], b"").await;
    assert_eq!(me.json()["nickname"], "Anne");
    let r = control(
        addr,
        json!({"action": "rename", "seat": 0, "nickname": "CAT"}),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (409, json!("nickname_taken"))
    );
    let r = control(
        addr,
        json!({"action": "rename", "seat": 2, "nickname": "cat"}),
    )
    .await;
    assert_eq!(r.status, 200, "a seat keeps its own name");
    let r = control(addr, json!({"action": "open"})).await;
    assert_eq!(r.json()["phase"], "open");
}

#[tokio::test]
async fn answers_carry_security_headers_and_foreign_hosts_are_refused() {
    let addr = start().await;
    for path in ["/", "/trainer", "/api/text", "/favicon.ico"] {
        let r = http(addr, "GET", path, &[], b"").await;
        assert_eq!(r.status, 200, "{path}");
        let head = r.head.to_ascii_lowercase();
        assert!(
            head.contains("content-security-policy: default-src 'none'"),
            "{head}"
        );
        assert!(head.contains("x-frame-options: deny"), "{head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    }
    for host in [
        "localhost:8080",
        "127.0.0.1",
        "192.168.1.20:8080",
        "[::1]:80",
    ] {
        let r = http(addr, "GET", "/api/text", &[("Host", host)], b"").await;
        assert_eq!(r.status, 200, "{host}");
    }
    // A page whose own name was rebound to this computer's address.
    let r = http(
        addr,
        "GET",
        "/api/trainer/state",
        &[("Host", "evil.example:8080"), ("Authorization", &bearer())],
        b"",
    )
    .await;
    assert_eq!(
        (r.status, r.json()["kind"].clone()),
        (421, json!("wrong_host"))
    );
}

/// Hundreds of connections that send half a request and trickle do not stop a class:
/// under a cap of 64 connections, 300 slow ones come and go while 40 students join and
/// poll, and the slow ones are closed.
#[tokio::test]
async fn slow_connections_do_not_starve_students() {
    let addr = start_with(ClassConfig {
        limits: Limits {
            header: Duration::from_secs(2),
            request: Duration::from_secs(2),
            connections: 64,
        },
        ..config()
    })
    .await;
    let slow_from: IpAddr = "127.0.0.9".parse().unwrap();
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut s = connect(Some(slow_from), addr).await.unwrap();
        s.write_all(b"POST /api/join HTTP/1.1\r\nHost: localhost\r\nX-a: ")
            .await
            .unwrap();
        slow.push(s);
    }
    let t0 = Instant::now();
    let mut students = Vec::new();
    for k in 0..40u8 {
        students.push(tokio::spawn(async move {
            let from = format!("127.0.1.{}", k + 1);
            let r = join_from(&from, addr, &format!("s{k}")).await;
            assert_eq!(r.status, 201);
            let token = r.json()["token"].as_str().unwrap().to_string();
            for _ in 0..3 {
                let me = http(addr, "GET", "/api/me", &[("X-Seat-Token", &token)], b"").await;
                assert_eq!(me.status, 200);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }
    for s in students {
        s.await.unwrap();
    }
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(15), "{took:?}");
    // Every slow connection is closed by now or within the header timeout.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut closed = 0;
    for mut s in slow {
        let mut buf = [0u8; 512];
        let _ = s.write_all(b"b").await;
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => closed += 1,
            Err(_) => {}
        }
    }
    assert_eq!(closed, 300);
}

/// A class game served by the real binary, its output folder `dir`.
struct Server {
    child: std::process::Child,
    addr: SocketAddr,
    token: String,
    printed: String,
}

fn launch(args: &[&str]) -> Server {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cadre-sim"))
        .args([
            "serve",
            "--class",
            "--port",
            "0",
            "--seats-per-address",
            "100",
        ])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while let Some(Ok(line)) = lines.next() {
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line
            .split("http://")
            .nth(1)
            .filter(|_| line.contains("/trainer#"))
        {
            let (host, token) = url.split_once("/trainer#").unwrap();
            let addr = host.parse().unwrap();
            // Keep the pipe open (and drained) while the server runs.
            std::thread::spawn(move || for _ in lines {});
            return Server {
                child,
                addr,
                token: token.trim().to_string(),
                printed,
            };
        }
    }
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start: {printed}{err}");
}

async fn trainer_call(s: &Server, method: &str, path: &str, body: Value) -> Reply {
    let auth = format!("Bearer {}", s.token);
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    http(s.addr, method, path, &[("Authorization", &auth)], &body).await
}

/// Every student with an opportunity among `seats` answers: reform when the odds of success
/// are better than even.
async fn answer_all(s: &Server, tokens: &[String], seats: std::ops::Range<usize>) -> usize {
    let mut answered = 0;
    for token in &tokens[seats] {
        let me = http(s.addr, "GET", "/api/me", &[("X-Seat-Token", token)], b"")
            .await
            .json();
        if me["card"]["kind"] != "opportunity" {
            continue;
        }
        let choice = if me["card"]["p_success"].as_f64().unwrap() > 0.5 {
            "reform"
        } else {
            "hold"
        };
        let body = json!({"round": me["round"], "choice": choice}).to_string();
        let r = http(
            s.addr,
            "POST",
            "/api/answer",
            &[("X-Seat-Token", token)],
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        answered += 1;
    }
    answered
}

/// The class played the same way by `play`, with the server killed and resumed (or not)
/// in the middle of the first quarter: the export and the debrief are the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_with_resume_mid_quarter_loses_nothing() {
    async fn play(dir: &std::path::Path, restart: bool) -> (String, Value, usize) {
        let out = dir.to_str().unwrap();
        let base = [
            "--scenario",
            "nominal_tolerance",
            "--seed",
            "11",
            "--timer",
            "600",
        ];
        let mut s = launch(&[&base[..], &["--out", out][..]].concat());
        let mut tokens = Vec::new();
        for k in 0..24 {
            let r = join(s.addr, &format!("student {k}")).await;
            assert_eq!(r.status, 201);
            tokens.push(r.json()["token"].as_str().unwrap().to_string());
        }
        let r = trainer_call(
            &s,
            "POST",
            "/api/trainer/control",
            json!({"action": "open"}),
        )
        .await;
        assert_eq!(r.json()["phase"], "open");
        let mut answered = answer_all(&s, &tokens, 0..12).await;
        if restart {
            s.child.kill().unwrap();
            s.child.wait().unwrap();
            let token = s.token.clone();
            s = launch(&["--resume", out]);
            assert_eq!(s.token, token, "the same trainer's address");
            assert!(
                s.printed.contains("24 students, 0 rounds played"),
                "{}",
                s.printed
            );
            // Phones reconnect to their seats; the quarter is still open, paused.
            let me = http(
                s.addr,
                "GET",
                "/api/me",
                &[("X-Seat-Token", &tokens[5])],
                b"",
            )
            .await;
            assert_eq!(me.status, 200);
            assert_eq!(me.json()["nickname"], "student 5");
            assert_eq!(me.json()["phase"], "open");
            assert_eq!(me.json()["paused"], true);
        }
        answered += answer_all(&s, &tokens, 12..24).await;
        let state = trainer_call(&s, "GET", "/api/trainer/state", Value::Null)
            .await
            .json();
        if state["phase"] == "open" {
            trainer_call(
                &s,
                "POST",
                "/api/trainer/control",
                json!({"action": "close"}),
            )
            .await;
        }
        // A year passes: the record keeps it, so a resumed class replays it.
        let r = trainer_call(
            &s,
            "POST",
            "/api/trainer/control",
            json!({"action": "pass", "quarters": 4}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        trainer_call(
            &s,
            "POST",
            "/api/trainer/control",
            json!({"action": "regime", "regime": "optimized_path"}),
        )
        .await;
        for _ in 0..2 {
            trainer_call(
                &s,
                "POST",
                "/api/trainer/control",
                json!({"action": "open"}),
            )
            .await;
            answered += answer_all(&s, &tokens, 0..24).await;
            let state = trainer_call(&s, "GET", "/api/trainer/state", Value::Null)
                .await
                .json();
            if state["phase"] == "open" {
                trainer_call(
                    &s,
                    "POST",
                    "/api/trainer/control",
                    json!({"action": "close"}),
                )
                .await;
            }
        }
        if restart {
            // A second restart, after the passed year: the record replays it to the same
            // world (the quarters after it, played from that world, come out the same).
            s.child.kill().unwrap();
            s.child.wait().unwrap();
            s = launch(&["--resume", out]);
            assert!(
                s.printed.contains("24 students, 7 rounds played"),
                "{}",
                s.printed
            );
        }
        let csv = trainer_call(&s, "GET", "/api/trainer/export.csv?names=1", Value::Null).await;
        let debrief = trainer_call(&s, "GET", "/api/trainer/debrief", Value::Null)
            .await
            .json();
        let plain = trainer_call(&s, "GET", "/api/trainer/export.csv", Value::Null).await;
        // The folder has the decisions and the debrief as of the last round.
        let saved = std::fs::read(dir.join("decisions.csv")).unwrap();
        assert_eq!(saved, plain.body);
        let saved: Value =
            serde_json::from_slice(&std::fs::read(dir.join("debrief.json")).unwrap()).unwrap();
        assert_eq!(saved, debrief);
        s.child.kill().unwrap();
        s.child.wait().unwrap();
        (String::from_utf8(csv.body).unwrap(), debrief, answered)
    }
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (csv, debrief, answered) = play(&a.path().join("class"), false).await;
    let (csv2, debrief2, answered2) = play(&b.path().join("class"), true).await;
    assert_eq!(answered, answered2);
    assert!(answered > 10, "{answered}");
    assert_eq!(csv, csv2);
    assert_eq!(debrief, debrief2);
    // Every answer, before and after the restart, is counted.
    assert_eq!(debrief2["answered"], answered);
    assert_eq!(
        csv2.lines().filter(|l| l.contains(",true,")).count(),
        answered
    );
    // One played quarter, a passed year, two played quarters.
    let rounds = debrief2["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 7);
    assert_eq!(
        rounds.iter().filter(|r| r["passed"] == true).count(),
        4,
        "{rounds:?}"
    );

    // The same folder is not started over by accident.
    let out = a.path().join("class");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_cadre-sim"))
        .args([
            "serve",
            "--class",
            "--port",
            "0",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));
}

/// The issue's flood at full size (about 20 s; run it with `cargo test --test class_api --
/// --ignored`): the server runs under `ulimit -n 1024` while 2,000 connections send half a
/// request and trickle (reconnecting when closed), and 300 students, each from an address
/// of its own, join and poll once a second. Every student's request must be answered;
/// the latencies are printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "20 s; the suite runs the small version, slow_connections_do_not_starve_students"]
async fn a_slow_connection_flood_of_2000_under_ulimit_1024_does_not_stop_300_students() {
    // This process holds the flood's 2,000 connections and the students': raise its own
    // descriptor limit (the server's stays at 1024).
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur = l.rlim_max.min(8192);
        libc::setrlimit(libc::RLIMIT_NOFILE, &l);
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "ulimit -n 1024 && exec {} serve --class --port 0 --timer 600 --out {}",
        env!("CARGO_BIN_EXE_cadre-sim"),
        dir.path().join("class").display()
    );
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let addr: SocketAddr = loop {
            let line = lines.next().unwrap().unwrap();
            if let Some(url) = line
                .split("http://")
                .nth(1)
                .filter(|_| line.contains("/trainer#"))
            {
                break url.split_once('/').unwrap().0.parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        addr
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let held = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reconnects = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut flood = Vec::new();
    for _ in 0..2000 {
        let (stop, held, reconnects) = (stop.clone(), held.clone(), reconnects.clone());
        flood.push(tokio::spawn(async move {
            use std::sync::atomic::Ordering::Relaxed;
            while !stop.load(Relaxed) {
                let Ok(mut s) = connect(Some("127.0.0.9".parse().unwrap()), addr).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                if s.write_all(b"POST /api/join HTTP/1.1\r\nHost: localhost\r\n")
                    .await
                    .is_err()
                {
                    continue;
                }
                held.fetch_add(1, Relaxed);
                while !stop.load(Relaxed) && s.write_all(b"X").await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    let mut buf = [0u8; 64];
                    if let Ok(Ok(0)) =
                        tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await
                    {
                        break;
                    }
                }
                held.fetch_sub(1, Relaxed);
                reconnects.fetch_add(1, Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let t0 = Instant::now();
    let mut students = Vec::new();
    for k in 0..300u32 {
        students.push(tokio::spawn(async move {
            let from = format!("127.0.{}.{}", 1 + k / 200, 1 + k % 200);
            let mut latencies = Vec::new();
            let t = Instant::now();
            let r = join_from(&from, addr, &format!("student {k}")).await;
            latencies.push(t.elapsed());
            assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
            let token = r.json()["token"].as_str().unwrap().to_string();
            for _ in 0..5 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let t = Instant::now();
                let me = http_from(
                    Some(from.parse().unwrap()),
                    addr,
                    "GET",
                    "/api/me",
                    &[("X-Seat-Token", &token)],
                    b"",
                )
                .await;
                latencies.push(t.elapsed());
                assert_eq!(me.status, 200);
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for s in students {
        all.extend(s.await.expect("every student's requests are answered"));
    }
    use std::sync::atomic::Ordering::Relaxed;
    let during = held.load(Relaxed);
    stop.store(true, Relaxed);
    all.sort();
    let q = |p: f64| all[((all.len() - 1) as f64 * p) as usize];
    println!(
        "300 students, {} requests in {:.1} s under a flood of 2000 slow connections \
         ({during} held open at the end, {} closed by the server and reopened): latency \
         p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        all.len(),
        t0.elapsed().as_secs_f64(),
        reconnects.load(Relaxed),
        q(0.5),
        q(0.9),
        q(0.99),
        all.last().unwrap()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(all.len(), 1800);
}
