//! Kernel log reading for the o2 stack, one job per module:
//! - where the lines come from: [`lines`] (dmesg, syslog, journal, with origin),
//!   [`scan`] with [`scan_chunk`] (the parallel streaming extraction) and
//!   [`scan_pipe`] (rotated and compressed logs), [`stamp`] (timestamps on one axis);
//! - what they say: [`event`] (typed events, in every kernel wording),
//!   [`node_events`] (a node's events with their lines), [`errno`] (errno names);
//! - what follows from them: [`history`] (now versus history), [`dlm`] (domain
//!   membership), [`fence`] (who fenced and why), [`timeline`] with
//!   [`timeline_fences`] (every node's events on one axis).

pub mod dlm;
pub mod errno;
pub mod event;
pub mod fence;
pub mod history;
pub mod lines;
pub mod node_events;
pub mod scan;
pub mod scan_chunk;
pub mod scan_pipe;
pub mod stamp;
pub mod timeline;
pub mod timeline_fences;
