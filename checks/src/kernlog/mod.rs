//! Kernel log reading for the o2 stack: where the lines come from ([`lines`]),
//! and what the o2dlm membership lines say ([`dlm`]).

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
