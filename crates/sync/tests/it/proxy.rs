//! A TCP proxy on 127.0.0.1 that plays the network. Up, it forwards to the
//! server; down, it closes every new connection at once and cuts the open
//! ones, as a phone in a basement sees it. Faulty, it picks for each new
//! connection from a seeded source: pass, refuse, delay, or cut the request
//! or the answer after some bytes (mid-body).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use steward_sync::engine::Jitter;
use tokio::io::AsyncReadExt;
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
}

/// A seeded choice of faults; `rate` is the share of faulty connections.
struct Faults {
    jitter: Jitter,
    rate_percent: u64,
}

impl Faults {
    fn pick(&mut self) -> Fault {
        if self.jitter.next_u64() % 100 >= self.rate_percent {
            return Fault::Pass;
        }
        let bytes = 1 + self.jitter.next_u64() % 3000;
        match self.jitter.next_u64() % 4 {
            0 => Fault::Refuse,
            1 => Fault::Delay(Duration::from_millis(1 + self.jitter.next_u64() % 20)),
            2 => Fault::CutRequest(bytes),
            _ => Fault::CutAnswer(bytes),
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

pub struct Proxy {
    addr: SocketAddr,
    link: Arc<watch::Sender<Link>>,
    faults: Arc<Mutex<Option<Faults>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `target`, up and clean at first.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (link, _) = watch::channel(Link { up: true, generation: 0 });
        let link = Arc::new(link);
        let faults: Arc<Mutex<Option<Faults>>> = Arc::new(Mutex::new(None));
        let (state, chooser) = (link.clone(), faults.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let fault = chooser.lock().unwrap().as_mut().map_or(Fault::Pass, Faults::pick);
                let now = *state.borrow();
                if !now.up || fault == Fault::Refuse {
                    drop(client);
                    continue;
                }
                tokio::spawn(forward(client, target, fault, now.generation, state.subscribe()));
            }
        });
        Proxy { addr, link, faults, task }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The network comes and goes.
    pub fn set_up(&self, up: bool) {
        self.link.send_modify(|l| {
            l.up = up;
            l.generation += 1;
        });
    }

    /// Faults on `rate_percent` of new connections, chosen from `seed`; none
    /// with `None`. Open connections are cut, so the next request meets the
    /// new setting.
    pub fn set_faults(&self, faults: Option<(u64, u64)>) {
        *self.faults.lock().unwrap() =
            faults.map(|(seed, rate_percent)| Faults { jitter: Jitter::new(seed), rate_percent });
        self.link.send_modify(|l| l.generation += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
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
    let (client_read, mut client_write) = client.into_split();
    let (server_read, mut server_write) = server.into_split();
    let mut request = client_read.take(request_limit);
    let mut answer = server_read.take(answer_limit);
    // Whichever stream ends first (a cut, or a side closing) ends both.
    tokio::select! {
        _ = tokio::io::copy(&mut request, &mut server_write) => {}
        _ = tokio::io::copy(&mut answer, &mut client_write) => {}
        _ = link.wait_for(|l| !l.up || l.generation != generation) => {}
    }
}
