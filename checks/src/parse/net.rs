//! Small network facts: /etc/hosts, `getent ahostsv4 NAME`, `ip -o addr`, and the
//! listening sockets in /proc/net/tcp.

use crate::text::Text;
use std::net::{Ipv4Addr, SocketAddrV4};

/// Addresses /etc/hosts gives `name` (exact, case-insensitive), with their lines.
pub fn hosts_lookup(hosts: &Text, name: &str) -> Vec<(Ipv4Addr, u32)> {
    hosts
        .numbered_lines()
        .filter_map(|(line, raw)| {
            let body = raw.split('#').next()?;
            let mut f = body.split_whitespace();
            let ip: Ipv4Addr = f.next()?.parse().ok()?;
            f.any(|n| n.eq_ignore_ascii_case(name))
                .then_some((ip, line))
        })
        .collect()
}

/// IPv4 addresses in `getent ahostsv4` (or `getent hosts`) output, in order, unique.
pub fn getent_addresses(out: &Text) -> Vec<Ipv4Addr> {
    let mut v: Vec<Ipv4Addr> = Vec::new();
    for (_, raw) in out.numbered_lines() {
        if let Some(ip) = raw.split_whitespace().next().and_then(|w| w.parse().ok()) {
            if !v.contains(&ip) {
                v.push(ip);
            }
        }
    }
    v
}

/// IPv4 addresses configured on local interfaces, from `ip -o addr` (with line numbers).
pub fn local_addresses(ip_o_addr: &Text) -> Vec<(Ipv4Addr, u32)> {
    ip_o_addr
        .numbered_lines()
        .filter_map(|(line, raw)| {
            let mut words = raw.split_whitespace();
            words.find(|w| *w == "inet")?;
            let cidr = words.next()?;
            Some((cidr.split('/').next()?.parse().ok()?, line))
        })
        .collect()
}

/// Local TCP listeners from /proc/net/tcp: (address, port, line). The file prints
/// the address as host-order hex of a network-order u32 (so little-endian here).
pub fn tcp_listeners(proc_net_tcp: &Text) -> Vec<(Ipv4Addr, u16, u32)> {
    proc_net_tcp
        .numbered_lines()
        .skip(1)
        .filter_map(|(line, raw)| {
            let f: Vec<&str> = raw.split_whitespace().collect();
            let (local, state) = (f.get(1)?, f.get(3)?);
            if *state != "0A" {
                return None; // 0A = TCP_LISTEN
            }
            let (addr, port) = local.split_once(':')?;
            let a = u32::from_str_radix(addr, 16).ok()?;
            let p = u16::from_str_radix(port, 16).ok()?;
            Some((Ipv4Addr::from(a.swap_bytes()), p, line))
        })
        .collect()
}

/// An established TCP connection in /proc/net/tcp: (local, remote, line).
pub type Established = (SocketAddrV4, SocketAddrV4, u32);

/// ESTABLISHED (state 01) connections of /proc/net/tcp.
pub fn tcp_established(proc_net_tcp: &Text) -> Vec<Established> {
    let endpoint = |s: &str| -> Option<SocketAddrV4> {
        let (addr, port) = s.split_once(':')?;
        let a = u32::from_str_radix(addr, 16).ok()?;
        let p = u16::from_str_radix(port, 16).ok()?;
        Some(SocketAddrV4::new(Ipv4Addr::from(a.swap_bytes()), p))
    };
    proc_net_tcp
        .numbered_lines()
        .skip(1)
        .filter_map(|(line, raw)| {
            let f: Vec<&str> = raw.split_whitespace().collect();
            if *f.get(3)? != "01" {
                return None;
            }
            Some((endpoint(f.get(1)?)?, endpoint(f.get(2)?)?, line))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_getent_and_interfaces() {
        let hosts = Text::new("h", "127.0.0.1 localhost\n10.50.200.149 n149.ocfs2.test n149 # x\n# 1.2.3.4 n149.ocfs2.test\n");
        assert_eq!(
            hosts_lookup(&hosts, "N149.ocfs2.test"),
            [("10.50.200.149".parse().unwrap(), 2)]
        );
        assert!(hosts_lookup(&hosts, "n150.ocfs2.test").is_empty());
        // `getent ahostsv4` prints each address three times (STREAM, DGRAM, RAW).
        let g = Text::new("g", "10.77.0.150     STREAM n150.ocfs2.test\n10.77.0.150     DGRAM  \n10.77.0.150     RAW    \n");
        assert_eq!(
            getent_addresses(&g),
            ["10.77.0.150".parse::<Ipv4Addr>().unwrap()]
        );
        let ip = Text::new("ip", "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n2: eth0    inet 10.77.0.150/24 brd 10.77.0.255 scope global eth0\\       valid_lft forever\n2: eth0    inet6 fe80::1/64 scope link\n");
        assert_eq!(
            local_addresses(&ip)
                .iter()
                .map(|a| a.0.to_string())
                .collect::<Vec<_>>(),
            ["127.0.0.1", "10.77.0.150"]
        );
    }

    #[test]
    fn proc_net_tcp_listeners_of_this_machine() {
        // The development machine's own /proc/net/tcp is a real sample of the format.
        let real = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        let _ = tcp_listeners(&Text::new("real", real));
        let t = Text::new("t", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 964D4D0A:1E61 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n   1: 964D4D0A:1E61 974D4D0A:8F2A 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1\n");
        assert_eq!(
            tcp_listeners(&t),
            [("10.77.77.150".parse().unwrap(), 7777, 2)]
        );
        let e = tcp_established(&t);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0.to_string(), "10.77.77.150:7777");
        assert_eq!(e[0].1.to_string(), "10.77.77.151:36650");
        assert_eq!(e[0].2, 3);
    }
}
