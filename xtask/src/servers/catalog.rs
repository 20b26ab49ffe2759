//! The servers of the matrix: where each comes from, how it is started, how its version is read.
//!
//! Every configuration lives in `servers/NAME/` as a template; `@PORT@`, `@ORIGIN_PORT@` and
//! `@DIR@` are filled in when a run renders it into the server's own folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process;

/// What a server is in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// It answers by itself.
    Server,
    /// It forwards to an origin the run starts: `upgrade-server` on its own port.
    Proxy,
}

impl Role {
    /// The name used in `report.json`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Proxy => "proxy",
        }
    }
}

/// Where a server comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A Debian package, installed with apt-get.
    Apt(&'static str),
    /// A PyPI package, installed into the run's venv.
    Pip(&'static str),
    /// An npm package, run by Debian's node.
    Npm(&'static str),
    /// This workspace: `upgrade-server`.
    Workspace,
}

/// What a server's command line and version are made from.
pub(crate) struct Tools {
    /// `upgrade-server`, copied where the unprivileged user can read it.
    pub(crate) upgrade_server: PathBuf,
    /// The venv with the PyPI servers, when one was built.
    pub(crate) venv: Option<PathBuf>,
    /// The `node_modules` folder with the npm packages, when they were installed.
    pub(crate) node_modules: Option<PathBuf>,
}

/// One start of a server: its folder (with the rendered configuration) and its port.
pub(crate) struct Slot<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) port: u16,
    pub(crate) tools: &'a Tools,
}

/// How to start a server: the program, its arguments and the environment it adds.
pub(crate) struct Invocation {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
}

/// One server of the matrix.
pub(crate) struct Spec {
    /// A short name, also its folder under `servers/`.
    pub(crate) name: &'static str,
    pub(crate) role: Role,
    pub(crate) source: Source,
    /// The files of `servers/NAME/` that are rendered into the server's folder.
    pub(crate) files: &'static [&'static str],
    /// The path of its websocket endpoint.
    pub(crate) ws_path: &'static str,
    /// How to start it in the foreground.
    pub(crate) invocation: fn(&Slot<'_>) -> Result<Invocation, String>,
    /// Its version, as the server (or its package) reports it.
    pub(crate) version: fn(&Tools) -> Result<String, String>,
}

/// Every server, in the order of the matrix (the control first).
pub(crate) fn all() -> Vec<Spec> {
    vec![
        Spec {
            name: "upgrade-server",
            role: Role::Server,
            source: Source::Workspace,
            files: &[],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: slot.tools.upgrade_server.clone(),
                    args: vec!["--port".into(), slot.port.to_string()],
                    env: Vec::new(),
                })
            },
            version: |_| Ok(env!("CARGO_PKG_VERSION").to_string()),
        },
        Spec {
            name: "nginx",
            role: Role::Proxy,
            source: Source::Apt("nginx"),
            files: &["nginx.conf"],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: "/usr/sbin/nginx".into(),
                    args: vec![
                        "-c".into(),
                        path_arg(&slot.dir.join("nginx.conf")),
                        "-p".into(),
                        path_arg(slot.dir),
                        "-e".into(),
                        path_arg(&slot.dir.join("error.log")),
                    ],
                    env: Vec::new(),
                })
            },
            version: |_| version_of(Command::new("/usr/sbin/nginx").arg("-v"), "nginx/"),
        },
        Spec {
            name: "apache2",
            role: Role::Proxy,
            source: Source::Apt("apache2"),
            files: &["apache2.conf"],
            ws_path: "/ws",
            invocation: |slot| {
                let dir = path_arg(slot.dir);
                // What Debian's /etc/apache2/envvars sets, pointed at the server's folder.
                let env = [
                    ("APACHE_PID_FILE", format!("{dir}/apache2.pid")),
                    ("APACHE_RUN_DIR", dir.clone()),
                    ("APACHE_LOCK_DIR", dir.clone()),
                    ("APACHE_LOG_DIR", dir.clone()),
                ];
                Ok(Invocation {
                    program: "/usr/sbin/apache2".into(),
                    args: vec![
                        "-f".into(),
                        path_arg(&slot.dir.join("apache2.conf")),
                        "-DFOREGROUND".into(),
                    ],
                    env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                })
            },
            version: |_| version_of(Command::new("/usr/sbin/apache2").arg("-v"), "Apache/"),
        },
        Spec {
            name: "lighttpd",
            role: Role::Proxy,
            source: Source::Apt("lighttpd"),
            files: &["lighttpd.conf"],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: "/usr/sbin/lighttpd".into(),
                    args: vec![
                        "-D".into(),
                        "-f".into(),
                        path_arg(&slot.dir.join("lighttpd.conf")),
                    ],
                    env: Vec::new(),
                })
            },
            version: |_| version_of(Command::new("/usr/sbin/lighttpd").arg("-v"), "lighttpd/"),
        },
        Spec {
            name: "haproxy",
            role: Role::Proxy,
            source: Source::Apt("haproxy"),
            files: &["haproxy.cfg"],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: "/usr/sbin/haproxy".into(),
                    args: vec![
                        "-db".into(),
                        "-f".into(),
                        path_arg(&slot.dir.join("haproxy.cfg")),
                    ],
                    env: Vec::new(),
                })
            },
            version: |_| {
                version_of(
                    Command::new("/usr/sbin/haproxy").arg("-v"),
                    "HAProxy version ",
                )
            },
        },
        Spec {
            name: "caddy",
            role: Role::Proxy,
            source: Source::Apt("caddy"),
            files: &["Caddyfile"],
            ws_path: "/ws",
            invocation: |slot| {
                let dir = path_arg(slot.dir);
                Ok(Invocation {
                    program: "/usr/bin/caddy".into(),
                    args: vec![
                        "run".into(),
                        "--adapter".into(),
                        "caddyfile".into(),
                        "--config".into(),
                        path_arg(&slot.dir.join("Caddyfile")),
                    ],
                    // Caddy keeps its autosaved configuration and storage under these.
                    env: vec![
                        ("XDG_CONFIG_HOME".into(), format!("{dir}/config")),
                        ("XDG_DATA_HOME".into(), format!("{dir}/data")),
                    ],
                })
            },
            version: |_| version_of(Command::new("/usr/bin/caddy").arg("version"), ""),
        },
        Spec {
            name: "node-ws",
            role: Role::Server,
            source: Source::Npm("ws"),
            files: &["server.js"],
            ws_path: "/ws",
            invocation: |slot| {
                let modules = slot
                    .tools
                    .node_modules
                    .as_deref()
                    .ok_or("the npm packages are not installed")?;
                Ok(Invocation {
                    program: "node".into(),
                    args: vec![path_arg(&slot.dir.join("server.js")), slot.port.to_string()],
                    env: vec![("NODE_PATH".into(), path_arg(modules))],
                })
            },
            version: |tools| {
                let modules = tools
                    .node_modules
                    .as_deref()
                    .ok_or("the npm packages are not installed")?;
                let manifest = modules.join("ws/package.json");
                let text = std::fs::read_to_string(&manifest)
                    .map_err(|e| format!("cannot read {manifest:?}: {e}"))?;
                let json: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| format!("cannot read {manifest:?}: {e}"))?;
                let ws = json
                    .get("version")
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| format!("{manifest:?} has no version"))?;
                let node = version_of(Command::new("node").arg("--version"), "v")?;
                Ok(format!("{ws} (node {node})"))
            },
        },
        Spec {
            name: "hypercorn",
            role: Role::Server,
            source: Source::Pip("hypercorn"),
            files: &["app.py"],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: venv_bin(slot.tools, "hypercorn")?,
                    args: vec![
                        "--bind".into(),
                        format!("127.0.0.1:{}", slot.port),
                        "app:app".into(),
                    ],
                    env: vec![("PYTHONPATH".into(), path_arg(slot.dir))],
                })
            },
            version: |tools| pip_version(tools, "hypercorn"),
        },
        Spec {
            name: "aiohttp",
            role: Role::Server,
            source: Source::Pip("aiohttp"),
            files: &["app.py"],
            ws_path: "/ws",
            invocation: |slot| {
                Ok(Invocation {
                    program: venv_bin(slot.tools, "python")?,
                    args: vec![path_arg(&slot.dir.join("app.py")), slot.port.to_string()],
                    env: Vec::new(),
                })
            },
            version: |tools| pip_version(tools, "aiohttp"),
        },
    ]
}

/// A path as a command-line argument.
fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn venv_bin(tools: &Tools, name: &str) -> Result<PathBuf, String> {
    tools
        .venv
        .as_ref()
        .map(|venv| venv.join("bin").join(name))
        .ok_or_else(|| "the PyPI servers' venv was not built".to_string())
}

/// The version pip installed of `package`, read from the venv's metadata.
fn pip_version(tools: &Tools, package: &str) -> Result<String, String> {
    let python = venv_bin(tools, "python")?;
    let script = format!("import importlib.metadata as m; print(m.version({package:?}))");
    let out = process::output(Command::new(python).args(["-c", &script]))?;
    Ok(out.trim().to_string())
}

/// Runs a version command and returns the word after `marker` in what it prints (on stdout or
/// stderr: nginx prints its version on stderr).
fn version_of(cmd: &mut Command, marker: &str) -> Result<String, String> {
    let shown = process::display(cmd);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    word_after(&text, marker).ok_or_else(|| format!("`{shown}` printed no version: {text:?}"))
}

/// The run of non-blank characters right after the first `marker` in `text` (after leading
/// blanks, for an empty marker).
pub(crate) fn word_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let rest = text.get(start..)?.trim_start();
    let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_as_each_server_prints_them() {
        let rows = [
            ("nginx version: nginx/1.22.1\n", "nginx/", "1.22.1"),
            (
                "Server version: Apache/2.4.71 (Debian)\nServer built:   x\n",
                "Apache/",
                "2.4.71",
            ),
            (
                "lighttpd/1.4.69 (ssl) - a light and fast webserver\n",
                "lighttpd/",
                "1.4.69",
            ),
            (
                "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n",
                "HAProxy version ",
                "2.6.12-1+deb12u4",
            ),
            ("2.6.2\n", "", "2.6.2"),
            ("v20.20.2\n", "v", "20.20.2"),
        ];
        for (text, marker, version) in rows {
            assert_eq!(word_after(text, marker).as_deref(), Some(version), "{text}");
        }
        assert_eq!(word_after("nginx version:\n", "nginx/"), None);
        assert_eq!(word_after("nginx/\n", "nginx/"), None);
    }

    #[test]
    fn names_are_unique_and_every_template_exists() {
        let root = crate::process::workspace_root().join("servers");
        let specs = all();
        for (i, spec) in specs.iter().enumerate() {
            assert!(
                specs
                    .iter()
                    .skip(i + 1)
                    .all(|other| other.name != spec.name),
                "{} twice",
                spec.name
            );
            assert!(
                root.join(spec.name).join("NOTE.md").is_file(),
                "{}",
                spec.name
            );
            for file in spec.files {
                assert!(
                    root.join(spec.name).join(file).is_file(),
                    "{}/{file}",
                    spec.name
                );
            }
        }
        assert_eq!(specs.first().map(|s| s.name), Some("upgrade-server"));
    }
}
