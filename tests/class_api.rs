//! The class game's API over real HTTP (`serve --class`): a minimal HTTP/1.1 client on a
//! tokio TcpStream joins students, plays a round as the trainer, and sends what a hostile
//! phone might: forged and replayed requests, markup in nicknames, malformed bodies. Every
//! refusal must be a 4xx JSON answer; nothing may be a 5xx.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use cadre_sim::serve::class::{self, ClassConfig};

const TRAINER: &str = "0123456789abcdef0123456789abcdef";

async fn start() -> SocketAddr {
    let config = ClassConfig {
        scenario: "nominal_tolerance".into(),
        seed: 4,
        timer_s: 60,
        join_url: "http://192.168.1.20:8080/".into(),
        trainer_token: TRAINER.into(),
    };
    class::spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request with extra header lines; the raw body as bytes.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.unwrap();
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
