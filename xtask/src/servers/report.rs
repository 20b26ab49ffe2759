//! The matrix: what each server's probe run found, as a terminal table, `report.json` and a
//! self-contained `report.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Value, json};

/// One probe's answer, as `upgrade-check probe --json` writes it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Probe {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) class: String,
    #[serde(default)]
    pub(crate) rfc: String,
    pub(crate) verdict: String,
    #[serde(default)]
    pub(crate) detail: String,
    #[serde(default)]
    pub(crate) request: String,
    #[serde(default)]
    pub(crate) response: String,
}

/// The part of the probe's JSON object the matrix reads.
#[derive(Debug, Deserialize)]
struct ProbeView {
    probes: Vec<Probe>,
    #[serde(default)]
    fuzz: Option<Fuzz>,
}

/// What `--fuzz` found, as the probe's `--json` object has it under `"fuzz"`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Fuzz {
    pub(crate) seed: u64,
    pub(crate) sent: u64,
    #[serde(default)]
    pub(crate) switched: u64,
    pub(crate) failures: Vec<FuzzFailure>,
}

/// One failing class of a fuzz run, with the smallest request that shows it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct FuzzFailure {
    pub(crate) class: String,
    #[serde(default)]
    pub(crate) rfc: String,
    #[serde(default)]
    pub(crate) detail: String,
    #[serde(default)]
    pub(crate) request: String,
    #[serde(default)]
    pub(crate) response: String,
}

/// One server's row: who it is and what the probe said (or why there is no answer).
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) role: &'static str,
    /// The probe's `--json` object, kept as it came.
    pub(crate) probe: Result<Value, String>,
}

impl Row {
    /// The probes of the row, in the probe's order (none when the probe gave no answer).
    pub(crate) fn probes(&self) -> Vec<Probe> {
        self.view().map(|v| v.probes).unwrap_or_default()
    }

    /// What `--fuzz` found, when the probe ran with it.
    pub(crate) fn fuzz(&self) -> Option<Fuzz> {
        self.view().and_then(|v| v.fuzz)
    }

    /// The part of the probe's answer the matrix reads, when there is one of the right shape.
    fn view(&self) -> Option<ProbeView> {
        self.probe
            .as_ref()
            .ok()
            .and_then(|v| ProbeView::deserialize(v).ok())
    }

    /// The verdict of every probe, by id.
    pub(crate) fn verdicts(&self) -> BTreeMap<String, String> {
        self.probes()
            .into_iter()
            .map(|p| (p.id, p.verdict))
            .collect()
    }
}

/// Checks that `value` is an object of the probe's `--json` shape, naming what is wrong.
pub(crate) fn check_probe_json(value: &Value) -> Result<(), String> {
    for key in ["target", "server", "probes", "summary"] {
        if value.get(key).is_none() {
            return Err(format!("the probe's JSON has no {key:?}"));
        }
    }
    let view = ProbeView::deserialize(value).map_err(|e| format!("the probe's JSON: {e}"))?;
    match view
        .probes
        .iter()
        .find(|p| !VERDICTS.contains(&p.verdict.as_str()))
    {
        Some(p) => Err(format!("probe {} has verdict {:?}", p.id, p.verdict)),
        None => Ok(()),
    }
}

/// Every verdict the probe gives.
pub(crate) const VERDICTS: [&str; 5] = ["pass", "fail", "warn", "n/a", "error"];

/// How a verdict is shown in the matrix: failures stand out.
pub(crate) fn cell_text(verdict: &str) -> &str {
    match verdict {
        "fail" => "FAIL",
        other => other,
    }
}

/// Every probe id of the rows, in the order they first appear.
pub(crate) fn probe_ids(rows: &[Row]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for row in rows {
        for probe in row.probes() {
            if !ids.contains(&probe.id) {
                ids.push(probe.id);
            }
        }
    }
    ids
}

/// The matrix for the terminal: one line per probe, one column per server.
pub(crate) fn matrix_text(rows: &[Row]) -> String {
    let ids = probe_ids(rows);
    let id_width = ids.iter().map(String::len).max().unwrap_or(0).max(5);
    let widths: Vec<usize> = rows.iter().map(|r| r.name.len().max(5)).collect();
    let verdicts: Vec<BTreeMap<String, String>> = rows.iter().map(Row::verdicts).collect();
    let mut out = format!("{:<id_width$}", "probe");
    for (row, width) in rows.iter().zip(&widths) {
        let _ = write!(out, "  {:<width$}", row.name);
    }
    out.push('\n');
    for id in &ids {
        let _ = write!(out, "{id:<id_width$}");
        for ((row, width), verdicts) in rows.iter().zip(&widths).zip(&verdicts) {
            let cell = match (&row.probe, verdicts.get(id)) {
                (Err(_), _) => "error",
                (Ok(_), Some(verdict)) => cell_text(verdict),
                (Ok(_), None) => "-",
            };
            let _ = write!(out, "  {cell:<width$}");
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// Each server's failures with their RFC clause, and the servers the probe could not run on.
pub(crate) fn failures_text(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        match &row.probe {
            Err(why) => {
                let _ = writeln!(out, "{}: no probe answer: {why}", row.name);
            }
            Ok(_) => {
                let failed: Vec<Probe> = row
                    .probes()
                    .into_iter()
                    .filter(|p| p.verdict == "fail")
                    .collect();
                if failed.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "{}:", row.name);
                for probe in failed {
                    let _ = writeln!(out, "  {} ({}): {}", probe.id, probe.rfc, probe.detail);
                }
            }
        }
    }
    out.trim_end().to_string()
}

/// What `--fuzz` found on each server: the requests sent, and each failing class once with its
/// RFC clause and the first line of the smallest request that shows it. Empty without `--fuzz`.
pub(crate) fn fuzz_text(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        let Some(fuzz) = row.fuzz() else {
            continue;
        };
        let _ = writeln!(
            out,
            "{}: {} requests (seed {}), {} switched, {} failing class(es)",
            row.name,
            fuzz.sent,
            fuzz.seed,
            fuzz.switched,
            fuzz.failures.len()
        );
        for failure in &fuzz.failures {
            let first_line = failure.request.lines().next().unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} ({}): {}\n    smallest request: {} ({} field lines)",
                failure.class,
                failure.rfc,
                failure.detail,
                first_line.trim_end(),
                failure
                    .request
                    .lines()
                    .skip(1)
                    .take_while(|l| !l.trim().is_empty())
                    .count()
            );
        }
    }
    out.trim_end().to_string()
}

/// `report.json`: `{"servers": [{"name", "version", "role", "probe"}]}`, with `"probe": null`
/// and an `"error"` when the probe gave no answer.
pub(crate) fn report_json(rows: &[Row]) -> Value {
    let servers: Vec<Value> = rows
        .iter()
        .map(|row| match &row.probe {
            Ok(probe) => json!({
                "name": row.name,
                "version": row.version,
                "role": row.role,
                "probe": probe,
            }),
            Err(why) => json!({
                "name": row.name,
                "version": row.version,
                "role": row.role,
                "probe": null,
                "error": why,
            }),
        })
        .collect();
    json!({ "servers": servers })
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An element id for the details of `probe` on `server`: only `[a-z0-9-]`, so that it is safe
/// in an attribute and a fragment whatever the names hold.
pub(crate) fn anchor(server: &str, probe: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}--{}", clean(server), clean(probe))
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em}\
table{border-collapse:collapse}th,td{border:1px solid #999;padding:2px 6px;font-size:90%}\
th.probe{text-align:left}td.cell a{color:inherit;text-decoration:none;display:block}\
.v-pass{background:#c8e6c9}.v-fail{background:#ef9a9a;font-weight:bold}\
.v-warn{background:#fff59d}.v-na{background:#e0e0e0}.v-error{background:#ce93d8}\
.v-none{background:#fff}pre{background:#f5f5f5;padding:.5em;white-space:pre-wrap;\
word-break:break-all}section{border-top:1px solid #ccc;margin-top:1em}\
tr.all-pass.hidden{display:none}";

/// The script of the page: hides the probes every server passes when asked, and writes the size
/// of the matrix in the title (which the Chromium check reads: it is set only when the script
/// ran to its end).
const SCRIPT: &str = "(function(){\
var t=document.getElementById('matrix');\
var box=document.getElementById('only-differences');\
box.addEventListener('change',function(){\
t.querySelectorAll('tr.all-pass').forEach(function(r){r.classList.toggle('hidden',box.checked);});});\
var cells=t.querySelectorAll('td.cell').length;\
document.title='upgrade matrix: '+t.dataset.servers+' servers by '+t.dataset.probes+' probes, '+cells+' cells';\
})();";

/// The CSS class of a verdict's cell.
fn verdict_class(verdict: Option<&str>) -> &'static str {
    match verdict {
        Some("pass") => "v-pass",
        Some("fail") => "v-fail",
        Some("warn") => "v-warn",
        Some("n/a") => "v-na",
        Some(_) => "v-error",
        None => "v-none",
    }
}

/// The title the page's script writes when it has run.
pub(crate) fn rendered_title(servers: usize, probes: usize) -> String {
    format!(
        "upgrade matrix: {servers} servers by {probes} probes, {} cells",
        servers * probes
    )
}

/// `report.html`: the matrix (one cell per server and probe, coloured by verdict, linking to
/// the request and the answer further down), all text escaped, no outside resources.
pub(crate) fn report_html(rows: &[Row]) -> String {
    let ids = probe_ids(rows);
    let verdicts: Vec<BTreeMap<String, String>> = rows.iter().map(Row::verdicts).collect();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        out,
        "<title>upgrade matrix</title><style>{STYLE}</style></head><body>\n\
         <h1>HTTP/1.1 Upgrade: real servers by probes</h1>\n\
         <p><label><input type=\"checkbox\" id=\"only-differences\"> hide the probes every \
         server passes</label></p>\n"
    );
    let _ = write!(
        out,
        "<table id=\"matrix\" data-servers=\"{}\" data-probes=\"{}\">\n<thead><tr><th>probe</th>",
        rows.len(),
        ids.len()
    );
    for row in rows {
        let _ = write!(
            out,
            "<th>{}<br><small>{} {}</small></th>",
            escape(&row.name),
            escape(row.role),
            escape(&row.version)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for id in &ids {
        let all_pass = verdicts
            .iter()
            .all(|v| v.get(id).map(String::as_str) == Some("pass"));
        let _ = write!(
            out,
            "<tr{}><th class=\"probe\">{}</th>",
            if all_pass { " class=\"all-pass\"" } else { "" },
            escape(id)
        );
        for (row, verdicts) in rows.iter().zip(&verdicts) {
            let verdict = match &row.probe {
                Err(_) => Some("error"),
                Ok(_) => verdicts.get(id).map(String::as_str),
            };
            let text = verdict.map_or("-", cell_text);
            let _ = write!(
                out,
                "<td class=\"cell {}\"><a href=\"#{}\">{}</a></td>",
                verdict_class(verdict),
                anchor(&row.name, id),
                escape(text)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n<h2>Requests and answers</h2>\n");
    for row in rows {
        let probes = row.probes();
        for id in &ids {
            let _ = write!(out, "<section id=\"{}\">", anchor(&row.name, id));
            match (&row.probe, probes.iter().find(|p| &p.id == id)) {
                (Err(why), _) => {
                    let _ = write!(
                        out,
                        "<h3>{} / {}: error</h3><p>no probe answer: {}</p>",
                        escape(&row.name),
                        escape(id),
                        escape(why)
                    );
                }
                (Ok(_), None) => {
                    let _ = write!(
                        out,
                        "<h3>{} / {}: not run</h3>",
                        escape(&row.name),
                        escape(id)
                    );
                }
                (Ok(_), Some(p)) => {
                    let _ = write!(
                        out,
                        "<h3>{} / {}: {}</h3><p>{} &middot; {} &middot; {}</p>\
                         <h4>request</h4><pre>{}</pre><h4>answer</h4><pre>{}</pre>",
                        escape(&row.name),
                        escape(id),
                        escape(cell_text(&p.verdict)),
                        escape(&p.class),
                        escape(&p.rfc),
                        escape(&p.detail),
                        escape(&p.request),
                        escape(&p.response)
                    );
                }
            }
            out.push_str("</section>\n");
        }
    }
    let fuzzed: Vec<(&Row, Fuzz)> = rows
        .iter()
        .filter_map(|row| row.fuzz().map(|fuzz| (row, fuzz)))
        .collect();
    if !fuzzed.is_empty() {
        out.push_str("<h2 id=\"fuzz\">Over-the-wire fuzzing</h2>\n");
        for (row, fuzz) in &fuzzed {
            let _ = writeln!(
                out,
                "<h3>{}: {} requests (seed {}), {} failing class(es)</h3>",
                escape(&row.name),
                fuzz.sent,
                fuzz.seed,
                fuzz.failures.len()
            );
            for failure in &fuzz.failures {
                let _ = writeln!(
                    out,
                    "<section class=\"fuzz\"><h4>{} &middot; {}</h4><p>{}</p>\
                     <h4>smallest request</h4><pre>{}</pre><h4>answer</h4><pre>{}</pre></section>",
                    escape(&failure.class),
                    escape(&failure.rfc),
                    escape(&failure.detail),
                    escape(&failure.request),
                    escape(&failure.response)
                );
            }
        }
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(id: &str, verdict: &str, response: &str) -> Value {
        json!({"id": id, "class": "c", "rfc": "RFC 9110 7.8", "verdict": verdict,
               "detail": "d", "request": "GET / HTTP/1.1\r\n\r\n", "response": response})
    }

    fn fixture() -> Vec<Row> {
        let control = json!({"target": "http://127.0.0.1:1", "server": null,
            "probes": [probe("baseline", "pass", "HTTP/1.1 200 OK"), probe("http10", "pass", "")],
            "summary": {"pass": 2, "fail": 0, "warn": 0, "n/a": 0, "error": 0}});
        let other = json!({"target": "http://127.0.0.1:2", "server": "x/1",
            "probes": [probe("baseline", "pass", ""),
                       probe("http10", "fail", "HTTP/1.1 101 <script>alert(1)</script>"),
                       probe("extra", "n/a", "")],
            "summary": {"pass": 1, "fail": 1, "warn": 0, "n/a": 1, "error": 0}});
        vec![
            Row {
                name: "upgrade-server".into(),
                version: "0.1.0".into(),
                role: "server",
                probe: Ok(control),
            },
            Row {
                name: "x".into(),
                version: "1".into(),
                role: "proxy",
                probe: Ok(other),
            },
            Row {
                name: "gone".into(),
                version: "2".into(),
                role: "server",
                probe: Err("refused".into()),
            },
        ]
    }

    #[test]
    fn renders_one_cell_per_server_and_probe_with_its_anchor() {
        let rows = fixture();
        let html = report_html(&rows);
        assert_eq!(html.matches("<td class=\"cell ").count(), 3 * 3);
        assert!(html.contains("data-servers=\"3\" data-probes=\"3\""));
        for id in ["baseline", "http10", "extra"] {
            for server in ["upgrade-server", "x", "gone"] {
                let anchor = anchor(server, id);
                assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor}");
                assert_eq!(
                    html.matches(&format!("id=\"{anchor}\"")).count(),
                    1,
                    "{anchor}"
                );
            }
        }
        assert!(html.contains("<td class=\"cell v-fail\"><a href=\"#x--http10\">FAIL</a>"));
        assert!(html.contains("<td class=\"cell v-none\"><a href=\"#upgrade-server--extra\">-<"));
        assert!(html.contains("<td class=\"cell v-error\"><a href=\"#gone--baseline\">error<"));
        // A server without an answer passes nothing; without it, every server passes baseline.
        assert!(!html.contains("all-pass\"><th"));
        let answered = report_html(rows.get(..2).unwrap());
        assert!(answered.contains("<tr class=\"all-pass\"><th class=\"probe\">baseline</th>"));
        assert_eq!(answered.matches("class=\"all-pass\"").count(), 1);
    }

    #[test]
    fn lists_each_fuzz_class_once_with_its_smallest_request() {
        let probe = json!({
            "target": "http://127.0.0.1:1",
            "server": null,
            "probes": [],
            "summary": {"pass": 0, "fail": 0, "warn": 0, "n/a": 0, "error": 0},
            "fuzz": {"seed": 7, "sent": 50, "switched": 3, "failures": [{
                "class": "http10-ignored", "rfc": "RFC 9110 7.8", "detail": "a 101 to HTTP/1.0",
                "request": "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                "response": "HTTP/1.1 101 Switching Protocols\r\n\r\n"
            }]}
        });
        let rows = vec![Row {
            name: "s".into(),
            version: "1".into(),
            role: "server",
            probe: Ok(probe),
        }];
        assert_eq!(
            fuzz_text(&rows),
            "s: 50 requests (seed 7), 3 switched, 1 failing class(es)\n  \
             http10-ignored (RFC 9110 7.8): a 101 to HTTP/1.0\n    \
             smallest request: GET / HTTP/1.0 (2 field lines)"
        );
        let html = report_html(&rows);
        assert!(html.contains("<h2 id=\"fuzz\">") && html.contains("http10-ignored"));
        assert_eq!(fuzz_text(&fixture()), "");
    }

    #[test]
    fn escapes_what_servers_answer() {
        let html = report_html(&fixture());
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("HTTP/1.1 101 &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(escape("a&<>\"'b"), "a&amp;&lt;&gt;&quot;&#39;b");
        assert_eq!(anchor("A b", "x\"y"), "a-b--x-y");
    }

    #[test]
    fn prints_the_matrix_and_each_failure_with_its_clause() {
        let rows = fixture();
        let text = matrix_text(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines
                .first()
                .is_some_and(|l| l.starts_with("probe     upgrade-server  x"))
        );
        assert!(
            lines
                .get(2)
                .is_some_and(|l| l.contains("FAIL") && l.contains("error"))
        );
        assert!(
            lines
                .get(3)
                .is_some_and(|l| l.starts_with("extra") && l.contains("n/a"))
        );
        assert_eq!(
            failures_text(&rows),
            "x:\n  http10 (RFC 9110 7.8): d\ngone: no probe answer: refused"
        );
    }

    #[test]
    fn writes_the_probe_object_as_it_came() {
        let rows = fixture();
        let json = report_json(&rows);
        assert_eq!(
            json.pointer("/servers/0/name"),
            Some(&json!("upgrade-server"))
        );
        assert_eq!(json.pointer("/servers/1/role"), Some(&json!("proxy")));
        assert_eq!(json.pointer("/servers/1/probe/server"), Some(&json!("x/1")));
        assert_eq!(json.pointer("/servers/2/probe"), Some(&Value::Null));
        assert_eq!(json.pointer("/servers/2/error"), Some(&json!("refused")));
    }

    #[test]
    fn accepts_only_the_probe_json_shape() {
        let rows = fixture();
        assert_eq!(
            rows.first().map(|r| r.probe.as_ref().map(check_probe_json)),
            Some(Ok(Ok(())))
        );
        assert!(check_probe_json(&json!({"probes": []})).is_err());
        let bad = json!({"target": "t", "server": null, "summary": {},
                         "probes": [probe("a", "passed", "")]});
        assert_eq!(
            check_probe_json(&bad),
            Err("probe a has verdict \"passed\"".to_string())
        );
    }
}
