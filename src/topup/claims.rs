//! Which payments a flow of this widget holds, shared by all its sessions.
//!
//! A restart (an attribute changed, `refresh()`) opens a new [`Session`](super::Session) while
//! the old one's flow may still be committing. The new session lists that payment as `created`;
//! offered to finish, it would get a second terminal event (and a second commit). So a flow
//! claims its payment here; a claimed payment is not offered, and cannot be finished or
//! canceled, by any session of the widget. A payment the flow settled (committed or rolled
//! back) stays claimed for a while, since a session opened before it settled still lists it as
//! `created`; one the flow could not finish is released to be offered again.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Settled payments remembered; a session opened before one settled is replaced within a few
/// flows, and the memory stays flat on a page that tops up for hours.
const SETTLED_KEPT: usize = 50;

/// The widget's claims. Clones share them.
#[derive(Clone, Debug, Default)]
pub struct Claims(Rc<RefCell<Held>>);

#[derive(Debug, Default)]
struct Held {
    running: Vec<String>,
    settled: VecDeque<String>,
}

impl Claims {
    /// Whether a flow holds `payment_id` now or settled it lately.
    pub fn holds(&self, payment_id: &str) -> bool {
        let held = self.0.borrow();
        held.running
            .iter()
            .chain(&held.settled)
            .any(|id| id == payment_id)
    }

    /// Claims `payment_id` for a flow; `None` when another flow holds it.
    pub fn take(&self, payment_id: &str) -> Option<Claim> {
        if self.holds(payment_id) {
            return None;
        }
        self.0.borrow_mut().running.push(payment_id.to_owned());
        Some(Claim {
            claims: self.clone(),
            payment_id: payment_id.to_owned(),
        })
    }
}

/// A flow's hold on one payment. Dropped without [`Claim::settled`] (the flow could not
/// finish, or was dropped), the payment is released to be offered again.
#[derive(Debug)]
pub struct Claim {
    claims: Claims,
    payment_id: String,
}

impl Claim {
    /// The payment reached a final state: it stays held for a while.
    pub fn settled(self) {
        let mut held = self.claims.0.borrow_mut();
        held.settled.push_back(self.payment_id.clone());
        if held.settled.len() > SETTLED_KEPT {
            held.settled.pop_front();
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut held = self.claims.0.borrow_mut();
        if let Some(at) = held.running.iter().position(|id| *id == self.payment_id) {
            held.running.swap_remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimed_payment_is_held_until_released_and_settled_ones_for_a_while() {
        let claims = Claims::default();
        let shared = claims.clone();
        let claim = claims.take("1").unwrap();
        assert!(shared.holds("1"));
        assert!(shared.take("1").is_none(), "one flow per payment");
        drop(claim);
        assert!(!shared.holds("1"), "an unfinished payment is offered again");

        claims.take("1").unwrap().settled();
        assert!(shared.holds("1"));
        assert!(shared.take("1").is_none());
        for id in 2..=SETTLED_KEPT + 1 {
            claims.take(&id.to_string()).unwrap().settled();
        }
        assert!(!claims.holds("1"), "the oldest settled one is forgotten");
        assert!(claims.holds("2"));
    }
}
