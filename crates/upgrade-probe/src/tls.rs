//! The TLS client configuration for `https://` targets: rustls with the ring provider.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, ring};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Which server certificates the probe trusts.
#[derive(Clone, Debug, Default)]
pub enum Trust {
    /// The Mozilla root store (webpki-roots).
    #[default]
    WebPki,
    /// The certificates of a PEM file, for a test server with its own CA (`--cacert FILE`).
    CaFile(std::path::PathBuf),
    /// Any certificate, for test servers with a self-signed one (`--insecure`). Signatures of
    /// the handshake are still checked, so the TLS session itself is sound.
    Insecure,
}

/// Builds the client configuration for `trust`.
///
/// # Errors
///
/// A message when the CA file cannot be read or holds no certificate, or rustls refuses the
/// configuration.
pub(crate) fn config(trust: &Trust) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?;
    let config = match trust {
        Trust::WebPki => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::CaFile(path) => builder
            .with_root_certificates(roots_from(path)?)
            .with_no_client_auth(),
        Trust::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The server name to send and check, from the target's host.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_owned()).map_err(|e| format!("not a TLS server name: {e}"))
}

fn roots_from(path: &Path) -> Result<RootCertStore, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read --cacert {}: {e}", path.display()))?;
    let mut roots = RootCertStore::empty();
    for cert in certs {
        let cert = cert.map_err(|e| format!("--cacert {}: {e}", path.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("--cacert {}: {e}", path.display()))?;
    }
    if roots.is_empty() {
        return Err(format!(
            "--cacert {}: no certificate in the file",
            path.display()
        ));
    }
    Ok(roots)
}

/// Accepts any certificate chain, checks the handshake signatures with the provider's
/// algorithms.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
