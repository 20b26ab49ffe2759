//! Running the catalogue against a target: baselines first, one connection per probe.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;

use crate::after;
use crate::catalogue::{self, Context, Grader, Needs, Probe};
use crate::conn::{Answer, Conn, Final, Head, Stop};
use crate::fuzz::{Fuzz, Fuzzer};
use crate::grade::{self, Continue, Graded};
use crate::oracle;
use crate::request::Request;
use crate::target::{Scheme, Target};
use crate::tls::{self, Trust};
use crate::verdict::{ProbeResult, Report, Verdict};

/// How a run is done.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where the server speaks websocket.
    pub ws_path: String,
    /// Where to ask for h2c.
    pub h2c_path: String,
    /// Run only these probes (their baselines run too, unreported, to decide `n/a`).
    pub only: Vec<String>,
    /// The bound of every read and of connecting.
    pub timeout: Duration,
    /// How long to wait for "is anything else coming" (a `100 Continue`).
    pub silence: Duration,
    /// Which TLS certificates to trust for `https://`.
    pub trust: Trust,
    /// Send generated requests after the catalogue (`--fuzz N`).
    pub fuzz: Option<Fuzz>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ws_path: "/".into(),
            h2c_path: "/".into(),
            only: Vec::new(),
            timeout: Duration::from_millis(3000),
            silence: Duration::from_millis(400),
            trust: Trust::default(),
            fuzz: None,
        }
    }
}

/// Why a run could not start.
#[derive(Debug)]
pub enum RunError {
    /// The target cannot be reached (refused, unresolvable, TLS handshake failed).
    Unreachable(String),
    /// The TLS configuration cannot be built (`--cacert`).
    Tls(String),
    /// `--only` names no probe of the catalogue.
    UnknownProbe(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Unreachable(why) => write!(f, "the target is unreachable: {why}"),
            RunError::Tls(why) => f.write_str(why),
            RunError::UnknownProbe(id) => {
                write!(f, "no probe has the id {id:?} (see the catalogue)")
            }
        }
    }
}

impl std::error::Error for RunError {}

/// What the baselines found, and the first `Server` seen.
struct Found {
    websocket: bool,
    h2c: bool,
    server: Option<String>,
}

impl Found {
    fn offers(&self) -> Vec<&'static str> {
        let mut offers = Vec::new();
        if self.websocket {
            offers.push("websocket");
        }
        if self.h2c {
            offers.push("h2c");
        }
        offers
    }
}

/// Runs the catalogue (or the `--only` probes) against `target`.
///
/// # Errors
///
/// [`RunError::Unreachable`] at once when the first connection fails, before any probe;
/// [`RunError::Tls`] and [`RunError::UnknownProbe`] for bad options.
pub fn run(target: &Target, options: &Options) -> Result<Report, RunError> {
    let tls = match target.scheme() {
        Scheme::Https => Some(tls::config(&options.trust).map_err(RunError::Tls)?),
        Scheme::Http => None,
    };
    let cx = Context {
        host: target.authority(),
        ws_path: options.ws_path.clone(),
        h2c_path: options.h2c_path.clone(),
    };
    let probes = catalogue::catalogue(&cx);
    if let Some(unknown) = options
        .only
        .iter()
        .find(|id| !probes.iter().any(|p| p.id == id.as_str()))
    {
        return Err(RunError::UnknownProbe(unknown.clone()));
    }
    Conn::connect(target, tls.as_ref(), options.timeout).map_err(|e| RunError::Unreachable(e.0))?;

    let wanted =
        |probe: &Probe| options.only.is_empty() || options.only.iter().any(|id| id == probe.id);
    // The fuzzer offers what the baselines found, so it needs both.
    let needed = |needs: Needs| {
        options.fuzz.is_some() || probes.iter().any(|p| wanted(p) && p.needs == needs)
    };
    let runner = Runner {
        target,
        tls,
        options,
        cx: &cx,
    };
    let mut found = Found {
        websocket: false,
        h2c: false,
        server: None,
    };
    let mut results = Vec::new();
    for probe in &probes {
        let baseline_of = match probe.grader {
            Grader::WebSocketBaseline => Some(Needs::WebSocket),
            Grader::H2cBaseline => Some(Needs::H2c),
            _ => None,
        };
        if !wanted(probe) && !baseline_of.is_some_and(needed) {
            continue;
        }
        let result = runner.probe(probe, &mut found);
        if result.verdict == Verdict::Pass {
            match baseline_of {
                Some(Needs::WebSocket) => found.websocket = true,
                Some(Needs::H2c) => found.h2c = true,
                _ => {}
            }
        }
        if wanted(probe) {
            results.push(result);
        }
    }
    let fuzz = options.fuzz.as_ref().map(|fuzz| {
        let fuzzer = Fuzzer {
            target,
            tls: runner.tls.clone(),
            path: &options.ws_path,
            offers: found.offers(),
            timeout: options.timeout,
            silence: options.silence,
        };
        fuzzer.run(fuzz)
    });
    Ok(Report {
        target: target.to_string(),
        server: found.server,
        results,
        fuzz,
    })
}

struct Runner<'a> {
    target: &'a Target,
    tls: Option<Arc<ClientConfig>>,
    options: &'a Options,
    cx: &'a Context,
}

impl Runner<'_> {
    fn probe(&self, probe: &Probe, found: &mut Found) -> ProbeResult {
        let mut request_bytes = probe.request.to_bytes();
        let mut response = Vec::new();
        let graded = match self.skip(probe, found) {
            Some(why) => Graded::new(Verdict::NotApplicable, why),
            None => match Conn::connect(self.target, self.tls.as_ref(), self.options.timeout) {
                Err(e) => Graded::new(Verdict::Error, e.0),
                Ok(mut conn) => {
                    let graded = self.exchange(probe, &mut conn, found, &mut request_bytes);
                    response = conn.transcript().to_vec();
                    graded
                }
            },
        };
        ProbeResult {
            id: probe.id,
            class: probe.class,
            rfc: probe.rfc,
            verdict: graded.verdict,
            detail: graded.detail,
            request: request_bytes,
            response,
        }
    }

    /// Why a probe is `n/a`, if it is.
    fn skip(&self, probe: &Probe, found: &Found) -> Option<String> {
        let baseline = matches!(
            probe.grader,
            Grader::WebSocketBaseline | Grader::H2cBaseline
        );
        match probe.needs {
            Needs::H2c if self.target.scheme() == Scheme::Https => {
                Some("h2c is not probed over TLS".into())
            }
            Needs::WebSocket if !baseline && !found.websocket => Some(format!(
                "websocket-baseline got no valid switch at {}",
                self.options.ws_path
            )),
            Needs::H2c if !baseline && !found.h2c => Some(format!(
                "h2c-baseline got no valid switch at {}",
                self.options.h2c_path
            )),
            _ => None,
        }
    }

    fn exchange(
        &self,
        probe: &Probe,
        conn: &mut Conn,
        found: &mut Found,
        sent: &mut Vec<u8>,
    ) -> Graded {
        let path = match probe.needs {
            Needs::H2c => &self.options.h2c_path,
            _ => &self.options.ws_path,
        };
        let (graded, head) = judge(
            conn,
            &probe.request,
            probe.grader,
            &found.offers(),
            &format!("at {path}"),
            self.options.silence,
        );
        if found.server.is_none() {
            found.server = head
                .as_ref()
                .and_then(|head| head.values("server").next())
                .map(|v| String::from_utf8_lossy(v).into_owned());
        }
        let plain_answer = head.is_some_and(|head| head.status != 101);
        if probe.grader != Grader::SecondRequest
            || !plain_answer
            || !matches!(graded.verdict, Verdict::Pass | Verdict::Warn)
        {
            return graded;
        }
        let second = catalogue::second_request(self.cx);
        sent.extend_from_slice(&second.to_bytes());
        let (next, _) = send(conn, &second, self.options.silence);
        match next.end {
            Ok(next) if next.head.status == 101 => Graded::fail(
                "tunnel-after-refusal",
                "a 101 to the plain request that followed the refusal",
            ),
            Ok(next) => Graded::new(
                graded.verdict,
                format!(
                    "{}; the next request on the connection got {}: no tunnel",
                    graded.detail, next.head.status
                ),
            ),
            Err(Stop::NotHttp) => Graded::fail(
                "tunnel-after-refusal",
                "the request after the refusal got bytes that are not HTTP back: the connection was still tunnelled (RFC 9110 7.8: no switch without 101)",
            ),
            Err(Stop::Closed | Stop::Reset) => Graded::new(
                graded.verdict,
                format!("{}; the server then closed the connection", graded.detail),
            ),
            Err(Stop::Silence) => Graded::new(
                Verdict::Warn,
                "no answer to the request after the refusal: the connection may still be tunnelled",
            ),
            Err(stop) => Graded::new(
                Verdict::Error,
                format!("the request after the refusal: {}", stop.describe()),
            ),
        }
    }
}

/// Sends `request` on `conn` and grades the answer by `grader`, against a server that speaks
/// `offers`; with the final response's head, when one came.
pub(crate) fn judge(
    conn: &mut Conn,
    request: &Request,
    grader: Grader,
    offers: &[&str],
    path_note: &str,
    silence: Duration,
) -> (Graded, Option<Head>) {
    let (answer, continued) = send(conn, request, silence);
    if let Some(graded) = grade::interims(request, &answer.interims) {
        return (graded, None);
    }
    let answer = match answer.end {
        Err(stop) => return (grade::stopped(stop, conn.received() > 0), None),
        Ok(answer) => answer,
    };
    let graded = if answer.head.status == 101 {
        switched(request, &answer, continued, conn)
    } else {
        grade::other(grader, request, &answer, offers, path_note)
    };
    (graded, Some(answer.head))
}

/// Sends `request`, holding its body back for `100 Continue` when it asks, and reads the
/// answer.
fn send(conn: &mut Conn, request: &Request, silence: Duration) -> (Answer, Continue) {
    let failed = |stop| Answer {
        interims: Vec::new(),
        end: Err(stop),
    };
    let method = request.method();
    if !request.hold_body {
        if conn.send(&request.to_bytes()).is_err() {
            return (failed(Stop::Reset), Continue::NotAsked);
        }
        return (conn.read_answer(method), Continue::NotAsked);
    }
    if conn.send(&request.head_bytes()).is_err() {
        return (failed(Stop::Reset), Continue::NotAsked);
    }
    match conn.anything_within(silence) {
        Err(stop) => (failed(stop), Continue::Answered),
        Ok(false) => {
            if conn.send(request.body_bytes()).is_err() {
                return (failed(Stop::Reset), Continue::Silence);
            }
            (conn.read_answer(method), Continue::Silence)
        }
        Ok(true) => match conn.read_head(conn.deadline()) {
            Err(stop) => (failed(stop), Continue::Answered),
            Ok(head) if head.status == 100 => {
                if conn.send(request.body_bytes()).is_err() {
                    return (failed(Stop::Reset), Continue::Interim);
                }
                let mut answer = conn.read_answer(method);
                answer.interims.insert(0, head);
                (answer, Continue::Interim)
            }
            Ok(head) => (conn.answer_from(Some(head), method), Continue::Answered),
        },
    }
}

/// Grades a 101: the oracle, its form, then the new protocol for a moment.
fn switched(request: &Request, answer: &Final, continued: Continue, conn: &mut Conn) -> Graded {
    let protocol = match oracle::judge_switch(request, &answer.head) {
        Ok(protocol) => protocol,
        Err(fault) => return fault.into(),
    };
    if let Err(fault) = grade::switch_form(&answer.head, continued) {
        return fault.into();
    }
    let silence = if continued == Continue::Silence {
        "; no 100 Continue came within the window, the body was sent anyway"
    } else {
        ""
    };
    let after = if protocol.eq_ignore_ascii_case("websocket") {
        after::websocket_ping(conn).map(|()| "the ping got its pong".to_owned())
    } else if protocol.eq_ignore_ascii_case("h2c") {
        after::h2c_exchange(conn).map(|response| match response.status {
            Some(status) => format!("HTTP/2 answered stream 1 with {status}"),
            None => "HTTP/2 answered stream 1".to_owned(),
        })
    } else {
        Ok("the probe does not speak it further".to_owned())
    };
    match after {
        Ok(note) if continued == Continue::Silence => Graded::new(
            Verdict::Warn,
            format!("switched to {protocol}; {note}{silence}"),
        ),
        Ok(note) => Graded::new(Verdict::Pass, format!("switched to {protocol}; {note}")),
        Err(why) => Graded::fail(
            "broken-after-switch",
            format!("switched to {protocol}, then {why}"),
        ),
    }
}
