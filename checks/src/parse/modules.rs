//! Loaded kernel modules from /proc/modules (`name size refs deps state addr`) or
//! `lsmod` output (a `Module Size Used by` header; busybox adds `Not tainted`).

use crate::text::Text;

/// Names of loaded modules, with the line that lists each.
pub fn parse(text: &Text) -> Vec<(String, u32)> {
    super::pasted::iter(text)
        .filter_map(|(line, raw)| {
            let name = raw.split_whitespace().next()?;
            let size = raw.split_whitespace().nth(1)?;
            // The lsmod header ("Module Size Used by") has no numeric size.
            size.parse::<u64>().ok()?;
            Some((name.to_string(), line))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_lsmod_seed_lsmod_and_proc_modules() {
        let lab = parse(&Text::new(
            "l",
            include_str!("../../../fixtures/captures/lsmod-node1.txt"),
        ));
        assert!(lab.iter().any(|(m, _)| m == "ocfs2_stack_o2cb"));
        assert!(!lab.iter().any(|(m, _)| m == "Module"));
        let seed = parse(&Text::new(
            "s",
            "ocfs2                1094439  0 \nocfs2_nodemanager     223253  1 ocfs2\n",
        ));
        assert_eq!(
            seed,
            [
                ("ocfs2".to_string(), 1),
                ("ocfs2_nodemanager".to_string(), 2)
            ]
        );
        let proc = parse(&Text::new(
            "p",
            "ocfs2_dlm 221184 1 ocfs2_stack_o2cb, Live 0x0000000000000000\n",
        ));
        assert_eq!(proc[0].0, "ocfs2_dlm");
    }
}
