//! Cancel requests for `yusuan serve`, through the whole of a statement.
//!
//! pgwire stops a statement on a cancel request only while the handler plans it; the rows
//! are produced later, while they are sent. Each connection therefore also has a signal
//! here, keyed like pgwire's by process id and secret key: a cancel request fires both, and
//! a statement's rows stop when the signal moves past the value it had when the statement
//! started.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion_postgres::pgwire;
use pgwire::api::ConnectionManager;
use pgwire::api::cancel::CancelHandler;
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::startup::SecretKey;
use tokio::sync::watch;

type Key = (i32, Vec<u8>);

/// The live connections' signals.
#[derive(Debug, Default)]
pub struct Cancels {
    signals: Mutex<HashMap<Key, Arc<watch::Sender<u64>>>>,
}

/// One connection's signal; unregistered when the connection ends (dropped with it).
#[derive(Debug)]
pub struct Signal {
    key: Key,
    sender: Arc<watch::Sender<u64>>,
    cancels: Arc<Cancels>,
}

impl Cancels {
    /// Registers a connection.
    pub fn register(self: &Arc<Self>, pid: i32, secret_key: &SecretKey) -> Signal {
        let key = (pid, secret_key.to_bytes().to_vec());
        let sender = Arc::new(watch::channel(0u64).0);
        if let Ok(mut signals) = self.signals.lock() {
            signals.insert(key.clone(), Arc::clone(&sender));
        }
        Signal {
            key,
            sender,
            cancels: Arc::clone(self),
        }
    }

    fn fire(&self, pid: i32, secret_key: &SecretKey) {
        let key = (pid, secret_key.to_bytes().to_vec());
        let sender = self
            .signals
            .lock()
            .ok()
            .and_then(|signals| signals.get(&key).cloned());
        if let Some(sender) = sender {
            sender.send_modify(|n| *n += 1);
        }
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        if let Ok(mut signals) = self.cancels.signals.lock() {
            signals.remove(&self.key);
        }
    }
}

impl Signal {
    /// A receiver and the signal's value now: the statement starting now is cancelled when
    /// the value moves past it.
    pub fn watch(&self) -> (watch::Receiver<u64>, u64) {
        let receiver = self.sender.subscribe();
        let now = *receiver.borrow();
        (receiver, now)
    }
}

/// The cancel handler: pgwire's (planning) and the signal (rows).
pub struct Cancel {
    pub manager: Arc<ConnectionManager>,
    pub cancels: Arc<Cancels>,
}

#[async_trait]
impl CancelHandler for Cancel {
    async fn on_cancel_request(&self, request: CancelRequest) {
        self.cancels.fire(request.pid, &request.secret_key);
        self.manager.cancel(request.pid, &request.secret_key).await;
    }
}
