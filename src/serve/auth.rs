//! Who may connect to `yusuan serve`: the users file, password verifiers, and the
//! startup handler that checks a client's password.
//!
//! The users file has one user a line, `NAME:VERIFIER`, blank lines and `#` comments
//! allowed. The verifier is PostgreSQL's own SCRAM-SHA-256 form
//! (`SCRAM-SHA-256$4096:SALT$STOREDKEY:SERVERKEY`, as in `pg_authid.rolpassword`), which
//! `yusuan serve --hash-password` prints for a password read from stdin. The file holds no
//! password, nor anything a client could log in with.
//!
//! The client sends its password in the password message (PostgreSQL's `password`
//! method); off loopback the server only listens with TLS, so it never crosses a network
//! in clear. The password is hashed with the user's salt and iteration count and compared
//! with the stored key in constant time. An unknown user and a wrong password get the
//! same answer (`28P01 password authentication failed`), after the same delay.

use std::collections::HashMap;
use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion_postgres::pgwire;
use futures::{Sink, SinkExt};
use pgwire::api::auth::sasl::scram::gen_salted_password;
use pgwire::api::auth::{
    DefaultServerParameterProvider, LoginInfo, StartupHandler, finish_authentication,
    protocol_negotiation, save_startup_parameters_to_metadata,
};
use pgwire::api::{
    ClientInfo, ConnectionHandle, ConnectionManager, PgWireConnectionState, PidSecretKeyGenerator,
    RandomPidSecretKeyGenerator,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::startup::Authentication;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use sha2::{Digest, Sha256};

/// Iterations of PBKDF2 for a new verifier (PostgreSQL's default).
pub const ITERATIONS: u32 = 4096;

/// A SCRAM-SHA-256 verifier: what is stored for a user.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    iterations: u32,
    salt: Vec<u8>,
    stored_key: [u8; 32],
    server_key: [u8; 32],
}

impl Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(SCRAM-SHA-256)")
    }
}

impl Verifier {
    /// The verifier of `password` with `salt`.
    pub fn new(password: &str, salt: &[u8], iterations: u32) -> Verifier {
        let salted = gen_salted_password(password, salt, iterations as usize);
        let client_key = hmac_sha256(&salted, b"Client Key");
        Verifier {
            iterations,
            salt: salt.to_vec(),
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac_sha256(&salted, b"Server Key"),
        }
    }

    /// Parses `SCRAM-SHA-256$ITER:SALT$STOREDKEY:SERVERKEY`.
    pub fn parse(text: &str) -> Result<Verifier, String> {
        let bad = || {
            "expected a SCRAM-SHA-256 verifier (SCRAM-SHA-256$4096:SALT$STOREDKEY:SERVERKEY, from `yusuan serve --hash-password`)".to_string()
        };
        let rest = text.strip_prefix("SCRAM-SHA-256$").ok_or_else(bad)?;
        let (params, keys) = rest.split_once('$').ok_or_else(bad)?;
        let (iterations, salt) = params.split_once(':').ok_or_else(bad)?;
        let (stored, server) = keys.split_once(':').ok_or_else(bad)?;
        let iterations: u32 = iterations.parse().map_err(|_| bad())?;
        if iterations == 0 {
            return Err(bad());
        }
        let decode = |s: &str| STANDARD.decode(s).map_err(|_| bad());
        let key =
            |s: &str| -> Result<[u8; 32], String> { decode(s)?.try_into().map_err(|_| bad()) };
        Ok(Verifier {
            iterations,
            salt: decode(salt)?,
            stored_key: key(stored)?,
            server_key: key(server)?,
        })
    }

    /// Whether `password` is the one this verifier was made from.
    pub fn verify(&self, password: &str) -> bool {
        let salted = gen_salted_password(password, &self.salt, self.iterations as usize);
        let stored: [u8; 32] = Sha256::digest(hmac_sha256(&salted, b"Client Key")).into();
        constant_time_eq(&stored, &self.stored_key)
    }
}

impl std::fmt::Display for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            STANDARD.encode(&self.salt),
            STANDARD.encode(self.stored_key),
            STANDARD.encode(self.server_key)
        )
    }
}

/// A verifier for `password` with a fresh random salt.
pub fn hash_password(password: &str) -> std::io::Result<Verifier> {
    let mut salt = [0u8; 16];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(&mut salt)?;
    Ok(Verifier::new(password, &salt, ITERATIONS))
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_pad = block.map(|b| b ^ 0x36);
    let outer_pad = block.map(|b| b ^ 0x5c);
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The users allowed to connect.
#[derive(Debug, Default)]
pub struct Users {
    users: HashMap<String, Verifier>,
}

impl Users {
    /// Reads a users file; an error names the file and line.
    pub fn load(path: &Path) -> Result<Users, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the users file {}: {e}", path.display()))?;
        let users = Users::parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
        if users.users.is_empty() {
            return Err(format!(
                "the users file {} names no user: add NAME:VERIFIER lines (`yusuan serve --hash-password`)",
                path.display()
            ));
        }
        Ok(users)
    }

    /// Parses the text of a users file (errors start with the line number).
    pub fn parse(text: &str) -> Result<Users, String> {
        let mut users = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, verifier) = line
                .split_once(':')
                .ok_or_else(|| format!("{}: expected NAME:VERIFIER", n + 1))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("{}: the user name is empty", n + 1));
            }
            let verifier =
                Verifier::parse(verifier.trim()).map_err(|e| format!("{}: {e}", n + 1))?;
            if users.insert(name.to_string(), verifier).is_some() {
                return Err(format!("{}: user {name} is named twice", n + 1));
            }
        }
        Ok(Users { users })
    }

    /// Whether `user` may log in with `password`.
    pub fn check(&self, user: &str, password: &str) -> bool {
        match self.users.get(user) {
            Some(verifier) => verifier.verify(password),
            None => {
                // As much work as a real check, so that timing does not tell users apart.
                let _ = Verifier::new(password, b"yusuan-no-such-user", ITERATIONS);
                false
            }
        }
    }
}

/// The startup handler: asks for the password, checks it against the users file, and
/// registers the connection for cancel requests.
pub struct PasswordStartup {
    users: Arc<Users>,
    parameters: DefaultServerParameterProvider,
    keys: RandomPidSecretKeyGenerator,
    connections: Arc<ConnectionManager>,
    cancels: Arc<super::cancel::Cancels>,
    require_tls: bool,
}

impl PasswordStartup {
    /// With `require_tls`, a client that did not negotiate TLS is refused before it is
    /// asked for a password.
    pub fn new(
        users: Arc<Users>,
        connections: Arc<ConnectionManager>,
        cancels: Arc<super::cancel::Cancels>,
        require_tls: bool,
    ) -> PasswordStartup {
        let mut parameters = DefaultServerParameterProvider::default();
        parameters.server_version = format!("{} (yusuan)", super::catalog::PG_VERSION);
        parameters.is_superuser = false;
        parameters.default_transaction_read_only = true;
        PasswordStartup {
            users,
            parameters,
            keys: RandomPidSecretKeyGenerator::default(),
            connections,
            cancels,
            require_tls,
        }
    }
}

/// A wrong password waits this long before the refusal.
const REFUSAL_DELAY: Duration = Duration::from_millis(300);

#[async_trait]
impl StartupHandler for PasswordStartup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                if self.require_tls && !client.is_secure() {
                    return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                        "FATAL".to_string(),
                        "28000".to_string(),
                        "TLS is required: connect with sslmode=require (or verify-full)"
                            .to_string(),
                    ))));
                }
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                client.set_state(PgWireConnectionState::AuthenticationInProgress);
                client
                    .send(PgWireBackendMessage::Authentication(
                        Authentication::CleartextPassword,
                    ))
                    .await?;
            }
            PgWireFrontendMessage::PasswordMessageFamily(message) => {
                let password = message.into_password()?;
                let login = LoginInfo::from_client_info(client);
                let user = login.user().unwrap_or_default().to_string();
                let users = Arc::clone(&self.users);
                let given = password.password.clone();
                let checked_user = user.clone();
                // PBKDF2 is deliberately slow: off the async workers.
                let ok = tokio::task::spawn_blocking(move || users.check(&checked_user, &given))
                    .await
                    .unwrap_or(false);
                if !ok {
                    tokio::time::sleep(REFUSAL_DELAY).await;
                    return Err(PgWireError::InvalidPassword(user));
                }
                let (pid, secret_key) = self.keys.generate(client);
                client.set_pid_and_secret_key(pid, secret_key.clone());
                let (handle, guard) = self.connections.register(pid, secret_key.clone());
                client
                    .session_extensions()
                    .insert::<Arc<ConnectionHandle>>(handle);
                client.session_extensions().insert(guard);
                let signal = self.cancels.register(pid, &secret_key);
                client.session_extensions().insert(signal);
                finish_authentication(client, &self.parameters).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_matches_postgresql() {
        // From PostgreSQL 16: SET password_encryption = 'scram-sha-256' with a fixed salt is
        // not possible from SQL, so check the RFC 7677 test vector instead (user "user",
        // password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations): its
        // ServerSignature depends on ServerKey, its ClientProof on StoredKey.
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let v = Verifier::new("pencil", &salt, 4096);
        let client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let client_final_without_proof =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let auth_message =
            format!("{client_first_bare},{server_first},{client_final_without_proof}");
        let server_signature = hmac_sha256(&v.server_key, auth_message.as_bytes());
        assert_eq!(
            STANDARD.encode(server_signature),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        let client_signature = hmac_sha256(&v.stored_key, auth_message.as_bytes());
        let proof = STANDARD
            .decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .unwrap();
        let client_key: Vec<u8> = proof
            .iter()
            .zip(client_signature)
            .map(|(p, s)| p ^ s)
            .collect();
        assert_eq!(<[u8; 32]>::from(Sha256::digest(client_key)), v.stored_key);
    }

    #[test]
    fn round_trip_and_check() {
        let v = hash_password("秘密 secret").unwrap();
        let parsed = Verifier::parse(&v.to_string()).unwrap();
        assert_eq!(parsed, v);
        assert!(parsed.verify("秘密 secret"));
        assert!(!parsed.verify("secret"));
        let users = Users::parse(&format!("# analysts\n\nana:{v}\n")).unwrap();
        assert!(users.check("ana", "秘密 secret"));
        assert!(!users.check("ana", "wrong"));
        assert!(!users.check("bob", "秘密 secret"));
    }

    #[test]
    fn bad_files_name_the_line() {
        assert!(
            Users::parse("ana:secret")
                .unwrap_err()
                .starts_with("1: expected a SCRAM")
        );
        assert!(
            Users::parse("\nana")
                .unwrap_err()
                .starts_with("2: expected NAME:VERIFIER")
        );
        let v = hash_password("x").unwrap();
        assert!(
            Users::parse(&format!("a:{v}\na:{v}"))
                .unwrap_err()
                .contains("named twice")
        );
        assert!(Verifier::parse("SCRAM-SHA-256$0:AA==$AA==:AA==").is_err());
    }
}
