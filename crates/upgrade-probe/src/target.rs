//! The server to probe: `http://host[:port]` or `https://host[:port]`.

use std::fmt;

/// Whether the probe speaks plain TCP or TLS to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`: HTTP/1.1 over TCP; h2c can be probed.
    Http,
    /// `https://`: HTTP/1.1 over TLS (rustls); h2c probes are `n/a`.
    Https,
}

/// A parsed target URL: scheme, host and port, nothing else (no path, query or user info).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    scheme: Scheme,
    host: String,
    port: u16,
}

/// Why a URL is not a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError(&'static str);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// Parses `http://host[:port]` or `https://host[:port]`, with an optional trailing `/`. The
    /// host is a name, an IPv4 address, or an IPv6 address in brackets.
    ///
    /// # Errors
    ///
    /// A [`TargetError`] saying what is wrong; it never echoes the URL.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_probe::{Scheme, Target};
    ///
    /// let target = Target::parse("http://127.0.0.1:8080")?;
    /// assert_eq!((target.scheme(), target.host(), target.port()), (Scheme::Http, "127.0.0.1", 8080));
    /// assert_eq!(Target::parse("https://[::1]")?.port(), 443);
    /// assert!(Target::parse("ftp://127.0.0.1").is_err());
    /// # Ok::<(), upgrade_probe::TargetError>(())
    /// ```
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, rest)
        } else {
            return Err(TargetError("the URL must start with http:// or https://"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '@']) {
            return Err(TargetError(
                "the URL is scheme, host and port only (the paths are --ws-path and --h2c-path)",
            ));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or(TargetError("an IPv6 host must end with ]"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(TargetError("the bracketed host is not an IPv6 address"));
            }
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(
                        after
                            .strip_prefix(':')
                            .ok_or(TargetError("only :port may follow the host"))?,
                    ),
                ),
            }
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b))
        {
            return Err(TargetError(
                "the host is empty or has a byte a host cannot have",
            ));
        }
        let port = match port {
            None => match scheme {
                Scheme::Http => 80,
                Scheme::Https => 443,
            },
            Some(digits) => match digits.parse::<u16>() {
                Ok(port) if port != 0 && digits.bytes().all(|b| b.is_ascii_digit()) => port,
                _ => return Err(TargetError("the port must be a number from 1 to 65535")),
            },
        };
        Ok(Target {
            scheme,
            host: host.to_owned(),
            port,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, without brackets for IPv6.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (80 or 443 when the URL has none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The value of the `Host` field for requests to this target (RFC 9110 section 7.2): the
    /// host, brackets for IPv6, and the port unless it is the scheme's default.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = match self.scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.authority())
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn parses_hosts_ports_and_defaults() {
        let t = Target::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (t.host(), t.port(), t.authority()),
            ("127.0.0.1", 8080, "127.0.0.1:8080".into())
        );
        let t = Target::parse("HTTPS://localhost").unwrap();
        assert_eq!(
            (t.scheme(), t.port(), t.authority()),
            (Scheme::Https, 443, "localhost".into())
        );
        let t = Target::parse("http://[::1]:9").unwrap();
        assert_eq!((t.host(), t.authority()), ("::1", "[::1]:9".into()));
    }

    #[test]
    fn rejects_what_is_not_scheme_host_and_port() {
        for url in [
            "127.0.0.1:80",
            "ws://127.0.0.1",
            "http://",
            "http://127.0.0.1:0",
            "http://127.0.0.1:65536",
            "http://127.0.0.1:+80",
            "http://127.0.0.1/chat",
            "http://user@127.0.0.1",
            "http://[::1",
            "http://[nothost]:80",
            "http://a b",
        ] {
            assert!(Target::parse(url).is_err(), "{url}");
        }
    }
}
