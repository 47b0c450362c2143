//! `tauri-driver` as a child process in its own process group, configured
//! so that the app it starts talks to the test's central.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::central::Central;

pub struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// A port free right now on loopback (the driver binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn find_tool(name: &str) -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin").join(name));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name));
    on_path.chain(cargo_bin).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("{name} not found on PATH or in ~/.cargo/bin: scripts/test.sh installs it (cargo install tauri-driver; apt webkit2gtk-driver)")
    })
}

impl Driver {
    /// Starts `tauri-driver`; the app it launches inherits this
    /// environment: its data dir, the demo user whose device it is
    /// (`steward1`, `lead1`, …; `None`: a new, empty device, which the
    /// central fills once someone signs in) and the demo's instant, the
    /// central's address and, standing in for GPS hardware, a fixed location fix.
    pub async fn start(central: &Central, work: &Path, user: Option<&str>, gps: Option<(f64, f64, f64)>) -> Driver {
        let tauri_driver = find_tool("tauri-driver");
        let native = find_tool("WebKitWebDriver");
        let (port, native_port) = (free_port(), free_port());
        let log = work.join("tauri-driver.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(tauri_driver);
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(native)
            .env("HEAT_STEWARD_DATA_DIR", work.join("device"))
            .env("HEAT_STEWARD_DEMO_AS_OF", central.as_of.to_string())
            .env("HEAT_STEWARD_CENTRAL_URL", central.url())
            .env_remove("HEAT_STEWARD_PASSWORD")
            .env_remove("HEAT_STEWARD_SMOKE")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .process_group(0);
        match user {
            Some(user) => command.env("HEAT_STEWARD_DEMO_USER", user),
            None => command.env_remove("HEAT_STEWARD_DEMO_USER"),
        };
        match gps {
            Some((lon, lat, accuracy)) => command.env("HEAT_STEWARD_FAKE_GPS", format!("{lon},{lat},{accuracy}")),
            None => command.env_remove("HEAT_STEWARD_FAKE_GPS"),
        };
        let started = Instant::now();
        let child = command.spawn().expect("start tauri-driver");
        let driver = Driver { child, port, log };
        driver.wait_ready().await;
        println!("e2e: tauri-driver ready in {:.1} s", started.elapsed().as_secs_f64());
        driver
    }

    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = http.get(format!("{}/status", self.url())).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "tauri-driver did not answer within 30 s\n{}", self.diagnostics());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The app binary cargo built for this test run, or
    /// `$HEAT_STEWARD_E2E_APP` (a copy, say, that a parallel build cannot
    /// replace mid-run).
    pub fn application(&self) -> PathBuf {
        std::env::var_os("HEAT_STEWARD_E2E_APP")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_heat-steward")))
    }

    /// The driver's and the app's output, for a failure message.
    pub fn diagnostics(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(60).collect();
        format!(
            "--- tauri-driver and app output (last lines) ---\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }
}

impl Drop for Driver {
    /// Kills the whole group: the driver, WebKitWebDriver and the app.
    fn drop(&mut self) {
        // The child leads its own group (`process_group(0)`), so the group id is its pid.
        if let Some(group) = i32::try_from(self.child.id()).ok().and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.wait();
    }
}
