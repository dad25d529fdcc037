//! The classroom server's API over real HTTP: the server runs on an ephemeral port and a
//! minimal HTTP/1.1 client (a plain tokio TcpStream) checks the page, the run stream and the
//! errors a student's bad request gets.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use cadre_sim::model::simulate;
use cadre_sim::scenario::{Scenario, builtin};
use cadre_sim::serve::{self, MAX_RUNS};

async fn start() -> SocketAddr {
    serve::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A response: status, lower-case headers, and the body with any chunked encoding removed.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

fn request_bytes(method: &str, path: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&request_bytes(method, path, body))
        .await
        .unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers within a minute")
        .unwrap();
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

/// The events of a server-sent-event body: (name, data).
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let mut name = String::new();
            let mut data = String::new();
            for line in e.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                }
            }
            (name, serde_json::from_str(&data).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_description_are_served() {
    let addr = start().await;
    let page = http(addr, "GET", "/", "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().contains("<script src=\"/app.js\">"));
    for (path, kind) in [("/app.js", "text/javascript"), ("/style.css", "text/css")] {
        let r = http(addr, "GET", path, "").await;
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
    }

    let meta = http(addr, "GET", "/api/meta", "").await.json();
    let scenarios = meta["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), builtin::BUILTIN.len());
    let optimized = scenarios
        .iter()
        .find(|s| s["name"] == "optimized_path")
        .unwrap();
    assert_eq!(optimized["values"]["leader_duty"], 0.7);
    assert!(
        optimized["description"]["en"]
            .as_str()
            .unwrap()
            .starts_with("All five")
    );
    assert!(!optimized["description"]["zh"].as_str().unwrap().is_empty());
    let levers: Vec<&str> = meta["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        levers,
        [
            "detect",
            "severity",
            "initiation_base",
            "leader_duty",
            "publish",
            "credibility",
            "sensitivity",
            "specificity",
            "correction_capacity",
            "review_delay",
            "heterogeneity"
        ]
    );
    let detect = &meta["levers"][0];
    assert_eq!(detect["allowed"], "a number in [0, 1]");
    assert_eq!(
        detect["meaning"]["en"],
        "Chance that a failed reform is detected and becomes a case."
    );
    let delay = meta["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "review_delay")
        .unwrap();
    assert_eq!(
        (delay["integer"].as_bool(), delay["step"].as_f64()),
        (Some(true), Some(1.0))
    );
    assert_eq!(meta["statuses"].as_array().unwrap().len(), 6);
    assert_eq!(
        meta["caps"],
        json!({"cadres": 100000, "steps": 1000, "runs": MAX_RUNS, "replicates": 20,
               "work": 100_000_000u64})
    );
    assert_eq!(meta["average_default"], 5);
    assert_eq!(meta["final_window"], 10);
    // Every chart has a title for its value axis, in both languages.
    for chart in meta["charts"].as_array().unwrap() {
        assert!(!chart["axis"]["en"].as_str().unwrap().is_empty(), "{chart}");
        assert!(!chart["axis"]["zh"].as_str().unwrap().is_empty(), "{chart}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_streams_every_step_with_the_engines_metrics_and_statuses() {
    let addr = start().await;
    let body = json!({
        "scenario": "optimized_path",
        "set": {"population.cadres": 1000, "run.steps": 40, "seed": 11, "detect": 0.7}
    })
    .to_string();
    let reply = http(addr, "POST", "/api/run", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    let events = events(&reply.text());
    assert_eq!(events.len(), 42, "start, 40 steps, done");
    assert_eq!(events[0].0, "start");
    assert_eq!(events[0].1["cadres"], 1000);
    assert_eq!(events[0].1["units"], 50);
    assert_eq!(events[0].1["metrics"][0], "initiative");
    assert_eq!(events[41].0, "done");
    assert_eq!(events[41].1["steps"], 40);

    let mut expected = Scenario::load("optimized_path").unwrap();
    expected.regime.detect = 0.7;
    let metrics = simulate(&expected.model_spec(), 40, 11, 0);
    let mut reformed = 0;
    for (t, (name, data)) in events[1..41].iter().enumerate() {
        assert_eq!(name, "step");
        assert_eq!(data["t"], t);
        // The engine's numbers as JSON (NaN, a missing ratio, is null), parsed the same way.
        let want: Value =
            serde_json::from_str(&serde_json::to_string(&metrics[t]).unwrap()).unwrap();
        assert_eq!(data["m"], want, "step {t}");
        let status = data["s"].as_str().unwrap();
        assert_eq!(status.len(), 1000);
        assert!(
            status.bytes().all(|b| (b'0'..=b'5').contains(&b)),
            "{status}"
        );
        reformed += status.bytes().filter(|&b| b == b'1').count();
    }
    assert!(
        reformed > 1000,
        "cadres reform on the optimized path ({reformed})"
    );

    // The same request gives the same steps: the class can rerun a demonstration.
    let again = events_of(addr, &body).await;
    assert_eq!(again[1..41], events[1..41]);
}

async fn events_of(addr: SocketAddr, body: &str) -> Vec<(String, Value)> {
    let reply = http(addr, "POST", "/api/run", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    events(&reply.text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_json_error_naming_parameter_value_and_range() {
    let addr = start().await;
    let check = |body: Value, status: u16, parts: &'static [&'static str]| async move {
        let reply = http(addr, "POST", "/api/run", &body.to_string()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text());
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let error = reply.json();
        let message = error["error"].as_str().unwrap();
        for part in parts {
            assert!(message.contains(part), "{body}: `{message}` lacks `{part}`");
        }
        error
    };

    let e = check(
        json!({"scenario": "nominal_tolerance", "set": {"detcet": 0.5}}),
        400,
        &["unknown parameter `detcet`", "did you mean `detect`"],
    )
    .await;
    assert_eq!(e["parameter"], "detcet");
    let e = check(
        json!({"scenario": "nominal_tolerance", "set": {"regime.severity": -1}}),
        400,
        &["regime.severity", "-1", "a number >= 0"],
    )
    .await;
    assert_eq!(
        (e["parameter"].as_str(), e["value"].as_f64()),
        (Some("regime.severity"), Some(-1.0))
    );
    assert_eq!(e["allowed"], "a number >= 0");
    check(
        json!({"scenario": "nominal_tolerance", "set": {"review_delay": 1.5}}),
        400,
        &["regime.review_delay", "1.5", "an integer >= 0"],
    )
    .await;
    check(
        json!({"scenario": "nominal_tolerance", "set": {"publish": "often"}}),
        400,
        &["regime.publish", "not a number"],
    )
    .await;
    let e = check(
        json!({"scenario": "nominal_tolerance", "set": {"cadres": 100_001}}),
        400,
        &["population.cadres", "100001", "[1, 100000]"],
    )
    .await;
    assert_eq!(e["allowed"], "an integer in [1, 100000]");
    assert_eq!(e["value"], 100_001, "the value as sent");
    check(
        json!({"scenario": "nominal_tolerance", "set": {"steps": 1001}}),
        400,
        &["run.steps", "1001", "[1, 1000]"],
    )
    .await;
    check(
        json!({"scenario": "mechanism_introduced", "set": {"steps": 15}}),
        400,
        &["event at step 20", "beyond the run"],
    )
    .await;
    check(
        json!({"scenario": "strict_accountability", "events": [{"at": 2, "leader_duty": 2}]}),
        400,
        &["events[0]", "regime.leader_duty", "in [0, 1]"],
    )
    .await;
    check(
        json!({"scenario": "/etc/passwd"}),
        400,
        &["unknown scenario", "built-in scenarios only"],
    )
    .await;
    check(
        json!({"scenario": "optimised_path"}),
        400,
        &["did you mean `optimized_path`"],
    )
    .await;
    check(json!({"set": {}}), 400, &["missing field `scenario`"]).await;

    let reply = http(addr, "POST", "/api/run", "{not json").await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a valid run request")
    );
    let reply = http(addr, "GET", "/api/nothing", "").await;
    assert_eq!(reply.status, 404);
    assert!(reply.json()["error"].is_string());
    let reply = http(addr, "GET", "/api/run", "").await;
    assert_eq!(reply.status, 405);
    assert!(reply.json()["error"].as_str().unwrap().contains("POST"));
    let big = format!("{{\"scenario\": \"{}\"}}", "x".repeat(100_000));
    let reply = http(addr, "POST", "/api/run", &big).await;
    assert_eq!(reply.status, 413);
    assert!(reply.json()["error"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_few_runs_compute_at_once() {
    let addr = start().await;
    // Long runs whose streams nobody reads: each holds its slot while it waits for the page.
    let long = json!({"scenario": "nominal_tolerance", "set": {"cadres": 20000, "steps": 1000}})
        .to_string();
    let mut stalled = Vec::new();
    for _ in 0..MAX_RUNS {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(&request_bytes("POST", "/api/run", &long))
            .await
            .unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        stalled.push(stream);
    }
    let small =
        json!({"scenario": "nominal_tolerance", "set": {"cadres": 50, "steps": 2}}).to_string();
    let refused = http(addr, "POST", "/api/run", &small).await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("runs are already computing")
    );
    assert_eq!(refused.json()["kind"], "busy");
    // In Chinese mode the page gets the same refusal in Chinese.
    let small_zh = json!({"scenario": "nominal_tolerance", "set": {"cadres": 50, "steps": 2},
                          "lang": "zh"})
    .to_string();
    let refused = http(addr, "POST", "/api/run", &small_zh).await.json();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("服务器正在同时计算4个运行"),
        "{refused}"
    );

    // When the pages go away, their runs stop and free their slots.
    drop(stalled);
    let mut status = 0;
    for _ in 0..100 {
        status = http(addr, "POST", "/api/run", &small).await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "slots are freed when the pages disconnect");
}

/// An average of N runs: replicate r from the seed's r-th generator, as `cadre-sim run`, so
/// the page's lines are the mean column of `cadre-sim run --replicates N`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_averaged_run_streams_the_mean_and_band_of_its_replicates() {
    let addr = start().await;
    let body = json!({
        "scenario": "o2_top_leader",
        "set": {"cadres": 300, "steps": 12, "seed": 5, "run.replicates": 3}
    })
    .to_string();
    let events = events_of(addr, &body).await;
    assert_eq!(events.len(), 14);
    assert_eq!(events[0].1["replicates"], 3);
    let mut scenario = Scenario::load("o2_top_leader").unwrap();
    scenario.population.cadres = 300;
    scenario.run.steps = 12;
    scenario.run.seed = 5;
    scenario.run.replicates = 3;
    let result = cadre_sim::run::run_scenario(&scenario, &Default::default());
    let series = result.timeseries();
    let as_json =
        |x: f64| -> Value { serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap() };
    for (t, (_, data)) in events[1..13].iter().enumerate() {
        for (i, summary) in series[t].iter().enumerate() {
            assert_eq!(data["m"][i], as_json(summary.mean), "step {t} metric {i}");
            if summary.n > 0 {
                let (lo, hi) = (
                    data["lo"][i].as_f64().unwrap(),
                    data["hi"][i].as_f64().unwrap(),
                );
                assert!(
                    lo <= summary.mean && summary.mean <= hi,
                    "step {t} metric {i}"
                );
            }
        }
    }
    let finals = result.final_window(10);
    assert_eq!(events[13].1["window"], 10);
    for (i, summary) in finals.iter().enumerate() {
        assert_eq!(events[13].1["final"][i], as_json(summary.mean), "final {i}");
    }
    // The same request, the same numbers (all but the time taken).
    assert_eq!(events_of(addr, &body).await[..13], events[..13]);

    // N runs count N times against the cap: 20 x 10 000 cadres x 1 000 steps is refused.
    let big = json!({"scenario": "nominal_tolerance", "lang": "en",
                     "set": {"cadres": 10000, "steps": 1000, "replicates": 20}})
    .to_string();
    let reply = http(addr, "POST", "/api/run", &big).await;
    assert_eq!(reply.status, 400);
    let error = reply.json();
    assert_eq!(error["kind"], "too_much_work");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("20 runs × 10000 cadres × 1000 quarters"),
        "{error}"
    );
    let reply = http(
        addr,
        "POST",
        "/api/run",
        &big.replace("\"replicates\":20", "\"replicates\":21"),
    )
    .await;
    assert_eq!(reply.json()["parameter"], "run.replicates");
}

/// Refusals carry a plain-words message in the request's language, and both languages for a
/// page that switches language while the message is shown; `error` stays exact English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_worded_for_the_class_in_the_pages_language() {
    let addr = start().await;
    let zero = |lang: &str| {
        json!({"scenario": "nominal_tolerance", "set": {"population.cadres": 0}, "lang": lang})
            .to_string()
    };
    let zh = http(addr, "POST", "/api/run", &zero("zh")).await;
    assert_eq!(zh.status, 400);
    let zh = zh.json();
    assert_eq!(zh["kind"], "out_of_range");
    assert_eq!(
        zh["message"],
        "干部数必须是1到100000之间的整数（当前为0）。请修改后再点击“运行”。"
    );
    assert_eq!(
        zh["messages"]["en"],
        "The number of cadres must be a whole number from 1 to 100000 (it is 0). Change it and \
         press Run again."
    );
    assert!(
        zh["error"]
            .as_str()
            .unwrap()
            .contains("`population.cadres` = 0")
    );
    let en = http(addr, "POST", "/api/run", &zero("en")).await.json();
    assert_eq!(en["message"], zh["messages"]["en"]);

    // A lever by its label; a timeline that does not fit; even a malformed request.
    let lever = json!({"scenario": "nominal_tolerance", "set": {"detect": 2}, "lang": "zh"});
    let reply = http(addr, "POST", "/api/run", &lever.to_string())
        .await
        .json();
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .starts_with("“失误被发现的概率”必须是0到1之间的数"),
        "{reply}"
    );
    let short = json!({"scenario": "mechanism_introduced", "set": {"steps": 10}, "lang": "zh"});
    let reply = http(addr, "POST", "/api/run", &short.to_string())
        .await
        .json();
    assert_eq!(reply["kind"], "event_beyond_run");
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains("运行至少需要21个季度"),
        "{reply}"
    );
    let reply = http(
        addr,
        "POST",
        "/api/run",
        r#"{"lang":"zh","scenario":"x","oops":1}"#,
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["kind"], "invalid_request");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("请刷新页面")
    );
}

/// The page's Chinese font comes from the server: the embedded subset, as a web font.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chinese_web_font_is_served() {
    let addr = start().await;
    let css = http(addr, "GET", "/style.css", "").await.text();
    assert!(
        css.contains("url(\"/fonts/cadre-cjk.otf\")"),
        "style.css loads the font"
    );
    let font = http(addr, "GET", "/fonts/cadre-cjk.otf", "").await;
    assert_eq!(font.status, 200);
    assert_eq!(font.header("content-type"), Some("font/otf"));
    assert_eq!(font.body, cadre_sim::plot::fonts::CJK);
}
