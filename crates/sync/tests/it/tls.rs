//! HTTPS to the central: a TLS listener on loopback (rustls, a self-signed
//! certificate made for the test) in front of the real central. A device
//! that trusts the certificate syncs through it; one that does not gets a
//! clear TLS error and leaves its queue as it was.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use steward_store::PendingCounts;
use steward_sync::{HttpTransport, SyncError, Syncer, Transport, TransportError};
use tempfile::tempdir;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

use crate::support::*;

/// A TLS front for the central at `central`: its address and the PEM of
/// its certificate (for 127.0.0.1 and localhost).
async fn tls_front(central: SocketAddr) -> (SocketAddr, String) {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let pem = key.cert.pem();
    let cert = key.cert.der().clone();
    let private = rustls::pki_types::PrivatePkcs8KeyDer::from(key.signing_key.serialize_der());
    let config =
        rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert], private.into()).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the
                // handshake here.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut plain) = TcpStream::connect(central).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (addr, pem)
}

#[tokio::test]
async fn a_device_syncs_with_an_https_central_whose_certificate_it_trusts() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let (front, pem) = tls_front(central.addr).await;
    let base = format!("https://127.0.0.1:{}", front.port());
    let transport = HttpTransport::with_trusted_pem(&base, Duration::from_secs(10), pem.as_bytes()).unwrap();
    let device = open_device(&dir);
    let clock = Arc::new(SkewedClock(SignedDuration::ZERO));
    let mut syncer = Syncer::new(device.clone(), Arc::new(transport), clock, config("steward1"));

    let first = syncer.round().await.unwrap();
    assert!(first.changes > 0 && device.lock().unwrap().stats().unwrap().households > 0, "{first:?}");
    let before = central.visits().await;
    let me = steward("steward1");
    let visits: Vec<_> =
        households_of("steward1", 2).iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);
    let pushed = syncer.round().await.unwrap();
    assert_eq!(pushed.applied, 2, "{pushed:?}");
    assert_eq!(central.visits().await, before + 2);
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), PendingCounts::default());
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_clear_tls_error_and_the_queue_stays() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let (front, _) = tls_front(central.addr).await;
    let base = format!("https://127.0.0.1:{}", front.port());
    // The platform's roots only: the test's certificate is in none of them.
    let transport = HttpTransport::new(&base, Duration::from_secs(10)).unwrap();

    let refused = transport.login(&config("steward1").credentials).await.unwrap_err();
    let TransportError::Tls(message) = &refused else { panic!("not a TLS error: {refused:?}") };
    assert!(message.contains("not trusted"), "{message}");
    assert_eq!(refused.body().code, "tls");

    // A device that synced over plain HTTP on loopback has a visit queued.
    let device = open_device(&dir);
    let clock = Arc::new(SkewedClock(SignedDuration::ZERO));
    let plain = Arc::new(HttpTransport::new(central.base(), Duration::from_secs(10)).unwrap());
    Syncer::new(device.clone(), plain, clock, config("steward1")).round().await.unwrap();
    let me = steward("steward1");
    let h = households_of("steward1", 1);
    record(&device, &[visit(h[0].id, me, 1)]);
    let clock = Arc::new(SkewedClock(SignedDuration::ZERO));
    let mut syncer = Syncer::new(device.clone(), Arc::new(transport), clock, config("steward1"));
    let status = syncer.subscribe();
    let failed = syncer.round().await.unwrap_err();
    assert!(matches!(failed, SyncError::Transport(TransportError::Tls(_))), "{failed:?}");
    assert_eq!(status.borrow().last_error.as_ref().map(|e| e.code.as_str()), Some("tls"));
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), PendingCounts { priority: 0, bulk: 1 });

    // Not a PEM at all: said so, not a panic.
    let bad = HttpTransport::with_trusted_pem(&base, Duration::from_secs(10), b"not a certificate").unwrap_err();
    assert!(matches!(bad, TransportError::Tls(_)), "{bad:?}");
}
