//! The annotation page in a real browser: headless Chromium, driven over WebDriver
//! (Debian's chromedriver), loads the page, labels 5 texts by keyboard, undoes one and
//! reloads; the label log then holds exactly those answers. Hostile texts on the way must
//! render as text. A screenshot is kept at `target/tmp/annotate-screenshot.png`. Ignored by
//! default, since it needs Chromium and chromedriver; CI installs both.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use stance::annotate::{read_log, Action};

use super::annotate::{agent, corpus, Server};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn chromedriver() -> Option<PathBuf> {
    let candidates = [
        std::env::var("STANCE_CHROMEDRIVER").unwrap_or_default(),
        "/usr/bin/chromedriver".into(),
    ];
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// A chromedriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Driver {
    fn start(driver: &Path, chromium: &Path, profile: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let agent = agent();
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut d = Driver {
            child,
            base,
            session: String::new(),
            agent,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1000,800",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let created = d.call("POST", "/session", Some(caps));
        d.session = created["sessionId"].as_str().unwrap().to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let mut r = match (method, body) {
            ("GET", _) => self.agent.get(&url).call().unwrap(),
            (_, body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string())
                .unwrap(),
        };
        let status = r.status().as_u16();
        let text = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap();
        assert_eq!(status, 200, "{method} {path}: {text}");
        serde_json::from_str::<Value>(&text).unwrap()["value"].clone()
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn key(&self, key: &str) {
        self.call(
            "POST",
            "/actions",
            Some(
                json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                    {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
                ]}]}),
            ),
        );
    }

    /// Waits until the page shows a text with an id other than `not`, and returns that id.
    fn shown_id(&self, not: Option<&str>) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let id = self.script(
                "const c = document.getElementById('card'); \
                 return c && !c.hidden ? document.getElementById('item-id').textContent : '';",
            );
            let id = id.as_str().unwrap_or_default().to_string();
            if !id.is_empty() && Some(id.as_str()) != not && !self.busy() {
                return id;
            }
            assert!(
                Instant::now() < deadline,
                "no new text shown (still {not:?})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn busy(&self) -> bool {
        self.script("return document.querySelector('#buttons button')?.disabled ?? true;")
            .as_bool()
            .unwrap_or(true)
    }

    /// Asserts the text on show is inert: no element came from it, no script of it ran.
    fn assert_inert(&self) {
        let v = self.script(
            "return [document.title, document.querySelectorAll('#text *:not(p):not(span)').length, \
             document.getElementById('text').textContent];",
        );
        assert_eq!(v[0], "stance annotate", "a script from a text ran: {v}");
        assert_eq!(v[1], 0, "a text made elements: {v}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_lines(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .count()
}

fn wait_for_lines(log: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while log_lines(log) < n {
        assert!(
            Instant::now() < deadline,
            "the log has {} lines, want {n}",
            log_lines(log)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs chromium and chromedriver"]
fn label_five_by_keyboard_undo_one_and_reload() {
    let (Some(chromium), Some(driver)) = (super::browser::chromium(), chromedriver()) else {
        panic!("this test needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
    };
    let dir = tempfile::tempdir().unwrap();
    let hostile = [
        json!({"id": "h-script", "text": "<script>document.title='pwned'</script>The Kiev regime shelled Donetsk.", "source": "<b>bold</b>"}),
        json!({"id": "h-img", "text": "<img src=x onerror=\"document.title='pwned'\"> Russia's invasion of Ukraine went on.", "source": "x"}),
        json!({"id": "h-rtl", "text": "\u{202E}כותרת בעברית\u{202C} and e\u{301}\u{302}\u{303}\u{304} marks: talks in Kyiv.", "source": "x"}),
    ];
    let input = corpus(dir.path(), 4, &hostile);
    let log = dir.path().join("labels.jsonl");
    let server = Server::start(
        &input,
        &log,
        &["--keep", "source", "--strategy", "random", "--seed", "3"],
    );
    let browser = Driver::start(&driver, &chromium, &dir.path().join("profile"));
    browser.call("POST", "/url", Some(json!({"url": server.url})));

    let labels = ["russian", "western"];
    let keys = ["1", "2", "1", "2", "1"];
    let mut shown = Vec::new();
    let mut previous: Option<String> = None;
    for (n, key) in keys.iter().enumerate() {
        let id = browser.shown_id(previous.as_deref());
        browser.assert_inert();
        if id.starts_with("h-") {
            let text = browser.script("return document.getElementById('text').textContent;");
            let want = hostile.iter().find(|h| h["id"] == id.as_str()).unwrap()["text"]
                .as_str()
                .unwrap();
            assert_eq!(
                text.as_str().unwrap().replace('\n', ""),
                want,
                "{id} shown as text"
            );
        }
        browser.key(key);
        wait_for_lines(&log, n + 1);
        shown.push(id.clone());
        previous = Some(id);
    }
    let sixth = browser.shown_id(previous.as_deref());
    // Backspace: undo the fifth label; its text comes back.
    browser.key("\u{E003}");
    wait_for_lines(&log, 6);
    let back = browser.shown_id(Some(&sixth));
    assert_eq!(back, shown[4], "the undone text is shown again");
    browser.call("POST", "/refresh", None);
    let after_reload = browser.shown_id(None);
    assert_eq!(
        after_reload, shown[4],
        "after a reload the cookie keeps the session"
    );
    let progress = browser.script("return document.getElementById('progress').textContent;");
    assert!(
        progress.as_str().unwrap().starts_with("4 of 7 labelled"),
        "{progress}"
    );
    // Keep a picture: the guess shown.
    browser.key("g");
    std::thread::sleep(Duration::from_millis(500));
    let png = browser.call("GET", "/screenshot", None);
    let png = base64_decode(png.as_str().unwrap());
    assert!(png.len() > 10_000, "the screenshot is not blank");
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("annotate-screenshot.png"),
        png,
    )
    .unwrap();

    let replay = read_log(&log).unwrap();
    let got: Vec<(String, Action, Option<String>)> = replay
        .records
        .iter()
        .map(|(_, r)| (r.id.clone(), r.action, r.label.clone()))
        .collect();
    let mut want: Vec<(String, Action, Option<String>)> = shown
        .iter()
        .zip(keys)
        .map(|(id, k)| {
            let label = labels[k.parse::<usize>().unwrap() - 1];
            (id.clone(), Action::Label, Some(label.to_string()))
        })
        .collect();
    want.push((shown[4].clone(), Action::Undo, None));
    assert_eq!(got, want);
    let _ = ELEMENT;
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
