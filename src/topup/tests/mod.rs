//! The flow natively, against the simulator's own MyQ X state in process: the same server logic
//! the HTTP tests and the browser tests talk to, with faults injected at the client's edge.

mod local;
mod property;
mod session;
mod start;
