//! Multi-node scenarios.
