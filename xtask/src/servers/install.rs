//! Installing the servers that are missing: Debian packages with apt-get (without letting them
//! start their services), PyPI packages into a venv, npm packages into a folder.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::catalog::{Source, Spec};
use crate::process;

/// Debian's own Python: the default `python3` here may be a build under root's home, which the
/// unprivileged user cannot read.
const DEBIAN_PYTHON: &str = "/usr/bin/python3";
/// Where Debian's maintainer scripts ask whether they may start a service.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// Whether the Debian package `package` is installed.
fn apt_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// Installs the Debian packages the selected servers (and the run) need and do not have: one
/// `apt-get update`, then one `apt-get install --no-install-recommends`, with a policy-rc.d that
/// forbids starting services in place for its duration.
pub(crate) fn apt(specs: &[&Spec]) -> Result<(), String> {
    // Programs that may come from elsewhere than Debian (node and npm often do) are looked for
    // as programs; the rest as Debian packages.
    let mut missing: Vec<&str> = Vec::new();
    let mut want_program = |package, program: &str| {
        if !process::succeeds(Command::new(program).arg("--version")) {
            missing.push(package);
        }
    };
    want_program("curl", "curl");
    if specs.iter().any(|s| matches!(s.source, Source::Npm(_))) {
        want_program("nodejs", "node");
        want_program("npm", "npm");
    }
    if specs.iter().any(|s| matches!(s.source, Source::Pip(_))) && !apt_installed("python3-venv") {
        missing.push("python3-venv");
    }
    missing.extend(specs.iter().filter_map(|s| match s.source {
        Source::Apt(package) if !apt_installed(package) => Some(package),
        _ => None,
    }));
    if missing.is_empty() {
        eprintln!("found every Debian package needed");
        return Ok(());
    }
    eprintln!("installing from Debian: {}", missing.join(" "));
    let _guard = NoServices::install()?;
    process::run(Command::new("apt-get").args(["update", "-q"]))?;
    process::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null()),
    )?;
    match missing.iter().find(|p| !apt_installed(p)) {
        Some(p) => Err(format!("{p} is still missing after apt-get install")),
        None => Ok(()),
    }
}

/// A `policy-rc.d` that exits 101 (no service may start) while it lives; the previous file, if
/// any, is put back when it is dropped.
struct NoServices {
    previous: Option<(Vec<u8>, u32)>,
}

impl NoServices {
    fn install() -> Result<NoServices, String> {
        let previous = match fs::read(POLICY_RC_D) {
            Ok(bytes) => {
                let mode = fs::metadata(POLICY_RC_D)
                    .map(|m| m.permissions().mode())
                    .map_err(|e| format!("cannot read {POLICY_RC_D}: {e}"))?;
                Some((bytes, mode))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {POLICY_RC_D}: {e}")),
        };
        let guard = NoServices { previous };
        fs::write(
            POLICY_RC_D,
            "#!/bin/sh\n# Written by cargo xtask servers.\nexit 101\n",
        )
        .and_then(|()| fs::set_permissions(POLICY_RC_D, fs::Permissions::from_mode(0o755)))
        .map_err(|e| format!("cannot write {POLICY_RC_D}: {e}"))?;
        Ok(guard)
    }
}

impl Drop for NoServices {
    fn drop(&mut self) {
        let restored = match &self.previous {
            Some((bytes, mode)) => fs::write(POLICY_RC_D, bytes)
                .and_then(|()| fs::set_permissions(POLICY_RC_D, fs::Permissions::from_mode(*mode))),
            None => fs::remove_file(POLICY_RC_D),
        };
        if let Err(e) = restored {
            eprintln!("cannot restore {POLICY_RC_D}: {e}");
        }
    }
}

/// The packages `pick` finds in the sources of `specs`.
fn packages_of(specs: &[&Spec], pick: fn(Source) -> Option<&'static str>) -> Vec<&'static str> {
    specs.iter().filter_map(|s| pick(s.source)).collect()
}

/// Builds a venv in `dir` from Debian's Python and installs the PyPI servers into it.
pub(crate) fn venv(specs: &[&Spec], dir: &Path) -> Result<Option<PathBuf>, String> {
    let packages = packages_of(specs, |source| match source {
        Source::Pip(package) => Some(package),
        _ => None,
    });
    if packages.is_empty() {
        return Ok(None);
    }
    let venv = dir.join("venv");
    process::run(Command::new(DEBIAN_PYTHON).args(["-m", "venv"]).arg(&venv))?;
    process::run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", "--no-input"])
            .args(&packages)
            .stdin(Stdio::null()),
    )?;
    Ok(Some(venv))
}

/// Installs the npm packages of the servers into `dir/npm` and returns its `node_modules`.
pub(crate) fn npm(specs: &[&Spec], dir: &Path) -> Result<Option<PathBuf>, String> {
    let packages = packages_of(specs, |source| match source {
        Source::Npm(package) => Some(package),
        _ => None,
    });
    if packages.is_empty() {
        return Ok(None);
    }
    let prefix = dir.join("npm");
    super::launch::make_dir(&prefix)?;
    process::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&prefix)
            .args(&packages)
            .stdin(Stdio::null()),
    )?;
    Ok(Some(prefix.join("node_modules")))
}
