//! A training run interrupted by SIGINT or SIGTERM at any point leaves the previous model file
//! byte-identical and no temporary file behind, and ends by the signal (non-zero).

use crate::common;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The files in `dir` whose names mark them as temporary outputs.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} {}", child.id()))
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits for `child` to end, killing it (and failing) after 30 s.
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stance did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// When to send the signal, counted from the start or from the moment the temporary output
/// file exists (training proper has begun).
#[derive(Debug, Clone, Copy)]
enum Moment {
    AtStart,
    AfterOpening(Duration),
}

fn interrupt_training(signal: &str, number: i32) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("invented.jsonl");
    // Seconds of training even in a release build (calibration trains six models), tens of
    // seconds in a debug build; every run is cut short well before.
    common::invented_corpus(&data, 12000, 1);
    let model = dir.path().join("model.json");
    let previous = b"{\"the previous model\": true}\n";
    std::fs::write(&model, previous).unwrap();
    let moments = [
        Moment::AtStart,
        Moment::AfterOpening(Duration::ZERO),
        Moment::AfterOpening(Duration::from_millis(300)),
        Moment::AfterOpening(Duration::from_millis(1500)),
    ];
    for moment in moments {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(["train", "-q", "--min-df", "1", "--calibrate", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&model)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Moment::AfterOpening(delay) = moment {
            let deadline = Instant::now() + Duration::from_secs(30);
            while temp_files(dir.path()).is_empty() {
                assert!(Instant::now() < deadline, "no temporary output appeared");
                std::thread::sleep(Duration::from_millis(2));
            }
            std::thread::sleep(delay);
            assert!(
                child.try_wait().unwrap().is_none(),
                "training ended before the signal at {moment:?}: make the corpus bigger"
            );
        }
        send(&child, signal);
        if let Moment::AtStart = moment {
            // A signal that lands before the handlers are installed meets the disposition
            // inherited from the test runner, which may be "ignore" (a background job); then
            // the run goes on, and a second signal must still end it cleanly.
            std::thread::sleep(Duration::from_secs(2));
            if child.try_wait().unwrap().is_none() {
                send(&child, signal);
            }
        }
        let status = wait(&mut child);
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(!status.success(), "{moment:?}: {status:?}");
        assert!(
            status.signal() == Some(number) || status.code() == Some(128 + number),
            "{moment:?}: ended by {status:?}, not by SIG{signal}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            std::fs::read(&model).unwrap(),
            previous,
            "{moment:?}: the previous model changed"
        );
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{moment:?}");
    }
}

#[test]
fn sigint_leaves_the_previous_model_and_no_temporary_file() {
    interrupt_training("INT", 2);
}

#[test]
fn sigterm_leaves_the_previous_model_and_no_temporary_file() {
    interrupt_training("TERM", 15);
}
