//! The check catalogue: one file per check, each exporting a `CHECK` constant.
//! [`ALL`] is the registry; the order here is the order checks are listed and run.

use crate::check::{Check, ClusterCheck};

/// Every per-node check.
pub static ALL: &[&Check] = &[];

/// Every cross-node check.
pub static CLUSTER: &[&ClusterCheck] = &[];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        let ids = ALL.iter().map(|c| c.id).chain(CLUSTER.iter().map(|c| c.id));
        for id in ids {
            assert!(seen.insert(id), "duplicate check id {id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "check id {id} is not kebab-case"
            );
        }
    }
}
