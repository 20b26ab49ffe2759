//! A request as the probe sends it: method, target, version, field lines in order, body.

/// The HTTP version of a request line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `HTTP/1.0`
    Http10,
    /// `HTTP/1.1`
    Http11,
}

/// One request, field lines kept in order and as raw bytes, so that repeated and malformed
/// fields reach the server exactly as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) version: Version,
    pub(crate) fields: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
    /// Send the head alone and the body after a `100 Continue` (or a short silence), as a
    /// client that sends `Expect: 100-continue` does (RFC 9110 section 10.1.1).
    pub(crate) hold_body: bool,
}

impl Request {
    /// A request with no field lines and no body.
    pub(crate) fn new(method: &str, path: &str, version: Version) -> Request {
        Request {
            method: method.to_owned(),
            path: path.to_owned(),
            version,
            fields: Vec::new(),
            body: Vec::new(),
            hold_body: false,
        }
    }

    /// Appends one field line.
    pub(crate) fn field(mut self, name: &str, value: impl AsRef<[u8]>) -> Request {
        self.fields.push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// Sets the body and its `Content-Length`.
    pub(crate) fn body(self, body: &[u8]) -> Request {
        let mut request = self.field("Content-Length", body.len().to_string());
        request.body = body.to_vec();
        request
    }

    /// Holds the body back until `100 Continue`.
    pub(crate) fn hold_body(mut self) -> Request {
        self.hold_body = true;
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The version of the request line.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The field lines, in order.
    pub fn fields(&self) -> &[(String, Vec<u8>)] {
        &self.fields
    }

    /// The head as sent: request line, field lines, empty line.
    pub fn head_bytes(&self) -> Vec<u8> {
        let version = match self.version {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        };
        let request_line = format!("{} {} {version}", self.method, self.path);
        upgrade_testkit::wire::request_head(&request_line, &self.fields)
    }

    /// The whole request as sent: head and body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.head_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    /// The body.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_repeated_fields_in_order_and_the_body_after_the_head() {
        let request = Request::new("POST", "/x", Version::Http10)
            .field("Connection", "a")
            .field("connection", "b")
            .body(b"hi");
        assert_eq!(
            request.to_bytes(),
            b"POST /x HTTP/1.0\r\nConnection: a\r\nconnection: b\r\nContent-Length: 2\r\n\r\nhi"
        );
    }
}
