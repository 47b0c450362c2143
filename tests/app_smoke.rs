//! Starts the real `heat-steward` binary in a real window and proves that the
//! webview loaded the UI and that the UI reached Rust over IPC.
//!
//! With `HEAT_STEWARD_SMOKE=1` the UI renders its first screen, then calls the
//! `smoke_ready` command; the app prints `SMOKE-READY {json}` and exits 0 (see
//! `src-tauri/smoke.rs`). This test blocks on the app's stdout for that line,
//! with an overall timeout after which it kills the app.
//!
//! It needs a display: `scripts/test.sh` runs `cargo test` under `xvfb-run -a`
//! when `DISPLAY` is unset.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use heat_steward_lib::smoke;
use serde_json::Value;

/// A cold start under Xvfb takes a few seconds; this only bounds a hang.
const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn app_window_loads_the_ui_and_the_ui_reaches_rust() {
    let has_display =
        ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
    assert!(
        has_display,
        "DISPLAY is not set: this test opens a real window. Run it under a virtual display, \
         e.g. `xvfb-run -a cargo test --test app_smoke`, or run `bash scripts/test.sh`, which does that."
    );

    let data_dir = tempfile::tempdir().expect("create a temporary data dir");
    let mut app = App::spawn(data_dir.path());
    let deadline = Instant::now() + TIMEOUT;

    let json = app.wait_for_ready_line(deadline);
    let status = app.wait_for_exit(deadline);
    assert!(status.success(), "the app printed SMOKE-READY but exited with {status}\n{}", app.diagnostics());

    let report: Value = serde_json::from_str(&json)
        .unwrap_or_else(|error| panic!("SMOKE-READY is not followed by JSON ({error}): {json}"));
    println!("smoke report: {report}");

    assert_eq!(report["ui_error"], Value::Null, "the UI failed to start: {report}");
    let title = report["title"].as_str().expect("report.title is a string");
    assert!(title.contains("供暖管家"), "the rendered title is {title:?}, expected it to contain 供暖管家");
    assert_eq!(report["locale"], "zh-CN", "a smoke run starts in zh-CN: {report}");
    let rendered = report["households_rendered"].as_u64().expect("report.households_rendered is a number");
    assert_eq!(report["search_ok"], true, "the first household search failed: {report}");
    // The demo steward's device starts with their district's households, and
    // the first screen lists them from the real store.
    assert!(rendered > 0, "the first screen rendered no households: {report}");
    // The app's own process keeps Mesa out (it only copies the web
    // process's pixels to the window); the web process still loads it.
    assert_eq!(report["gl_driver_in_app_process"], false, "a GL driver is mapped into the app's process: {report}");
}

/// The app under test; killed on drop, so a failing assertion leaves no window behind.
struct App {
    child: Child,
    stdout: Receiver<Option<String>>,
    stdout_seen: Vec<String>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl App {
    fn spawn(data_dir: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heat-steward"))
            .env(smoke::ENV_VAR, "1")
            .env("HEAT_STEWARD_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the heat-steward binary");

        // One thread forwards stdout line by line (`None` at end of file);
        // another collects stderr for the failure message.
        let (sender, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout is piped");
        thread::spawn(move || {
            for line in lines(out) {
                if sender.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = sender.send(None);
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in lines(err) {
                sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(line);
            }
        });

        App { child, stdout, stdout_seen: Vec::new(), stderr }
    }

    /// Blocks until the app prints `SMOKE-READY {json}`, and returns the JSON.
    fn wait_for_ready_line(&mut self, deadline: Instant) -> String {
        loop {
            match self.next_line(deadline) {
                Ok(line) => match line.strip_prefix(smoke::READY_PREFIX) {
                    Some(json) => return json.trim().to_owned(),
                    None => self.stdout_seen.push(line),
                },
                Err(Ended::Eof) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                    panic!("the app exited ({status}) without printing SMOKE-READY\n{}", self.diagnostics());
                }
                Err(Ended::Timeout) => {
                    panic!("no SMOKE-READY line within {} s\n{}", TIMEOUT.as_secs(), self.diagnostics())
                }
            }
        }
    }

    /// Blocks until the app has closed its stdout and exited.
    fn wait_for_exit(&mut self, deadline: Instant) -> ExitStatus {
        loop {
            match self.next_line(deadline) {
                Ok(line) => self.stdout_seen.push(line),
                Err(Ended::Eof) => return self.child.wait().expect("wait for the app"),
                Err(Ended::Timeout) => {
                    panic!(
                        "the app did not exit after SMOKE-READY within {} s\n{}",
                        TIMEOUT.as_secs(),
                        self.diagnostics()
                    )
                }
            }
        }
    }

    fn next_line(&mut self, deadline: Instant) -> Result<String, Ended> {
        match self.stdout.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Some(line)) => Ok(line),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => Err(Ended::Eof),
            Err(RecvTimeoutError::Timeout) => Err(Ended::Timeout),
        }
    }

    fn diagnostics(&self) -> String {
        let stderr = self.stderr.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        format!("--- app stdout ---\n{}\n--- app stderr ---\n{}", self.stdout_seen.join("\n"), stderr.join("\n"))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

enum Ended {
    Eof,
    Timeout,
}

/// The lines of a pipe, decoded leniently: a stray non-UTF-8 byte from a
/// library must not hide the line the test waits for.
fn lines(pipe: impl Read) -> impl Iterator<Item = String> {
    let mut reader = BufReader::new(pipe);
    std::iter::from_fn(move || {
        let mut buffer = Vec::new();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(String::from_utf8_lossy(&buffer).trim_end_matches(['\r', '\n']).to_owned()),
        }
    })
}
