//! How a command line is named inside a bundle: the issue's contract is "the command
//! line with spaces turned to `_`" (`commands/o2cb_cluster-status`). Arguments may
//! contain `/` (`debugfs.ocfs2 -R stats /dev/vda`), which cannot be in a file name,
//! so `%` and `/` are percent-encoded (`%25`, `%2F`).

/// The file name under `commands/` for `argv`.
pub fn command_file_name(argv: &[&str]) -> String {
    let mut name = String::new();
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            name.push('_');
        }
        for c in arg.chars() {
            match c {
                '%' => name.push_str("%25"),
                '/' => name.push_str("%2F"),
                ' ' => name.push('_'),
                c => name.push(c),
            }
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_bundle_contract() {
        assert_eq!(command_file_name(&["uname", "-n"]), "uname_-n");
        assert_eq!(
            command_file_name(&["o2cb", "cluster-status"]),
            "o2cb_cluster-status"
        );
        assert_eq!(
            command_file_name(&["service", "o2cb", "status"]),
            "service_o2cb_status"
        );
        assert_eq!(
            command_file_name(&["mounted.ocfs2", "-f"]),
            "mounted.ocfs2_-f"
        );
        assert_eq!(
            command_file_name(&["debugfs.ocfs2", "-R", "stats", "/dev/vda"]),
            "debugfs.ocfs2_-R_stats_%2Fdev%2Fvda"
        );
    }
}
