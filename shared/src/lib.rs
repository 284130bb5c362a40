//! Types both the server and the player app use, the wire error codes, and the
//! signing algorithm every partner request and callback carries.
//!
//! This crate depends on serde and small pure crates only, so it compiles to
//! `wasm32-unknown-unknown` and can be handed to partners as the reference
//! implementation of the protocol.

pub mod api;
pub mod codes;
pub mod console;
pub mod envelope;
pub mod format;
pub mod live;
pub mod open;
pub mod partner;
pub mod sign;
pub mod theme;

pub use codes::ErrorCode;
pub use envelope::Envelope;
