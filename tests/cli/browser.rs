//! The HTML view in a real browser: headless Chromium renders an explanation of an example
//! article; the DOM must hold the highlighted words and the paragraph badges, and the screenshot
//! must not be blank. The screenshot is kept at `target/explain-screenshot.png` for a person to
//! look at. Ignored by default, since it needs Chromium; CI installs Debian's `chromium` and
//! runs it with `cargo test -- --include-ignored`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{repo, stance};

pub(crate) fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("STANCE_CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
    ];
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

pub(crate) fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The DOM that headless Chromium renders from `url`, with a fresh profile in `dir`.
pub(crate) fn rendered_dom(chromium: &Path, dir: &Path, url: &str) -> String {
    let dom = headless(chromium, &dir.join("profile-dom"))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// Screenshots `url` into `shot` in a `window` ("width,height") with a fresh profile in `dir`,
/// and asserts the image is at least `min` (width, height) pixels and not blank.
pub(crate) fn assert_screenshot(
    chromium: &Path,
    dir: &Path,
    url: &str,
    shot: &Path,
    window: &str,
    min: (u32, u32),
) {
    let out = headless(chromium, &dir.join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={window}"))
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let distinct: std::collections::HashSet<&[u8]> =
        pixels.chunks(info.color_type.samples()).collect();
    assert!(info.width >= min.0 && info.height >= min.1);
    assert!(
        distinct.len() > 50,
        "the screenshot is blank: {} distinct colours",
        distinct.len()
    );
}

#[test]
#[ignore = "needs chromium"]
fn explanation_renders_in_headless_chromium() {
    let chromium =
        chromium().expect("this test needs Chromium (/usr/bin/chromium or STANCE_CHROMIUM)");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("explain.html");
    stance()
        .args([
            "explain",
            "--swap",
            "kiev=kyiv",
            "data/articles/mixed-summit-report.txt",
            "--html",
        ])
        .arg(&html)
        .assert()
        .success();
    let url = format!("file://{}", html.display());

    let dom = rendered_dom(&chromium, dir.path(), &url);
    assert!(
        dom.matches("<mark class=\"w\"").count() >= 10,
        "highlighted words in the rendered DOM"
    );
    assert!(
        dom.matches("data-paragraph=").count() >= 5,
        "paragraph badges in the rendered DOM"
    );
    assert!(dom.contains("Top terms toward russian") && dom.contains("Top terms toward western"));

    let shot = repo("target/explain-screenshot.png");
    assert_screenshot(
        &chromium,
        dir.path(),
        &url,
        &shot,
        "1100,1400",
        (1000, 1000),
    );
}
