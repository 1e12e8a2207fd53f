//! The README's check table is the user's reference: every check must be in it.

use o2check_checks::rules;

#[test]
fn readme_lists_every_check_id() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let ids = rules::ALL
        .iter()
        .map(|c| c.id)
        .chain(rules::CLUSTER.iter().map(|c| c.id));
    for id in ids {
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "README.md does not document check `{id}`"
        );
    }
}
