//! A small W3C WebDriver client, enough to drive the app through
//! `tauri-driver` (which fronts `WebKitWebDriver` on Linux).
//!
//! Every wait polls a condition against a deadline; nothing sleeps in the
//! hope that the UI caught up.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);

pub type Result<T> = std::result::Result<T, String>;

#[derive(Debug, Clone)]
pub struct Element(String);

pub struct Session {
    http: reqwest::Client,
    url: String,
    /// When the app was started, for the step times printed with each screenshot.
    started: Instant,
}

impl Session {
    /// Starts the app through the driver at `driver` (e.g. `http://127.0.0.1:4444`).
    pub async fn start(driver: &str, application: &Path) -> Result<Session> {
        let started = Instant::now();
        let http = reqwest::Client::new();
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application },
                }
            }
        });
        let created = call(&http, reqwest::Method::POST, &format!("{driver}/session"), Some(capabilities)).await?;
        let id = created["sessionId"].as_str().ok_or_else(|| format!("no sessionId in {created}"))?;
        let session = Session { http, url: format!("{driver}/session/{id}"), started };
        // Element lookups wait up to this long for the element to appear.
        session.cmd(reqwest::Method::POST, "/timeouts", Some(json!({ "implicit": 0, "script": 30_000 }))).await?;
        Ok(session)
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let value = call(&self.http, method, &format!("{}{path}", self.url), body).await?;
        Ok(value)
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let found = self
            .cmd(reqwest::Method::POST, "/elements", Some(json!({ "using": "css selector", "value": css })))
            .await?;
        let list = found.as_array().ok_or_else(|| format!("elements of {css}: {found}"))?;
        list.iter()
            .map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())).ok_or_else(|| format!("bad element {e}")))
            .collect()
    }

    /// The first element matching `css`, waiting for it up to `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        self.poll(&format!("an element {css}"), timeout, || async { Ok(self.find_all(css).await?.into_iter().next()) })
            .await
    }

    /// Polls `probe` until it yields `Some`, or fails after `timeout`
    /// naming `what`. Errors from the probe end the wait at once, except a
    /// stale element: the screen re-rendered under the probe (WebKitWebDriver
    /// reports that even from a plain lookup when a matched node is replaced
    /// between its query and its handle), so the probe runs again.
    pub async fn poll<T, F, Fut>(&self, what: &str, timeout: Duration, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            match probe().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(e) if is_stale(&e) => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the text of the first `css` element satisfies `accept`; returns that text.
    pub async fn wait_text(&self, css: &str, timeout: Duration, accept: impl Fn(&str) -> bool) -> Result<String> {
        let last = std::cell::RefCell::new(None::<String>);
        let outcome = self
            .poll(&format!("the text of {css}"), timeout, || async {
                let Some(element) = self.find_all(css).await?.into_iter().next() else { return Ok(None) };
                let text = self.text(&element).await?;
                if accept(&text) {
                    return Ok(Some(text));
                }
                *last.borrow_mut() = Some(text);
                Ok(None)
            })
            .await;
        outcome.map_err(|e| format!("{e} (last: {:?})", last.borrow()))
    }

    /// Clicks `element` as a finger would: scrolled to the middle of the
    /// screen first, clear of the sticky header and the fixed tab bar.
    pub async fn click(&self, element: &Element) -> Result<()> {
        self.execute(
            "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
            json!([{ ELEMENT_KEY: element.0 }]),
        )
        .await?;
        self.cmd(reqwest::Method::POST, &format!("/element/{}/click", element.0), Some(json!({}))).await?;
        Ok(())
    }

    /// Clicks the first `css` element once it exists; looks it up again if
    /// the screen replaced it between the lookup and the click.
    pub async fn click_on(&self, css: &str, timeout: Duration) -> Result<()> {
        self.poll(&format!("a click on {css}"), timeout, || async {
            let Some(element) = self.find_all(css).await?.into_iter().next() else { return Ok(None) };
            self.click(&element).await.map(Some)
        })
        .await
    }

    pub async fn clear(&self, element: &Element) -> Result<()> {
        self.cmd(reqwest::Method::POST, &format!("/element/{}/clear", element.0), Some(json!({}))).await?;
        Ok(())
    }

    pub async fn type_into(&self, element: &Element, text: &str) -> Result<()> {
        self.cmd(reqwest::Method::POST, &format!("/element/{}/value", element.0), Some(json!({ "text": text })))
            .await?;
        Ok(())
    }

    /// Replaces the value of the first `css` input once it exists; starts
    /// again on a fresh lookup if the screen replaced the input meanwhile.
    pub async fn fill(&self, css: &str, text: &str, timeout: Duration) -> Result<()> {
        self.poll(&format!("typing into {css}"), timeout, || async {
            let Some(element) = self.find_all(css).await?.into_iter().next() else { return Ok(None) };
            self.clear(&element).await?;
            self.type_into(&element, text).await.map(Some)
        })
        .await
    }

    pub async fn text(&self, element: &Element) -> Result<String> {
        let value = self.cmd(reqwest::Method::GET, &format!("/element/{}/text", element.0), None).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    pub async fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>> {
        let value = self.cmd(reqwest::Method::GET, &format!("/element/{}/attribute/{name}", element.0), None).await?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": args }))).await
    }

    /// Runs `script` asynchronously: it ends by calling the callback passed
    /// as its last argument, whose argument is returned.
    pub async fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        self.cmd(reqwest::Method::POST, "/execute/async", Some(json!({ "script": script, "args": args }))).await
    }

    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd(reqwest::Method::POST, "/window/rect", Some(json!({ "width": width, "height": height }))).await?;
        Ok(())
    }

    /// Saves a PNG of the window to `path`, printing the time since the app
    /// started (the steps' times, for a slow or failed run).
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("e2e: {name} at {:.1} s", self.started.elapsed().as_secs_f64());
        let value = self.cmd(reqwest::Method::GET, "/screenshot", None).await?;
        let encoded = value.as_str().ok_or_else(|| format!("screenshot is not a string: {value}"))?;
        let png = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("write {}: {e}", path.display()))
    }

    /// Ends the session, which closes the app.
    pub async fn quit(&self) -> Result<()> {
        let asked = Instant::now();
        self.cmd(reqwest::Method::DELETE, "", None).await?;
        println!(
            "e2e: app closed at {:.1} s, in {:.1} s",
            self.started.elapsed().as_secs_f64(),
            asked.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

/// Whether a driver error says an element went out of the document.
fn is_stale(error: &str) -> bool {
    error.contains("stale element")
}

async fn call(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> Result<Value> {
    let mut request = http.request(method.clone(), url).timeout(Duration::from_secs(120));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let json: Value = response.json().await.map_err(|e| format!("{method} {url}: {status}, not JSON: {e}"))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{method} {url}: {status}: {} — {}", value["error"], value["message"]));
    }
    Ok(value)
}
