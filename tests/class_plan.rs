//! The 45-minute session plan of docs/classroom.md, played by a scripted class over HTTP
//! with the default settings (`serve --class`: strict accountability, seed 20230401): 28
//! students join; 6 quarters under strict accountability; the switch to "All paths O1–O5";
//! 2 quarters; two years pass; 2 quarters; two years pass; 2 quarters; the debrief. The
//! students answer as people roughly do: by the model's choice rule with the card's numbers
//! and a loss aversion of their own, drawn from a seeded generator.
//!
//! It checks what the plan tells the trainer the class will see: by the end, mean belief is
//! above its value at the switch, and the debrief's projection puts initiative under the
//! regime the class switched to above the strict regime's, with intervals that do not
//! overlap. The figures it prints are the ones docs/classroom.md quotes.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use cadre_sim::serve::class::{self, ClassConfig};

const TRAINER: &str = "fedcba9876543210fedcba9876543210";

/// One request; the JSON answer (status checked). A seat that asks faster than the
/// server's per-seat rate gets 429 and, like a phone, waits a moment and asks again.
async fn http(addr: SocketAddr, method: &str, path: &str, auth: &str, body: &Value) -> Value {
    for _ in 0..100 {
        let (status, text) = request(addr, method, path, auth, body).await;
        if status == 429 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        assert!(status < 300, "{method} {path}: {status} {text}");
        return serde_json::from_str(&text).unwrap_or(Value::String(text));
    }
    panic!("{method} {path}: still rate-limited after 25 s");
}

/// One request: its status and body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: &str,
    body: &Value,
) -> (u16, String) {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{auth}\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers")
        .unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status: u16 = std::str::from_utf8(&raw[..split])
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    (status, String::from_utf8_lossy(&raw[split + 4..]).to_string())
}

fn trainer_auth() -> String {
    format!("Authorization: Bearer {TRAINER}\r\n")
}

async fn control(addr: SocketAddr, body: Value) -> Value {
    http(addr, "POST", "/api/trainer/control", &trainer_auth(), &body).await
}

/// A small seeded generator (SplitMix64) for the students' choices.
struct Dice(u64);
impl Dice {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A student's choice on a card: the model's logit rule with the card's numbers, the
/// student's own loss aversion and the model's temperature (0.25).
fn choose(card: &Value, loss_aversion: f64, dice: &mut Dice) -> bool {
    let p = card["p_success"].as_f64().unwrap();
    let s = &card["stakes"];
    let f = |k: &str| s[k].as_f64().unwrap();
    let belief = card["belief"].as_f64().unwrap();
    let gain = p * f("reward");
    let loss = (1.0 - p) * f("detect") * f("severity") * (1.0 - belief)
        - f("inaction_detect") * f("inaction_penalty");
    let u = (gain - loss_aversion * loss) / 0.25;
    dice.next() < 1.0 / (1.0 + (-u).exp())
}

/// One played quarter: the trainer opens it, every phone reads its card and answers.
async fn play(addr: SocketAddr, seats: &[(String, f64)], dice: &mut Dice) {
    let state = control(addr, json!({ "action": "open" })).await;
    let round = state["round"].as_u64().unwrap();
    for (token, lambda) in seats {
        let auth = format!("X-Seat-Token: {token}\r\n");
        let me = http(addr, "GET", "/api/me", &auth, &Value::Null).await;
        if me["phase"] != "open" {
            break; // everyone has answered: the round closed itself
        }
        let card = &me["card"];
        if card["kind"] == "opportunity" {
            let choice = if choose(card, *lambda, dice) {
                "reform"
            } else {
                "hold"
            };
            let body = json!({ "round": round, "choice": choice });
            http(addr, "POST", "/api/answer", &auth, &body).await;
        }
    }
    let state = http(
        addr,
        "GET",
        "/api/trainer/state",
        &trainer_auth(),
        &Value::Null,
    )
    .await;
    assert_ne!(state["phase"], "open", "the last answer closes the quarter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_session_plan_shows_the_effect() {
    let config = ClassConfig {
        scenario: "strict_accountability".into(),
        seed: 20230401,
        timer_s: 45,
        join_url: "http://192.168.1.20:8080/".into(),
        trainer_token: TRAINER.into(),
    };
    let addr = class::spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    let mut dice = Dice(7);
    let mut seats = Vec::new();
    for k in 0..28 {
        let me = http(
            addr,
            "POST",
            "/api/join",
            "",
            &json!({ "nickname": format!("s{k}") }),
        )
        .await;
        // Loss aversion around the model's 2.0, as a class's spread of people.
        let lambda = 2.0 * (0.5 * (dice.next() - 0.5)).exp();
        seats.push((me["token"].as_str().unwrap().to_string(), lambda));
    }
    // 7–19 min: six quarters under strict accountability.
    for _ in 0..6 {
        play(addr, &seats, &mut dice).await;
    }
    // 19–21 min: the switch.
    control(
        addr,
        json!({ "action": "regime", "regime": "optimized_path" }),
    )
    .await;
    // 21–35 min: two quarters, two years pass, two quarters, two years pass, two quarters.
    for _ in 0..2 {
        play(addr, &seats, &mut dice).await;
    }
    for _ in 0..2 {
        control(addr, json!({ "action": "pass" })).await;
    }
    for _ in 0..2 {
        play(addr, &seats, &mut dice).await;
    }
    for _ in 0..2 {
        control(addr, json!({ "action": "pass" })).await;
    }
    for _ in 0..2 {
        play(addr, &seats, &mut dice).await;
    }
    // 35–45 min: the debrief.
    let state = http(
        addr,
        "GET",
        "/api/trainer/state",
        &trainer_auth(),
        &Value::Null,
    )
    .await;
    let rounds = state["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 28);
    assert_eq!(rounds.iter().filter(|r| r["passed"] == true).count(), 16);
    let p = http(
        addr,
        "GET",
        "/api/trainer/projection",
        &trainer_auth(),
        &Value::Null,
    )
    .await;
    let f = |v: &Value| v.as_f64().unwrap();
    let line = |k: &str| -> Vec<String> {
        rounds
            .iter()
            .map(|r| format!("{:.3}", f(&r[k])))
            .collect::<Vec<_>>()
    };
    println!(
        "world initiative by quarter: {}",
        line("initiative").join(" ")
    );
    println!("world mean belief by quarter: {}", line("belief").join(" "));
    let (e, s) = (
        &p["ended"]["final_initiative"],
        &p["started"]["final_initiative"],
    );
    let (eb, sb) = (&p["ended"]["final_belief"], &p["started"]["final_belief"]);
    println!(
        "switch at quarter {}: mean belief {:.3}; at the end (quarter {}): {:.3}; initiative \
         over the last year {:.3}",
        f(&p["switched_at"]) + 1.0,
        f(&p["switch_belief"]),
        rounds.len(),
        f(&p["now_belief"]),
        f(&p["now_initiative"])
    );
    for (name, x, b) in [("optimized_path", e, eb), ("strict_accountability", s, sb)] {
        println!(
            "projection, {name}, quarters {}-{} (last 10 of 40, {} runs): initiative {:.3} \
             [{:.3}, {:.3}], mean belief {:.3} [{:.3}, {:.3}]",
            rounds.len() + 31,
            rounds.len() + 40,
            p["runs"],
            f(&x["mean"]),
            f(&x["ci_low"]),
            f(&x["ci_high"]),
            f(&b["mean"]),
            f(&b["ci_low"]),
            f(&b["ci_high"]),
        );
    }
    println!("en: {}", p["sentence"]["en"].as_str().unwrap());
    println!("zh: {}", p["sentence"]["zh"].as_str().unwrap());

    assert_eq!(p["ended"]["regime"], "optimized_path");
    assert_eq!(p["started"]["regime"], "strict_accountability");
    assert_eq!(f(&p["switched_at"]), 6.0);
    assert!(
        f(&p["now_belief"]) > f(&p["switch_belief"]),
        "by the end of the plan, mean belief is above its value at the switch"
    );
    assert!(
        f(&e["ci_low"]) > f(&s["ci_high"]),
        "the optimized continuation's initiative is above the strict one's, intervals apart"
    );
    // The export carries the projection: the class's quarters, then both continuations.
    let csv = http(
        addr,
        "GET",
        "/api/trainer/projection.csv",
        &trainer_auth(),
        &Value::Null,
    )
    .await;
    let csv = csv.as_str().unwrap();
    assert_eq!(csv.lines().count(), 1 + 28 + 2 * 40);
    assert!(csv.contains("\nended,optimized_path,68,"));
}
