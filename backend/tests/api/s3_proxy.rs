//! A small TCP proxy between Reel and a local S3 server that injects the faults S3 and
//! networks have: connections refused, reset part way through a body, stalled, answered with
//! an error (500, SlowDown, or a 200 whose body is an `<Error>`), or forwarded and then never
//! answered (to kill the server after S3 stored a part but before Reel recorded it).
//!
//! Every forwarded request gets `Connection: close`, so each request arrives on a connection
//! of its own and every one passes the rules.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do with a request that matches.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Close the connection without answering.
    Refuse,
    /// Forward the head and this many body bytes, then cut both connections.
    ResetAfter(usize),
    /// Read the request and never answer.
    Stall,
    /// Answer with this status and body instead of S3.
    Respond(u16, &'static str),
    /// Forward the request, and never pass S3's answer back.
    SwallowAnswer,
}

#[derive(Debug)]
struct Rule {
    /// Matches when the request line contains every one of these.
    needles: Vec<&'static str>,
    fault: Fault,
    times: usize,
}

/// A running proxy.
pub struct Proxy {
    /// Its URL, to use as `REEL_S3_ENDPOINT`.
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    /// Requests that matched a rule, in all.
    pub hits: Arc<AtomicUsize>,
    /// Requests whose line contained `watch`, in all (see [`Proxy::watch`]).
    pub seen: Arc<AtomicUsize>,
    /// Requests S3 answered whose answer a [`Fault::SwallowAnswer`] kept back.
    pub swallowed: Arc<AtomicUsize>,
    watch: Arc<Mutex<Option<&'static str>>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> Self {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(AtomicUsize::new(0));
        let watch: Arc<Mutex<Option<&'static str>>> = Arc::default();
        let swallowed = Arc::new(AtomicUsize::new(0));
        let counters = Counters {
            hits: hits.clone(),
            seen: seen.clone(),
            swallowed: swallowed.clone(),
        };
        let shared = (rules.clone(), watch.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (rules, watch) = shared.clone();
                let (upstream, counters) = (upstream.clone(), counters.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, &rules, &counters, &watch);
                });
            }
        });
        Self {
            url,
            rules,
            hits,
            seen,
            swallowed,
            watch,
        }
    }

    /// Applies `fault` to the next `times` requests whose request line contains all of
    /// `needles` (e.g. `["PUT", "partNumber=2"]`).
    pub fn inject(&self, needles: &[&'static str], fault: Fault, times: usize) {
        self.rules.lock().expect("rules").push(Rule {
            needles: needles.to_vec(),
            fault,
            times,
        });
    }

    /// Removes every rule.
    pub fn heal(&self) {
        self.rules.lock().expect("rules").clear();
    }

    /// Counts requests whose line contains `needle` in [`Proxy::seen`].
    pub fn watch(&self, needle: &'static str) {
        *self.watch.lock().expect("watch") = Some(needle);
    }
}

fn read_head(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(head)
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Clone)]
struct Counters {
    hits: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
    swallowed: Arc<AtomicUsize>,
}

fn serve(
    mut client: TcpStream,
    upstream: &str,
    rules: &Mutex<Vec<Rule>>,
    counters: &Counters,
    watch: &Mutex<Option<&'static str>>,
) -> std::io::Result<()> {
    let Counters {
        hits,
        seen,
        swallowed,
    } = counters;
    let head = String::from_utf8_lossy(&read_head(&mut client)?).into_owned();
    let line = head.lines().next().unwrap_or_default().to_string();
    if watch
        .lock()
        .expect("watch")
        .is_some_and(|w| line.contains(w))
    {
        seen.fetch_add(1, Ordering::SeqCst);
    }
    let fault = {
        let mut rules = rules.lock().expect("rules");
        let found = rules
            .iter_mut()
            .find(|r| r.times > 0 && r.needles.iter().all(|n| line.contains(n)));
        found.map(|r| {
            r.times -= 1;
            r.fault.clone()
        })
    };
    if fault.is_some() {
        hits.fetch_add(1, Ordering::SeqCst);
    }
    let body_len = content_length(&head);
    match fault {
        Some(Fault::Refuse) => return client.shutdown(Shutdown::Both),
        Some(Fault::Stall) => {
            std::thread::sleep(Duration::from_secs(120));
            return Ok(());
        }
        Some(Fault::Respond(status, body)) => {
            std::io::copy(
                &mut (&mut client).take(body_len as u64),
                &mut std::io::sink(),
            )?;
            let reason = if status == 200 { "OK" } else { "Error" };
            write!(
                client,
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            return client.shutdown(Shutdown::Both);
        }
        _ => {}
    }
    let mut server = TcpStream::connect(upstream)?;
    let rewritten: String = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        + "Connection: close\r\n\r\n";
    server.write_all(rewritten.as_bytes())?;
    if let Some(Fault::ResetAfter(n)) = fault {
        std::io::copy(&mut (&mut client).take(n.min(body_len) as u64), &mut server)?;
        let _ = server.shutdown(Shutdown::Both);
        return client.shutdown(Shutdown::Both);
    }
    std::io::copy(&mut (&mut client).take(body_len as u64), &mut server)?;
    if let Some(Fault::SwallowAnswer) = fault {
        // S3 has the request; its answer never comes back.
        let mut answer = Vec::new();
        let _ = server.read_to_end(&mut answer);
        swallowed.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(120));
        return Ok(());
    }
    std::io::copy(&mut server, &mut client)?;
    client.shutdown(Shutdown::Both)
}
