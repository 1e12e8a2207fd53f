//! An open-iscsi node record, the file iscsiadm keeps per target portal under
//! /etc/iscsi/nodes (Debian) or /var/lib/iscsi/nodes (RHEL): `key = value` lines
//! written by open-iscsi's usr/idbm.c (idbm_print(), after a `# BEGIN RECORD`
//! comment). o2check needs which target and portal the record is for and whether
//! iscsid logs in there at start-up (`node.startup = automatic`).

use super::pasted;
use crate::text::Text;

/// What a record says about where and when the initiator logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    /// `node.name`, the target's IQN.
    pub target: String,
    /// `node.conn[0].address`.
    pub address: String,
    /// `node.conn[0].port`.
    pub port: Option<u16>,
    /// `node.startup`: `automatic`, `manual` or `onboot`.
    pub startup: String,
    /// The 1-based line of `node.startup`, for evidence.
    pub startup_line: u32,
}

impl NodeRecord {
    /// iscsid logs in to this portal when it starts (open-iscsi's `automatic`;
    /// `onboot` is for the boot session of iBFT, handled by the initramfs).
    pub fn logs_in_at_start(&self) -> bool {
        self.startup.eq_ignore_ascii_case("automatic")
    }
}

/// The record in `text`, or None when it lacks the target, the address or the
/// start-up mode (not a node record, or cut short).
pub fn parse(text: &Text) -> Option<NodeRecord> {
    let (mut target, mut address, mut port, mut startup) = (None, None, None, None);
    for (line, l) in pasted::iter(text) {
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "node.name" => target = Some(value),
            "node.conn[0].address" => address = Some(value),
            "node.conn[0].port" => port = value.parse().ok(),
            "node.startup" => startup = Some((value, line)),
            _ => {}
        }
    }
    let (startup, startup_line) = startup?;
    Some(NodeRecord {
        target: target?,
        address: address?,
        port,
        startup,
        startup_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lab's real record (open-iscsi 2.1.8, `iscsiadm -m node -o new`), cut
    /// to the lines that matter and the ones around them.
    const RECORD: &str = "# BEGIN RECORD 2.1.8\nnode.name = iqn.2026-12.test.ocfs2:o2lab\nnode.tpgt = -1\nnode.startup = automatic\nnode.leading_login = No\nnode.conn[0].address = 10.0.2.101\nnode.conn[0].port = 3260\nnode.conn[0].startup = manual\n# END RECORD\n";

    #[test]
    fn reads_target_portal_and_startup() {
        let r = parse(&Text::new("record", RECORD)).unwrap();
        assert_eq!(r.target, "iqn.2026-12.test.ocfs2:o2lab");
        assert_eq!((r.address.as_str(), r.port), ("10.0.2.101", Some(3260)));
        assert!(r.logs_in_at_start());
        assert_eq!(r.startup_line, 4, "node.startup, not node.conn[0].startup");
    }

    #[test]
    fn manual_records_and_broken_files() {
        let manual = RECORD.replace("node.startup = automatic", "node.startup = manual");
        assert!(!parse(&Text::new("r", manual)).unwrap().logs_in_at_start());
        assert_eq!(parse(&Text::new("r", "garbage\n\u{0}=\n")), None);
        let cut = RECORD.split("node.conn[0].address").next().unwrap();
        assert_eq!(parse(&Text::new("r", cut)), None, "no address: not judged");
    }
}
