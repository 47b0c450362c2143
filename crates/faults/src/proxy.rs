//! A TCP proxy on 127.0.0.1 that plays the network between a device and the
//! central. Up, it forwards; down, it closes every new connection at once
//! and cuts the open ones, as a phone in a basement sees it. Faulty, it
//! picks for each new connection from a seeded source: pass, refuse, delay,
//! cut the request or the answer after some bytes (mid-body), or send the
//! first request twice (the server sees a duplicate, the device one answer).
//!
//! The server behind it can move (a restarted process on a new port):
//! [`Proxy::set_target`].

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use steward_sync::engine::Jitter;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Closed as soon as accepted.
    Refuse,
    /// Connected after a pause.
    Delay(Duration),
    /// The request stream is cut after this many bytes.
    CutRequest(u64),
    /// The answer stream is cut after this many bytes.
    CutAnswer(u64),
    /// The first request goes to the server twice at once; the device sees
    /// one answer.
    Duplicate,
}

/// A seeded choice of faults; `rate_percent` is the share of faulty connections.
struct Faults {
    jitter: Jitter,
    rate_percent: u64,
}

impl Faults {
    fn pick(&mut self) -> Fault {
        if self.jitter.next_u64() % 100 >= self.rate_percent {
            return Fault::Pass;
        }
        let bytes = 1 + self.jitter.next_u64() % 4000;
        match self.jitter.next_u64() % 5 {
            0 => Fault::Refuse,
            1 => Fault::Delay(Duration::from_millis(1 + self.jitter.next_u64() % 20)),
            2 => Fault::CutRequest(bytes),
            3 => Fault::CutAnswer(bytes),
            _ => Fault::Duplicate,
        }
    }
}

/// Whether the network is up, and a generation that changes to cut every
/// open connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    up: bool,
    generation: u64,
}

/// How many connections met each fault, for the report.
#[derive(Debug, Default)]
pub struct FaultCounts {
    pub connections: AtomicU64,
    pub faulty: AtomicU64,
    pub duplicated: AtomicU64,
}

pub struct Proxy {
    addr: SocketAddr,
    link: Arc<watch::Sender<Link>>,
    faults: Arc<Mutex<Option<Faults>>>,
    target: Arc<Mutex<SocketAddr>>,
    counts: Arc<FaultCounts>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `target`, up and clean at first.
    pub async fn start(target: SocketAddr) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (link, _) = watch::channel(Link { up: true, generation: 0 });
        let link = Arc::new(link);
        let faults: Arc<Mutex<Option<Faults>>> = Arc::new(Mutex::new(None));
        let target = Arc::new(Mutex::new(target));
        let counts = Arc::new(FaultCounts::default());
        let (state, chooser, to, tally) = (link.clone(), faults.clone(), target.clone(), counts.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let fault = lock(&chooser).as_mut().map_or(Fault::Pass, Faults::pick);
                tally.connections.fetch_add(1, Ordering::Relaxed);
                if fault != Fault::Pass {
                    tally.faulty.fetch_add(1, Ordering::Relaxed);
                }
                if fault == Fault::Duplicate {
                    tally.duplicated.fetch_add(1, Ordering::Relaxed);
                }
                let now = *state.borrow();
                if !now.up || fault == Fault::Refuse {
                    drop(client);
                    continue;
                }
                let target = *lock(&to);
                tokio::spawn(forward(client, target, fault, now.generation, state.subscribe()));
            }
        });
        Ok(Proxy { addr, link, faults, target, counts, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counts(&self) -> &FaultCounts {
        &self.counts
    }

    /// The network comes and goes.
    pub fn set_up(&self, up: bool) {
        self.link.send_modify(|l| {
            l.up = up;
            l.generation += 1;
        });
    }

    /// The server moved (restarted on another port).
    pub fn set_target(&self, target: SocketAddr) {
        *lock(&self.target) = target;
        self.link.send_modify(|l| l.generation += 1);
    }

    /// Faults on `rate_percent` of new connections, chosen from `seed`; none
    /// with `None`. Open connections are cut, so the next request meets the
    /// new setting.
    pub fn set_faults(&self, faults: Option<(u64, u64)>) {
        *lock(&self.faults) = faults.map(|(seed, rate_percent)| Faults { jitter: Jitter::new(seed), rate_percent });
        self.link.send_modify(|l| l.generation += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn forward(
    client: TcpStream,
    target: SocketAddr,
    fault: Fault,
    generation: u64,
    mut link: watch::Receiver<Link>,
) {
    if let Fault::Delay(pause) = fault {
        // The pause is the fault injected, not a synchronisation.
        tokio::time::sleep(pause).await;
    }
    let Ok(server) = TcpStream::connect(target).await else { return };
    let (request_limit, answer_limit) = match fault {
        Fault::CutRequest(n) => (n, u64::MAX),
        Fault::CutAnswer(n) => (u64::MAX, n),
        _ => (u64::MAX, u64::MAX),
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (server_read, mut server_write) = server.into_split();
    if fault == Fault::Duplicate {
        // Read the first request whole, send it on a twin connection whose
        // answer nobody reads but the proxy, and on the real one.
        let Some(request) = read_message(&mut client_read).await else { return };
        let Ok(twin) = TcpStream::connect(target).await else { return };
        let copy = request.bytes.clone();
        tokio::spawn(async move {
            let mut twin = twin;
            if twin.write_all(&copy).await.is_ok() {
                let (mut r, _w) = twin.split();
                let guard = Duration::from_secs(30);
                let _ = tokio::time::timeout(guard, read_message(&mut r)).await;
            }
        });
        if server_write.write_all(&request.bytes).await.is_err() {
            return;
        }
        // Bytes of a following request already read go on as they came.
        if server_write.write_all(&request.rest).await.is_err() {
            return;
        }
    }
    let mut request = (&mut client_read).take(request_limit);
    let mut answer = server_read.take(answer_limit);
    // Whichever stream ends first (a cut, or a side closing) ends both.
    tokio::select! {
        _ = tokio::io::copy(&mut request, &mut server_write) => {}
        _ = tokio::io::copy(&mut answer, &mut client_write) => {}
        _ = link.wait_for(|l| !l.up || l.generation != generation) => {}
    }
}

/// One HTTP/1 message read whole (headers and a `Content-Length` body), and
/// any bytes read past it.
struct Message {
    bytes: Vec<u8>,
    rest: Vec<u8>,
}

async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Option<Message> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
                .unwrap_or(Ok(0))
                .ok()?;
            let total = end + 4 + length;
            while buf.len() < total {
                let n = r.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let rest = buf.split_off(total);
            return Some(Message { bytes: buf, rest });
        }
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
