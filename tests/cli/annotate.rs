//! `stance annotate`: the server as a script and an attacker see it (tokens, Host, bodies,
//! labels), resuming after `kill -9`, 32 clients at once on loopback, and a kill in the middle
//! of that load. The browser test is in `annotate_browser.rs`. Every request goes to 127.0.0.1,
//! bounded in count and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stance::annotate::{read_log, Action};

use crate::common::repo;

/// A running `stance annotate`, killed when dropped.
pub(crate) struct Server {
    pub child: Child,
    pub url: String,
    pub base: String,
    pub port: u16,
    pub token: String,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `stance annotate INPUT --out LOG --port 0 EXTRA...` and reads its URL.
    pub fn start(input: &Path, log: &Path, extra: &[&str]) -> Server {
        // STANCE_BIN measures another build (the release binary) with the same load.
        let bin = std::env::var_os("STANCE_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("stance"));
        let mut child = Command::new(bin)
            .current_dir(repo(""))
            .arg("annotate")
            .arg(input)
            .arg("--out")
            .arg(log)
            .args(["--port", "0", "--annotator", "tester"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            sink.lock().unwrap().push_str(&s);
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "first stdout line is the URL, got {url:?}; stderr: {}",
            stderr.lock().unwrap()
        );
        let (base, token) = url.split_once("/?token=").unwrap();
        let port = base.rsplit_once(':').unwrap().1.parse().unwrap();
        Server {
            child,
            base: base.to_string(),
            url: url.clone(),
            port,
            token: token.to_string(),
            stderr,
        }
    }

    /// `base + path` with the token.
    pub fn api(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{sep}token={}", self.base, self.token)
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    )
}

/// GET: status and body.
pub(crate) fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    let mut r = agent.get(url).call().unwrap();
    let status = r.status().as_u16();
    // Above ureq's 10 MB default: a 5 MB text comes with its paragraphs.
    let body = r.body_mut().with_config().limit(64 << 20).read_to_string();
    (status, body.unwrap())
}

/// POST a JSON body: status and body.
pub(crate) fn post(agent: &ureq::Agent, url: &str, body: &str) -> (u16, String) {
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

/// A raw request with the headers given, for what a client library will not send.
fn raw(port: u16, request: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// `n` short invented texts as JSON Lines, ids `t0..`, plus `extra` records.
pub(crate) fn corpus(dir: &Path, n: usize, extra: &[serde_json::Value]) -> PathBuf {
    let topics = [
        "The ministry said the convoy reached the city after shelling stopped overnight.",
        "Officials in the capital said talks on grain exports would resume next week.",
        "The governor said air defence units were active over the region on Tuesday.",
        "Western governments announced a new package of sanctions against the bank.",
    ];
    let mut lines = String::new();
    for i in 0..n {
        let rec = serde_json::json!({
            "id": format!("t{i}"),
            "text": format!("Report {i}. {}", topics[i % topics.len()]),
            "source": format!("outlet {}", i % 3),
        });
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    for rec in extra {
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

#[test]
fn requests_without_the_token_or_with_a_foreign_host_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5, &[]);
    let server = Server::start(&input, &dir.path().join("labels.jsonl"), &[]);
    let a = agent();
    for path in ["/", "/api/next", "/api/progress", "/app.js"] {
        let (status, _) = get(&a, &format!("{}{path}", server.base));
        assert_eq!(status, 403, "{path} without a token");
        let (status, _) = get(&a, &format!("{}{path}?token=wrong", server.base));
        assert_eq!(status, 403, "{path} with a wrong token");
    }
    let (status, _) = post(
        &a,
        &format!("{}/api/label", server.base),
        r#"{"id":"t0","label":"russian"}"#,
    );
    assert_eq!(status, 403);
    // DNS rebinding: the right token, but the page was reached by another name.
    for host in [
        "evil.example",
        "attacker.localhost.example",
        "127.0.0.1.nip.io",
    ] {
        let reply = raw(
            server.port,
            &format!(
                "GET /api/next?token={} HTTP/1.1\r\nHost: {host}:{}\r\nConnection: close\r\n\r\n",
                server.token, server.port
            ),
        );
        assert!(reply.starts_with("HTTP/1.1 403"), "Host {host}: {reply}");
    }
    let reply = raw(
        server.port,
        &format!(
            "GET /api/progress?token={} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            server.token, server.port
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        !reply.to_ascii_lowercase().contains("access-control-allow"),
        "no CORS header: {reply}"
    );
    // The first load sets the cookie; the cookie alone then opens the API.
    let page = raw(
        server.port,
        &format!(
            "GET /?token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.token, server.port
        ),
    );
    let cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        page.contains("HttpOnly") && page.contains("SameSite=Strict"),
        "{page}"
    );
    let reply = raw(
        server.port,
        &format!(
            "GET /api/progress HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            server.port
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[test]
fn bad_answers_get_400_naming_the_problem_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5, &[]);
    let log = dir.path().join("labels.jsonl");
    let server = Server::start(&input, &log, &["--labels", "russian,western"]);
    let a = agent();
    let label = server.api("/api/label");
    let (status, body) = post(&a, &label, r#"{"id":"t0","label":"martian"}"#);
    assert_eq!(status, 400);
    assert!(
        body.contains("russian, western"),
        "names the allowed labels: {body}"
    );
    let (status, body) = post(&a, &label, r#"{"id":"t0","#);
    assert_eq!(status, 400);
    assert!(body.contains("malformed JSON"), "{body}");
    let (status, _) = post(&a, &label, r#"{"id":"t0","label":"russian","extra":1}"#);
    assert_eq!(status, 400);
    let (status, _) = post(&a, &label, r#"{"id":"nope","label":"russian"}"#);
    assert_eq!(status, 404);
    let r = a
        .post(&label)
        .header("Content-Type", "text/plain")
        .send(r#"{"id":"t0","label":"russian"}"#)
        .unwrap();
    assert_eq!(r.status().as_u16(), 415, "a form post cannot label");
    let (status, _) = get(&a, &label);
    assert_eq!(status, 405, "writes are POSTs");
    let big = format!(r#"{{"id":"{}","label":"russian"}}"#, "x".repeat(100_000));
    let (status, _) = post(&a, &label, &big);
    assert_eq!(status, 413);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "",
        "nothing was written"
    );
}

#[test]
fn answers_are_on_disk_when_acknowledged_and_a_restart_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 6, &[]);
    let log = dir.path().join("labels.jsonl");
    let mut server = Server::start(&input, &log, &["--n", "4"]);
    let a = agent();
    let mut answered = Vec::new();
    for label in ["russian", "western", "russian"] {
        let (status, body) = get(&a, &server.api("/api/next"));
        assert_eq!(status, 200);
        let next: serde_json::Value = serde_json::from_str(&body).unwrap();
        let id = next["id"].as_str().unwrap().to_string();
        assert!(!answered.contains(&id), "{id} shown twice");
        let (status, _) = post(
            &a,
            &server.api("/api/label"),
            &format!(r#"{{"id":"{id}","label":"{label}"}}"#),
        );
        assert_eq!(status, 200);
        // Acknowledged means written: the line is in the file before the next request.
        assert!(std::fs::read_to_string(&log)
            .unwrap()
            .contains(&format!("\"id\":\"{id}\"")));
        answered.push(id);
    }
    let (status, body) = post(&a, &server.api("/api/undo"), "{}");
    assert_eq!(status, 200);
    assert!(body.contains(&answered[2]), "{body}");
    let (_, body) = get(&a, &server.api("/api/next"));
    assert!(
        body.contains(&format!("\"id\":\"{}\"", answered[2])),
        "an undone text comes back first: {body}"
    );
    server.kill();

    let server = Server::start(&input, &log, &["--n", "4"]);
    let (_, progress) = get(&a, &server.api("/api/progress"));
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert_eq!(progress["labelled"], 2);
    assert_eq!(progress["target"], 4);
    for _ in 0..4 {
        let (status, body) = get(&a, &server.api("/api/next"));
        assert_eq!(status, 200);
        let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            !answered[..2].contains(&id),
            "{id} was labelled before the restart"
        );
    }
    let replay = read_log(&log).unwrap();
    let actions: Vec<Action> = replay.records.iter().map(|(_, r)| r.action).collect();
    assert_eq!(
        actions,
        [Action::Label, Action::Label, Action::Label, Action::Undo]
    );
    assert_eq!(replay.standing("tester").labels().len(), 2);
}

#[test]
fn the_queue_ends_at_n_labels_with_204() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 3, &[]);
    let server = Server::start(&input, &dir.path().join("l.jsonl"), &["--n", "1"]);
    let a = agent();
    let (_, body) = get(&a, &server.api("/api/next"));
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = post(
        &a,
        &server.api("/api/label"),
        &format!(r#"{{"id":"{id}","label":"western"}}"#),
    );
    assert_eq!(status, 200);
    let (status, body) = get(&a, &server.api("/api/next"));
    assert_eq!((status, body.as_str()), (204, ""));
}

#[test]
fn hostile_and_huge_texts_are_served_intact_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "Ukraine grain exports talks. ".repeat(5 * 1024 * 1024 / 29);
    let hostile = [
        serde_json::json!({"id": "script", "text": "<script>document.title='pwned'</script> Kyiv said."}),
        serde_json::json!({"id": "rtl", "text": "\u{202E}كييف قالت\u{202C} e\u{301}\u{302}\u{303} Kyiv"}),
        serde_json::json!({"id": "huge", "text": huge}),
    ];
    let input = corpus(dir.path(), 0, &hostile);
    let server = Server::start(
        &input,
        &dir.path().join("l.jsonl"),
        &["--strategy", "random"],
    );
    let a = agent();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (status, body) = get(&a, &server.api("/api/next"));
        assert_eq!(status, 200);
        let next: serde_json::Value = serde_json::from_str(&body).unwrap();
        let id = next["id"].as_str().unwrap();
        let want = hostile.iter().find(|h| h["id"] == id).unwrap()["text"]
            .as_str()
            .unwrap();
        assert_eq!(
            next["text"].as_str().unwrap(),
            want,
            "{id} served as written"
        );
        if id != "huge" {
            let (status, _) = get(&a, &server.api(&format!("/api/guess?id={id}")));
            assert_eq!(status, 200, "{id}: guess");
        }
        seen.push(id.to_string());
    }
    seen.sort();
    assert_eq!(seen, ["huge", "rtl", "script"]);
}

#[test]
fn a_torn_last_line_is_reported_on_restart_and_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 3, &[]);
    let log = dir.path().join("labels.jsonl");
    std::fs::write(
        &log,
        "{\"id\":\"t0\",\"label\":\"russian\",\"action\":\"label\",\"annotator\":\"tester\",\"time\":\"x\",\"model\":\"m\"}\n{\"id\":\"t1\",\"lab",
    )
    .unwrap();
    let server = Server::start(&input, &log, &[]);
    let (_, progress) = get(&agent(), &server.api("/api/progress"));
    assert!(progress.contains("\"labelled\":1"), "{progress}");
    let stderr = Arc::clone(&server.stderr);
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    let kept = std::fs::read_to_string(dir.path().join("labels.jsonl.torn")).unwrap();
    assert!(kept.contains("\"lab"), "{kept}");
    // stderr is read to its end once the process is gone.
    let deadline = Instant::now() + Duration::from_secs(10);
    while stderr.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = stderr.lock().unwrap().clone();
    assert!(
        stderr.contains("labels.jsonl:2: the last line was cut off"),
        "{stderr}"
    );
}

/// 32 clients post 500 labels each; `kill_after` acknowledged labels, the server is killed.
/// Returns every id acknowledged and the answer times.
fn load(
    server: &Server,
    clients: usize,
    each: usize,
    kill_after: Option<usize>,
) -> (Vec<String>, Vec<Duration>) {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let times = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for c in 0..clients {
            let (acked, times, stop) = (Arc::clone(&acked), Arc::clone(&times), Arc::clone(&stop));
            let url = server.api("/api/label");
            scope.spawn(move || {
                let a = agent();
                for j in 0..each {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let id = format!("t{}", c * each + j);
                    let label = if j % 2 == 0 { "russian" } else { "western" };
                    let t = Instant::now();
                    let sent = a
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .send(format!(r#"{{"id":"{id}","label":"{label}"}}"#));
                    match sent {
                        Ok(r) if r.status().as_u16() == 200 => {
                            times.lock().unwrap().push(t.elapsed());
                            acked.lock().unwrap().push(id);
                        }
                        Ok(r) => panic!("{id}: status {}", r.status()),
                        // After the kill, refused connections are expected.
                        Err(e) => {
                            assert!(kill_after.is_some(), "{id}: {e}");
                            return;
                        }
                    }
                }
            });
        }
        if let Some(n) = kill_after {
            let deadline = Instant::now() + Duration::from_secs(120);
            while acked.lock().unwrap().len() < n && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            // SIGKILL in the middle of the load: no chance to flush anything.
            unsafe_free_kill(server.child.id());
            stop.store(true, Ordering::SeqCst);
        }
    });
    let acked = Arc::try_unwrap(acked).unwrap().into_inner().unwrap();
    let times = Arc::try_unwrap(times).unwrap().into_inner().unwrap();
    (acked, times)
}

fn unsafe_free_kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

#[test]
fn thirty_two_clients_lose_and_duplicate_no_label() {
    let dir = tempfile::tempdir().unwrap();
    let (clients, each) = (32, 500);
    let input = corpus(dir.path(), clients * each, &[]);
    let log = dir.path().join("labels.jsonl");
    let server = Server::start(&input, &log, &["--strategy", "random"]);
    let start = Instant::now();
    let (acked, mut times) = load(&server, clients, each, None);
    let wall = start.elapsed();
    assert_eq!(acked.len(), clients * each);
    let replay = read_log(&log).unwrap();
    assert_eq!(replay.records.len(), clients * each, "one line per label");
    let mut ids: Vec<&str> = replay.records.iter().map(|(_, r)| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), clients * each, "no id twice");
    let (p50, p99) = (percentile(&mut times, 0.5), percentile(&mut times, 0.99));
    // Reported, not asserted: timing belongs in benchmarks (benches/README.md has the figures).
    eprintln!(
        "annotate load: {} labels from {clients} clients in {:.2?} ({:.0}/s); answer time p50 {p50:.2?}, p99 {p99:.2?}",
        acked.len(),
        wall,
        acked.len() as f64 / wall.as_secs_f64()
    );
}

#[test]
fn kill_9_during_load_keeps_every_acknowledged_label() {
    let dir = tempfile::tempdir().unwrap();
    let (clients, each) = (32, 500);
    let input = corpus(dir.path(), clients * each, &[]);
    let log = dir.path().join("labels.jsonl");
    let mut server = Server::start(&input, &log, &["--strategy", "random"]);
    let (acked, _) = load(&server, clients, each, Some(3000));
    server.kill();
    assert!(acked.len() >= 3000, "{}", acked.len());
    // The restart cuts off a torn last line if the kill left one; then every acknowledged
    // label is a whole record in the file.
    let server = Server::start(&input, &log, &["--strategy", "random"]);
    let (_, progress) = get(&agent(), &server.api("/api/progress"));
    drop(server);
    let replay = read_log(&log).unwrap();
    let labelled: std::collections::HashSet<&str> = replay
        .records
        .iter()
        .filter(|(_, r)| r.action == Action::Label)
        .map(|(_, r)| r.id.as_str())
        .collect();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !labelled.contains(id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged labels lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert_eq!(
        progress["labelled"].as_u64().unwrap() as usize,
        labelled.len()
    );
}

#[test]
fn report_agreement_gives_kappa_alpha_and_the_disagreements() {
    let dir = tempfile::tempdir().unwrap();
    let a = ["russian"; 6]
        .iter()
        .chain(["western"; 6].iter())
        .copied()
        .collect::<Vec<_>>();
    let mut b = a.clone();
    b[5] = "western";
    b[11] = "russian";
    let mut log = String::new();
    for (who, labels) in [("ann", &a), ("ben", &b)] {
        for (i, label) in labels.iter().enumerate() {
            let rec = serde_json::json!({"id": format!("t{i}"), "label": label, "action": "label",
                "annotator": who, "time": "2026-12-07T00:00:00.000Z", "model": "m",
                "text": format!("text number {i}")});
            log.push_str(&format!("{rec}\n"));
        }
    }
    // An undone answer does not count: ben's last word on t0 stands.
    log.push_str(r#"{"id":"t0","label":"western","action":"label","annotator":"ben","time":"x","model":"m"}"#);
    log.push('\n');
    log.push_str(r#"{"id":"t0","action":"undo","annotator":"ben","time":"x","model":"m"}"#);
    log.push('\n');
    let path = crate::common::write_file(dir.path(), "labels.jsonl", log.as_bytes());
    let json = dir.path().join("agreement.json");
    let out = crate::common::stdout_of(
        crate::common::stance()
            .args(["report", "--agreement"])
            .arg(&path)
            .arg("--json")
            .arg(&json),
    );
    // p_o = 10/12, p_e = 0.5: kappa = 2/3.
    assert!(
        out.contains("ann / ben: 12 texts, agree 83.3%, Cohen's kappa 0.667"),
        "{out}"
    );
    assert!(out.contains("disagreements: 2"), "{out}");
    assert!(
        out.contains("t5\tann=russian ben=western\ttext number 5"),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["items"], 12);
    assert!(v["alpha"].as_f64().unwrap() > 0.6);

    // Under ten shared texts, no figure.
    let few: String = log
        .lines()
        .filter(|l| !l.contains("\"t1"))
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    let few = crate::common::write_file(dir.path(), "few.jsonl", few.as_bytes());
    let out = crate::common::stdout_of(
        crate::common::stance()
            .args(["report", "--agreement"])
            .arg(&few),
    );
    assert!(out.contains("n/a (n="), "{out}");
}

#[test]
fn retrain_adapts_the_model_in_the_background_and_the_log_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 30, &[]);
    let log = dir.path().join("labels.jsonl");
    let server = Server::start(&input, &log, &["--retrain", "8", "--strategy", "random"]);
    let a = agent();
    for i in 0..8 {
        let (_, body) = get(&a, &server.api("/api/next"));
        let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The invented texts alternate topics; label by topic so the sample has a signal.
        let n: usize = id[1..].parse().unwrap();
        let label = if n % 4 < 2 { "russian" } else { "western" };
        let (status, _) = post(
            &a,
            &server.api("/api/label"),
            &format!(r#"{{"id":"{id}","label":"{label}"}}"#),
        );
        assert_eq!(status, 200, "label {i}");
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    let progress = loop {
        let (_, body) = get(&a, &server.api("/api/progress"));
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        if p["retrains"] == 1 || p.get("retrain_error").is_some() {
            break p;
        }
        assert!(Instant::now() < deadline, "no retraining after 300 s: {p}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(progress["retrains"], 1, "{progress}");
    assert!(
        progress["model"]
            .as_str()
            .unwrap()
            .starts_with("adapted-1 sha256:"),
        "{progress}"
    );
    let (_, body) = get(&a, &server.api("/api/next"));
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &a,
        &server.api("/api/label"),
        &format!(r#"{{"id":"{id}","label":"western"}}"#),
    );
    let replay = read_log(&log).unwrap();
    let models: Vec<&str> = replay
        .records
        .iter()
        .map(|(_, r)| r.model.as_str())
        .collect();
    assert!(
        models[..8].iter().all(|m| m.starts_with("default sha256:")),
        "{models:?}"
    );
    assert!(models[8].starts_with("adapted-1 sha256:"), "{models:?}");
}

#[test]
fn the_label_log_cannot_be_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 3, &[]);
    let before = std::fs::read(&input).unwrap();
    let err = crate::common::fails_with(
        crate::common::stance()
            .arg("annotate")
            .arg(&input)
            .arg("--out")
            .arg(&input),
        "answers would be appended to the corpus",
    );
    assert!(err.contains("corpus.jsonl"), "{err}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
}
