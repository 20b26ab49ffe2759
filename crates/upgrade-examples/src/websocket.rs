//! The switch to websocket (RFC 6455): the 101 of the decision, then an echo service over the
//! upgraded connection.

use futures_util::{SinkExt as _, StreamExt as _};
use http::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{self, Message};
use upgrade_negotiate::Decision;

use crate::BoxError;
use crate::plain::{self, Body};

/// The 101 for a websocket switch (`Connection: upgrade`, `Upgrade: websocket`,
/// `Sec-WebSocket-Accept`, all from the decision), and a task that echoes once hyper has sent
/// it and handed over the connection.
///
/// # Errors
///
/// When the decision's head does not convert to a response.
pub(crate) fn switch(
    decision: &Decision<'_>,
    on_upgrade: OnUpgrade,
) -> Result<Response<Body>, BoxError> {
    let response = plain::head(decision)?.body(Body::default())?;
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                if let Err(e) = echo(upgraded).await {
                    eprintln!("websocket: {e}");
                }
            }
            Err(e) => eprintln!("websocket: the upgrade did not happen: {e}"),
        }
    });
    Ok(response)
}

/// Echoes text and binary messages until the client closes. tungstenite answers ping with pong
/// and a close with a close.
async fn echo(upgraded: Upgraded) -> Result<(), tungstenite::Error> {
    let mut socket =
        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
    while let Some(message) = socket.next().await {
        match message? {
            message @ (Message::Text(_) | Message::Binary(_)) => socket.send(message).await?,
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => {}
        }
    }
    Ok(())
}
