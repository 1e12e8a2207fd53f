//! Scenario tests: nodes write to the shared OCFS2 mount and the results are
//! verified. Everything a scenario writes lives in `<mount>/.o2check-<run id>/`,
//! removed when the scenario ends, also on Ctrl-C. A path that is not OCFS2 is
//! refused unless the caller explicitly allows it.

pub mod append;
pub mod preset;
pub mod records;
pub mod workspace;
