//! TLS for `yusuan serve`: loading the certificate chain and private key.
//!
//! A certificate that was asked for and cannot be loaded stops the server with an error
//! naming the file; there is no fallback to plaintext.

use std::path::Path;
use std::sync::Arc;

use datafusion_postgres::pgwire::tokio::TlsAcceptor;
use datafusion_postgres::pgwire::tokio::tokio_rustls::rustls;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A TLS acceptor from a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or
/// SEC1).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot load the TLS certificate {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cannot load the TLS certificate {}: no certificate in it",
            cert.display()
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot load the TLS key {}: {e}", key.display()))?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| {
            format!(
                "the TLS certificate {} and key {} do not make a TLS configuration: {e}",
                cert.display(),
                key.display()
            )
        })?;
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
