//! Helpers shared by the integration tests that need them (`mod support;`).

pub mod stand_in;
