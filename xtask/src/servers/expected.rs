//! The committed verdicts, `servers/expected.json`: per server, the version seen and the verdict
//! of every probe. A run that differs fails and prints the difference; `--update-expected`
//! rewrites the file from the run.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::report::Row;

/// What a server answered when the file was last written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) version: String,
    pub(crate) verdicts: BTreeMap<String, String>,
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Expected {
    pub(crate) servers: BTreeMap<String, Entry>,
}

impl Expected {
    /// Reads the file; a missing file expects nothing.
    pub(crate) fn load(path: &Path) -> Result<Expected, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{path:?}: {e}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Expected::default()),
            Err(e) => Err(format!("cannot read {path:?}: {e}")),
        }
    }

    /// Writes the file, pretty-printed with a final newline.
    pub(crate) fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| format!("cannot write {path:?}: {e}"))?;
        std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {path:?}: {e}"))
    }

    /// Takes the version and verdicts of every row the probe answered for; the other servers
    /// keep what they had.
    pub(crate) fn update(&mut self, rows: &[Row]) {
        for row in rows.iter().filter(|r| r.probe.is_ok()) {
            self.servers.insert(
                row.name.clone(),
                Entry {
                    version: row.version.clone(),
                    verdicts: row.verdicts(),
                },
            );
        }
    }

    /// How the rows differ from what is expected: differences in verdicts (which fail the run),
    /// and notes on versions that changed while the verdicts did not.
    pub(crate) fn compare(&self, rows: &[Row]) -> (Vec<String>, Vec<String>) {
        let (mut differences, mut notes) = (Vec::new(), Vec::new());
        for row in rows {
            let Some(entry) = self.servers.get(&row.name) else {
                differences.push(format!("{}: no expected verdicts", row.name));
                continue;
            };
            if row.probe.is_err() {
                differences.push(format!("{}: the probe gave no answer", row.name));
                continue;
            }
            let seen = row.verdicts();
            let before = differences.len();
            for (id, verdict) in &entry.verdicts {
                match seen.get(id) {
                    Some(now) if now == verdict => {}
                    Some(now) => differences
                        .push(format!("{} {id}: expected {verdict}, got {now}", row.name)),
                    None => differences.push(format!(
                        "{} {id}: expected {verdict}, the probe no longer runs it",
                        row.name
                    )),
                }
            }
            for (id, now) in &seen {
                if !entry.verdicts.contains_key(id) {
                    differences.push(format!("{} {id}: new probe, got {now}", row.name));
                }
            }
            if entry.version != row.version {
                let change = format!(
                    "{}: version {} (expected.json has {})",
                    row.name, row.version, entry.version
                );
                if differences.len() == before {
                    notes.push(format!("{change}, same verdicts"));
                } else {
                    differences.push(change);
                }
            }
        }
        (differences, notes)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(name: &str, version: &str, verdicts: &[(&str, &str)]) -> Row {
        let probes: Vec<_> = verdicts
            .iter()
            .map(|(id, v)| json!({"id": id, "verdict": v}))
            .collect();
        Row {
            name: name.into(),
            version: version.into(),
            role: "server",
            probe: Ok(json!({"target": "t", "server": null, "probes": probes, "summary": {}})),
        }
    }

    #[test]
    fn reports_each_changed_verdict_and_the_version_beside_it() {
        let mut expected = Expected::default();
        expected.update(&[row(
            "a",
            "1",
            &[("p", "pass"), ("q", "warn"), ("r", "pass")],
        )]);
        let rows = [
            row("a", "2", &[("p", "pass"), ("q", "fail"), ("s", "n/a")]),
            row("b", "1", &[("p", "pass")]),
        ];
        let (differences, notes) = expected.compare(&rows);
        assert_eq!(
            differences,
            [
                "a q: expected warn, got fail",
                "a r: expected pass, the probe no longer runs it",
                "a s: new probe, got n/a",
                "a: version 2 (expected.json has 1)",
                "b: no expected verdicts",
            ]
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn notes_a_new_version_with_the_same_verdicts_and_updates_in_one_step() {
        let mut expected = Expected::default();
        expected.update(&[row("a", "1", &[("p", "pass")])]);
        let rows = [row("a", "2", &[("p", "pass")])];
        let (differences, notes) = expected.compare(&rows);
        assert!(differences.is_empty());
        assert_eq!(notes, ["a: version 2 (expected.json has 1), same verdicts"]);
        expected.update(&rows);
        assert_eq!(expected.compare(&rows), (vec![], vec![]));
        let text = serde_json::to_string(&expected).unwrap();
        assert_eq!(
            text,
            r#"{"servers":{"a":{"version":"2","verdicts":{"p":"pass"}}}}"#
        );
    }
}
