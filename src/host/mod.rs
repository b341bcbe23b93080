//! `host`: the page boundary. Attributes and properties into a checked [`Config`], the token
//! source, DOM events out. The only layer that knows the page.

mod config;
pub mod events;
mod token;
mod widget;

pub use config::{Config, ConfigError, DEFAULT_PROVIDER};
pub use token::describe;
pub use widget::{Status, Widget};
