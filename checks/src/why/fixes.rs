//! Fixes that are right for the node: the exact command sequence for its
//! distribution family and ocfs2-tools version, with the names the evidence gives
//! (cluster, node, address, device, mount point) filled in.
//!
//! The init script is the tool that keeps the node's timeouts: its `online`
//! registers the cluster and then writes O2CB_HEARTBEAT_THRESHOLD,
//! O2CB_IDLE_TIMEOUT_MS, O2CB_KEEPALIVE_DELAY_MS and O2CB_RECONNECT_DELAY_MS to
//! configfs (ocfs2-tools vendor/common/o2cb.init.sh, `online_o2cb()` then
//! `set_timeouts_o2cb()`). `o2cb register-cluster` alone leaves the kernel's
//! defaults (idle 30000 ms, keepalive 2000 ms): a node re-registered that way
//! disagrees with its peers and its next mount fails with error 107 (seen in the
//! lab). Debian/Ubuntu install the script as /etc/init.d/o2cb; RHEL/Oracle Linux
//! builds with systemd (ocfs2-tools ≥1.8, ocfs2-tools.spec-generic.in) install it
//! as /sbin/o2cb.init, older ones as /etc/init.d/o2cb (`service o2cb`).

use super::names::{Family, Names};

/// One step of a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A shell command on the diagnosed node.
    Run(String),
    /// A shell command on another node (by its cluster.conf name).
    On(String, String),
    /// Something only a person can do; it makes the fix not runnable as is.
    Note(String),
}

pub type FixFn = fn(&Names, Family) -> Vec<Step>;

/// What stands in for a name the evidence does not give. A fix holding one is
/// shown, never run.
pub const PLACEHOLDER: char = '<';

fn run(s: impl Into<String>) -> Step {
    Step::Run(s.into())
}

fn note(s: impl Into<String>) -> Step {
    Step::Note(s.into())
}

fn cluster(n: &Names) -> String {
    n.cluster.clone().unwrap_or_else(|| "<cluster name>".into())
}

/// The init script for this node: keeps the configured timeouts (module docs).
fn o2cb(n: &Names, fam: Family, verb: &str) -> String {
    let script = match fam {
        Family::Debian => "/etc/init.d/o2cb",
        Family::Rhel if n.tools.is_some_and(|v| v < (1, 8, 0)) => "service o2cb",
        Family::Rhel => "/sbin/o2cb.init",
    };
    match verb {
        "load" | "unload" => format!("{script} {verb}"),
        _ => format!("{script} {verb} {}", cluster(n)),
    }
}

fn sysconfig(fam: Family) -> &'static str {
    match fam {
        Family::Debian => "/etc/default/o2cb",
        Family::Rhel => "/etc/sysconfig/o2cb",
    }
}

fn mount(n: &Names) -> Step {
    match &n.mount {
        Some((dev, dir)) => run(format!("mount {dev} {dir}")),
        None => run("mount -a -t ocfs2"),
    }
}

fn device(n: &Names) -> String {
    n.mount
        .as_ref()
        .map_or_else(|| "<device>".into(), |(d, _)| d.clone())
}

/// `KEY=VALUE` in the sysconfig file, replacing the line or adding it.
fn set_setting(fam: Family, key: &str, value: &str) -> Step {
    let file = sysconfig(fam);
    run(format!(
        "grep -q '^{key}=' {file} && sed -i 's/^{key}=.*/{key}={value}/' {file} || echo '{key}={value}' >> {file}"
    ))
}

/// Take the cluster down and up again with the init script, so the timeouts of
/// the sysconfig file are applied.
fn restart_cluster(n: &Names, fam: Family) -> Vec<Step> {
    vec![run(o2cb(n, fam, "offline")), run(o2cb(n, fam, "online"))]
}

pub fn hostname(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = match &n.intended_node {
        Some(name) => vec![
            run(format!("hostname {name}")),
            run(format!("echo {name} > /etc/hostname")),
        ],
        None => vec![
            note(format!(
                "set the hostname to this node's name in /etc/ocfs2/cluster.conf (one of: {}), or rename its node stanza on every node while the cluster is offline",
                if n.node_names.is_empty() { "see the file".to_string() } else { n.node_names.join(", ") }
            )),
            run("hostname <node name from cluster.conf>"),
        ],
    };
    steps.extend(restart_cluster(n, fam));
    steps.push(mount(n));
    steps
}

pub fn reregister(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = vec![note(
        "check the hostname against cluster.conf first (see hostname-in-cluster-conf)",
    )];
    steps.extend(restart_cluster(n, fam));
    steps.push(mount(n));
    steps
}

/// cluster.conf no longer defines the cluster (`o2cb remove-cluster`, an edit):
/// this node's evidence cannot rebuild the other nodes' stanzas, so no single-node
/// command can; the file has to come from a node of the cluster (o2cb requires
/// the same file everywhere). Seen in the lab (fault cluster-removed).
fn copy_conf_note(n: &Names) -> Step {
    note(format!(
        "/etc/ocfs2/cluster.conf does not define cluster `{}`: copy the file from another node first",
        cluster(n)
    ))
}

pub fn online(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = Vec::new();
    if !n.cluster_in_conf {
        steps.push(copy_conf_note(n));
    }
    if !n.modules_loaded {
        steps.push(run(o2cb(n, fam, "load")));
    }
    // A cluster left registered without its heartbeat or nodes is taken down first.
    if n.registered {
        steps.push(run(o2cb(n, fam, "offline")));
    }
    steps.push(run(o2cb(n, fam, "online")));
    steps.push(mount(n));
    steps
}

pub fn stack_not_loaded(n: &Names, fam: Family) -> Vec<Step> {
    vec![
        run(o2cb(n, fam, "load")),
        run(o2cb(n, fam, "online")),
        mount(n),
    ]
}

pub fn o2cb_config(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = vec![
        set_setting(fam, "O2CB_ENABLED", "true"),
        set_setting(fam, "O2CB_BOOTCLUSTER", &cluster(n)),
    ];
    steps.push(match fam {
        Family::Rhel if n.tools.is_some_and(|v| v < (1, 8, 0)) => run("chkconfig o2cb on"),
        _ => run("systemctl enable o2cb"),
    });
    steps.push(run(o2cb(n, fam, "online")));
    steps.push(mount(n));
    steps
}

pub fn timeouts(n: &Names, fam: Family) -> Vec<Step> {
    let p = &n.peer_timeouts;
    let mut steps = Vec::new();
    let settings = [
        ("O2CB_IDLE_TIMEOUT_MS", p.idle_ms),
        ("O2CB_KEEPALIVE_DELAY_MS", p.keepalive_ms),
        // o2net sends (threshold - 1) x 2000 ms (kernel cluster/heartbeat.h
        // O2HB_MAX_WRITE_TIMEOUT_MS), so the peer's threshold is ms / 2000 + 1.
        (
            "O2CB_HEARTBEAT_THRESHOLD",
            p.heartbeat_ms.map(|ms| ms / 2000 + 1),
        ),
    ];
    for (key, value) in settings {
        if let Some(v) = value {
            steps.push(set_setting(fam, key, &v.to_string()));
        }
    }
    if steps.is_empty() {
        steps.push(note(format!(
            "set O2CB_HEARTBEAT_THRESHOLD, O2CB_IDLE_TIMEOUT_MS and O2CB_KEEPALIVE_DELAY_MS in {} to the values of the other nodes",
            sysconfig(fam)
        )));
        steps.push(run(format!("<edit {}>", sysconfig(fam))));
    }
    steps.extend(restart_cluster(n, fam));
    steps.push(mount(n));
    steps
}

pub fn network(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = vec![note(
        "if a link or route is down between the interconnect addresses, restore it first",
    )];
    if n.unreachable_peers.is_empty() {
        steps.push(run(format!(
            "<on every node> iptables -I INPUT -p tcp --dport {} -j ACCEPT",
            n.port.unwrap_or(7777)
        )));
    }
    for peer in &n.unreachable_peers {
        steps.push(Step::On(
            peer.name.clone(),
            format!("iptables -I INPUT -p tcp --dport {} -j ACCEPT", peer.port),
        ));
    }
    steps.push(note(match fam {
        Family::Rhel => "with firewalld: `firewall-cmd --permanent --add-port=7777/tcp && firewall-cmd --reload` instead; persist iptables rules with `service iptables save`",
        Family::Debian => "persist the rule (iptables-persistent: `netfilter-persistent save`) or `ufw allow 7777/tcp`",
    }));
    steps.push(mount(n));
    steps
}

pub fn conf_differs(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = vec![note(
        "pick the correct /etc/ocfs2/cluster.conf and copy it to every node (scp), with the volume unmounted everywhere",
    )];
    steps.extend(restart_cluster(n, fam));
    steps.push(note("repeat the offline/online on every node"));
    steps.push(mount(n));
    steps
}

pub fn conf_invalid(n: &Names, fam: Family) -> Vec<Step> {
    let first = if n.cluster_in_conf {
        note("correct /etc/ocfs2/cluster.conf at the lines quoted in the evidence (stanza headers in column 0, indented `key = value`, Unix line endings, no blank line inside a stanza)")
    } else {
        copy_conf_note(n)
    };
    vec![first, run(o2cb(n, fam, "online")), mount(n)]
}

// tunefs.ocfs2 asks before changing the cluster information; `-y` answers
// (ocfs2-tools tunefs.ocfs2/ocfs2ne.c handle_answer()).
pub fn disk_cluster(n: &Names, _fam: Family) -> Vec<Step> {
    vec![
        note("the volume must be unmounted on every node"),
        run(format!(
            "tunefs.ocfs2 -y --update-cluster-stack {}",
            device(n)
        )),
        mount(n),
    ]
}

/// tunefs.ocfs2 -N needs the volume unmounted cluster-wide (online it fails with
/// `Trylock failed while opening device`, seen in the lab), so the other nodes
/// of the volume's DLM domain unmount it first (by the same device path: check
/// it on each), and mount it again after.
pub fn slots(n: &Names, _fam: Family) -> Vec<Step> {
    let count = n.node_names.len().max(2).to_string();
    let dev = device(n);
    let mut steps: Vec<Step> = n
        .domain_peers
        .iter()
        .map(|p| {
            Step::On(
                p.clone(),
                format!("if grep -q '^{dev} ' /proc/mounts; then umount {dev}; fi"),
            )
        })
        .collect();
    if steps.is_empty() {
        steps.push(note(format!(
            "unmount {dev} on every node that has it mounted"
        )));
    }
    steps.push(run(format!("tunefs.ocfs2 -y -N {count} {dev}")));
    steps.push(mount(n));
    if !n.domain_peers.is_empty() {
        steps.push(note(format!(
            "mount it again on {}",
            n.domain_peers.join(", ")
        )));
    }
    steps
}

pub fn stale_region(n: &Names, _fam: Family) -> Vec<Step> {
    let mut steps: Vec<Step> = n
        .stale_regions
        .iter()
        .map(|u| run(format!("ocfs2_hb_ctl -K -u {u}")))
        .collect();
    if steps.is_empty() {
        steps.push(run("ocfs2_hb_ctl -K -u <volume uuid>"));
    }
    steps.push(mount(n));
    steps
}

pub fn local_ip(n: &Names, fam: Family) -> Vec<Step> {
    let mut steps = vec![note(match &n.local_ip {
        Some(ip) => format!("configure {ip} on the interconnect interface (persistently: /etc/network/interfaces, netplan or nmcli), or correct this node's ip_address in cluster.conf on every node"),
        None => "configure this node's cluster.conf ip_address on the interconnect interface, or correct it in cluster.conf on every node".into(),
    })];
    steps.extend(restart_cluster(n, fam));
    steps.push(mount(n));
    steps
}

pub fn storage(n: &Names, _fam: Family) -> Vec<Step> {
    vec![
        note("restore the failed paths or sessions (array, switch, cabling)"),
        run("iscsiadm -m node --login"),
        run("multipath -r"),
        run("multipath -ll"),
        mount(n),
    ]
}

pub fn sector_size(_n: &Names, _fam: Family) -> Vec<Step> {
    vec![note("make every path and the dm map report the same logical block size (same LUN settings on the array, mount the multipath device, not a path), or re-create the filesystem with mkfs.ocfs2 on the multipath device")]
}

pub fn versions(_n: &Names, _fam: Family) -> Vec<Step> {
    vec![note("run the same kernel and ocfs2-tools release on every node (upgrade the older ones), then mount")]
}

pub fn busy(n: &Names, _fam: Family) -> Vec<Step> {
    vec![
        note(format!(
            "find what holds {}: `grep {} /proc/mounts`, `lsblk`, `dmsetup ls --tree`; unmount or release it",
            device(n),
            device(n)
        )),
        mount(n),
    ]
}

/// Steps as lines a person reads (`on NODE: cmd`, `# note`).
pub fn lines(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|s| match s {
            Step::Run(c) => c.clone(),
            Step::On(node, c) => format!("on {node}: {c}"),
            Step::Note(t) => format!("# {t}"),
        })
        .collect()
}

/// Whether the steps can be run as they are (no placeholder, no manual step but
/// advice that does not block).
pub fn runnable(steps: &[Step]) -> bool {
    steps.iter().all(|s| match s {
        Step::Run(c) | Step::On(_, c) => !c.contains(PLACEHOLDER),
        Step::Note(_) => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::why::names::Peer;

    fn lab_node2() -> Names {
        Names {
            cluster: Some("o2lab".into()),
            intended_node: Some("n151.ocfs2.test".into()),
            node_names: vec!["n150.ocfs2.test".into(), "n151.ocfs2.test".into()],
            mount: Some(("/dev/vda".into(), "/mnt/ocfs2".into())),
            registered: true,
            modules_loaded: true,
            cluster_in_conf: true,
            ..Names::default()
        }
    }

    #[test]
    fn debian_hostname_fix_uses_the_init_script_not_register_cluster() {
        let l = lines(&hostname(&lab_node2(), Family::Debian));
        assert_eq!(
            l,
            [
                "hostname n151.ocfs2.test",
                "echo n151.ocfs2.test > /etc/hostname",
                "/etc/init.d/o2cb offline o2lab",
                "/etc/init.d/o2cb online o2lab",
                "mount /dev/vda /mnt/ocfs2"
            ]
        );
        assert!(l.iter().all(|s| !s.contains("register-cluster")));
    }

    #[test]
    fn rhel_script_depends_on_the_tools_version() {
        let mut n = lab_node2();
        assert!(
            lines(&online(&n, Family::Rhel)).contains(&"/sbin/o2cb.init online o2lab".to_string())
        );
        n.tools = Some((1, 6, 4));
        assert!(lines(&online(&n, Family::Rhel)).contains(&"service o2cb online o2lab".to_string()));
    }

    #[test]
    fn a_removed_cluster_is_copied_back_not_corrected_in_place() {
        // Lab fault cluster-removed: `o2cb remove-cluster o2lab` then offline,
        // cluster.conf left without the cluster, nothing registered.
        let mut n = lab_node2();
        n.cluster_in_conf = false;
        n.registered = false;
        n.node_names.clear();
        let l = lines(&conf_invalid(&n, Family::Debian));
        assert!(
            l[0].contains("copy the file from another node first"),
            "{l:?}"
        );
        assert!(!l[0].contains("lines quoted"), "{l:?}");
        assert_eq!(
            l[1..],
            ["/etc/init.d/o2cb online o2lab", "mount /dev/vda /mnt/ocfs2"]
        );
        let quoted = lines(&conf_invalid(&lab_node2(), Family::Debian));
        assert!(quoted[0].contains("lines quoted"), "{quoted:?}");
    }

    #[test]
    fn timeouts_take_the_peers_values() {
        let mut n = lab_node2();
        n.peer_timeouts.idle_ms = Some(5000);
        n.peer_timeouts.heartbeat_ms = Some(12000);
        let l = lines(&timeouts(&n, Family::Debian));
        assert!(l[0].contains("O2CB_IDLE_TIMEOUT_MS=5000") && l[0].contains("/etc/default/o2cb"));
        assert!(l[1].contains("O2CB_HEARTBEAT_THRESHOLD=7"), "{l:?}");
        assert!(runnable(&timeouts(&n, Family::Debian)));
    }

    #[test]
    fn unknown_names_are_placeholders_and_not_runnable() {
        let n = Names::default();
        assert!(!runnable(&hostname(&n, Family::Debian)));
        assert!(runnable(&hostname(&lab_node2(), Family::Debian)));
        let mut n = lab_node2();
        n.unreachable_peers = vec![Peer {
            name: "n150.ocfs2.test".into(),
            port: 7777,
        }];
        let steps = network(&n, Family::Debian);
        assert!(steps.contains(&Step::On(
            "n150.ocfs2.test".into(),
            "iptables -I INPUT -p tcp --dport 7777 -j ACCEPT".into()
        )));
    }
}
