//! One `<myq-topup>` on the page: its configuration, its state as signals for the UI, and the
//! events it dispatches.

use std::rc::Rc;

use leptos::prelude::*;
use web_sys::HtmlElement;

use super::config::Config;
use super::events::{self, emit};
use super::token::ElementTokens;
use crate::api::{DEFAULT_TIMEOUT_MS, MyqClient};
use crate::topup::{self, Account};

/// What the widget shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Starting,
    Ready(Account),
    /// The widget cannot go on until the problem is fixed or retried.
    Failed(events::Error),
}

/// The controller of one element. Cheap to clone: clones share the element and the signals.
#[derive(Clone)]
pub struct Widget {
    element: HtmlElement,
    status: RwSignal<Status>,
}

impl Widget {
    pub fn new(element: HtmlElement) -> Widget {
        Widget {
            element,
            status: RwSignal::new(Status::Starting),
        }
    }

    pub fn status(&self) -> ReadSignal<Status> {
        self.status.read_only()
    }

    /// Reads the attributes and connects: user, providers, balance; then `myq-topup-ready`, or
    /// `myq-topup-error` and a message in the widget.
    ///
    /// Everything happens after this returns, so a listener added right after mounting hears
    /// every event, a configuration error included.
    pub fn start(&self) {
        self.status.set(Status::Starting);
        let widget = self.clone();
        leptos::task::spawn_local(async move {
            let config = match widget.config() {
                Ok(config) => config,
                Err(err) => return widget.fail(events::Error::about("config", &err)),
            };
            let tokens = Rc::new(ElementTokens {
                element: widget.element.clone(),
                token_url: config.token_url.clone(),
            });
            let myq = MyqClient::new(&config.base_url, tokens, DEFAULT_TIMEOUT_MS);
            match topup::start(&myq, &config.who, &config.provider).await {
                Ok(account) => {
                    emit(&widget.element, "ready", &events::Ready::from(&account));
                    widget.status.set(Status::Ready(account));
                }
                Err(err) => widget.fail((&err).into()),
            }
        });
    }

    fn config(&self) -> Result<Config, super::ConfigError> {
        let page = self
            .element
            .owner_document()
            .and_then(|d| d.url().ok())
            .unwrap_or_default();
        Config::read(|name| self.element.get_attribute(name), &page)
    }

    fn fail(&self, error: events::Error) {
        emit(&self.element, "error", &error);
        self.status.set(Status::Failed(error));
    }

    /// The element's shadow root, made on first use and reused after the element moves.
    pub fn shadow_root(&self) -> web_sys::ShadowRoot {
        self.element.shadow_root().unwrap_or_else(|| {
            let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
            self.element
                .attach_shadow(&init)
                .expect("a custom element can hold a shadow root")
        })
    }
}
