//! Firewall rules that would stop o2net: `iptables-save` lines in INPUT/OUTPUT that
//! DROP or REJECT TCP to the port, default DROP policies, and `nft list ruleset`
//! `tcp dport N drop|reject` rules. Only unconditional rules on the port are
//! judged; anything subtler is reported as a rule to review, not a verdict.

use crate::text::Text;

/// A rule that blocks (or may block) TCP `port`, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    pub line: u32,
    pub text: String,
}

fn port_matches(spec: &str, port: u16) -> bool {
    spec.split(',').any(|p| match p.split_once(':') {
        Some((a, b)) => {
            a.parse::<u16>().is_ok_and(|a| a <= port) && b.parse::<u16>().is_ok_and(|b| port <= b)
        }
        None => p.trim().parse::<u16>() == Ok(port),
    })
}

/// Whether rule `l` matches every incoming TCP packet to `port`: no negation,
/// no connection state, TCP or any protocol, and the port named (or, with
/// `any_port`, no port and no source match at all).
fn matches_all_to_port(l: &str, port: u16, any_port: bool) -> bool {
    let w: Vec<&str> = l.split_whitespace().collect();
    let value = |flag: &str| w.windows(2).find(|p| p[0] == flag).map(|p| p[1]);
    if w.contains(&"!") || l.contains("--state") || l.contains("--ctstate") {
        return false; // negations and connection-state rules: not judged here
    }
    if value("-p").is_some_and(|p| p != "tcp" && p != "all") {
        return false;
    }
    let sourced = value("-s").is_some() || value("--source").is_some();
    match value("--dport").or(value("--dports")) {
        Some(spec) => !sourced && port_matches(spec, port),
        None => any_port && !sourced,
    }
}

/// Rules in `iptables-save` output that drop or reject incoming TCP to `port`.
/// iptables-save lists each chain's rules in the order the kernel walks them
/// (iptables-legacy iptables-save.c, do_output(): one `-A` line per rule, chain
/// by chain), so a DROP after an unconditional ACCEPT of the port in the same
/// chain of the same table is never reached for o2net: not a blocking rule
/// (`iptables -I INPUT -p tcp --dport 7777 -j ACCEPT`, the fix `why` prints,
/// leaves the DROP in place below it; seen in the lab, fault port-blocked).
pub fn iptables_blocking(save: &Text, port: u16) -> Vec<Blocking> {
    let mut accepted: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (line, l) in super::pasted::iter(save) {
        if l.starts_with('*') {
            accepted.clear(); // a new table: its chains start afresh
            continue;
        }
        let Some(chain) = ["INPUT", "OUTPUT"].into_iter().find(|c| {
            l.strip_prefix("-A ")
                .and_then(|r| r.strip_prefix(c))
                .is_some_and(|r| r.starts_with(' '))
        }) else {
            continue;
        };
        if l.contains("-j ACCEPT") && matches_all_to_port(l, port, false) {
            accepted.push(chain);
        } else if (l.contains("-j DROP") || l.contains("-j REJECT"))
            && !accepted.contains(&chain)
            // A DROP without port or source match drops everything, o2net
            // included; one limited to some source addresses is not judged.
            && matches_all_to_port(l, port, true)
        {
            out.push(Blocking {
                line,
                text: l.to_string(),
            });
        }
    }
    out
}

/// `:INPUT DROP` policy line, if any (everything not accepted is dropped).
pub fn iptables_input_policy_drop(save: &Text) -> Option<Blocking> {
    super::pasted::iter(save)
        .find(|(_, l)| l.starts_with(":INPUT DROP"))
        .map(|(line, l)| Blocking {
            line,
            text: l.to_string(),
        })
}

/// True when an ACCEPT rule in INPUT names TCP `port`.
pub fn iptables_accepts(save: &Text, port: u16) -> bool {
    super::pasted::iter(save).any(|(_, l)| {
        l.starts_with("-A INPUT") && l.contains("-j ACCEPT") && {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.windows(2)
                .any(|p| (p[0] == "--dport" || p[0] == "--dports") && port_matches(p[1], port))
        }
    })
}

/// `tcp dport N drop|reject` rules in `nft list ruleset`.
pub fn nft_blocking(ruleset: &Text, port: u16) -> Vec<Blocking> {
    ruleset
        .numbered_lines()
        .filter(|(_, l)| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let dport = w
                .windows(3)
                .find(|p| p[0] == "tcp" && p[1] == "dport")
                .map(|p| p[2].trim_matches(|c| c == '{' || c == '}'));
            let verdict = w.iter().any(|x| *x == "drop" || *x == "reject");
            verdict && dport.is_some_and(|d| port_matches(&d.replace('-', ":"), port))
        })
        .map(|(line, l)| Blocking {
            line,
            text: l.trim().to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // iptables-save output in the format iptables 1.8 prints (hand-made samples;
    // the netns and qemu lab tests exercise real rules).
    const SAVE: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.5/32 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\n-A INPUT -p tcp -m multiport --dports 10000:12000 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n";

    #[test]
    fn finds_drop_and_reject_on_the_port() {
        let t = Text::new("s", SAVE);
        assert_eq!(
            iptables_blocking(&t, 7777)
                .iter()
                .map(|b| b.line)
                .collect::<Vec<_>>(),
            [6]
        );
        assert_eq!(
            iptables_blocking(&t, 11111)
                .iter()
                .map(|b| b.line)
                .collect::<Vec<_>>(),
            [7]
        );
        assert!(iptables_blocking(&t, 22).is_empty());
        assert!(iptables_input_policy_drop(&t).is_none());
        let other = Text::new("o", "-A INPUT -p icmp -j DROP\n-A INPUT -m state --state INVALID -j DROP\n-A INPUT -s 6.6.6.6/32 -j DROP\n-A INPUT -j REJECT\n");
        assert_eq!(
            iptables_blocking(&other, 7777)
                .iter()
                .map(|b| b.line)
                .collect::<Vec<_>>(),
            [4]
        );
    }

    #[test]
    fn a_drop_below_an_accept_of_the_port_is_not_reached() {
        // Real: iptables-save v1.8.9 in lab node 1 after port-blocked's fault
        // (`iptables -A INPUT -p tcp --dport 7777 -j DROP`) and why's fix
        // (`iptables -I INPUT -p tcp --dport 7777 -j ACCEPT`), 2026-12-01.
        let fixed = Text::new("s", "# Generated by iptables-save v1.8.9 on Tue Dec  1 12:53:10 2026\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [3:192]\n-A INPUT -p tcp -m tcp --dport 7777 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n# Completed on Tue Dec  1 12:53:10 2026\n");
        assert!(iptables_blocking(&fixed, 7777).is_empty());
        // The other order, an ACCEPT from one source only, or one in another
        // chain or table does not let o2net through: the DROP stands.
        for save in [
            "*filter\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\n-A INPUT -p tcp -m tcp --dport 7777 -j ACCEPT\nCOMMIT\n",
            "*filter\n-A INPUT -s 10.0.0.5/32 -p tcp -m tcp --dport 7777 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
            "*filter\n-A OUTPUT -p tcp -m tcp --dport 7777 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
            "*raw\n-A INPUT -p tcp -m tcp --dport 7777 -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
            "*filter\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
        ] {
            assert_eq!(iptables_blocking(&Text::new("s", save), 7777).len(), 1, "{save}");
        }
    }

    #[test]
    fn policy_drop_with_and_without_accept_and_nft() {
        let t = Text::new(
            "s",
            "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 7777 -j ACCEPT\nCOMMIT\n",
        );
        assert_eq!(iptables_input_policy_drop(&t).unwrap().line, 2);
        assert!(iptables_accepts(&t, 7777) && !iptables_accepts(&t, 11111));
        let nft = Text::new("n", "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 7777 drop\n\t\ttcp dport { 22, 80 } accept\n\t}\n}\n");
        assert_eq!(nft_blocking(&nft, 7777)[0].line, 4);
        assert!(nft_blocking(&nft, 22).is_empty());
    }
}
