//! The kernel-log benchmark's input: a generated syslog of realistic hypervisor
//! traffic with o2 lines sprinkled in (taken from the lab's real dmesg), written
//! once and kept, plain and compressed, so every run reads the same bytes.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Everyday lines of a hypervisor host's syslog, none of them o2 messages.
const NOISE: &[&str] = &[
    "sshd[2211]: Accepted publickey for root from 10.20.0.9 port 51514 ssh2: RSA SHA256:Zq3",
    "systemd[1]: Started Session 4711 of user root.",
    "CRON[9931]: (root) CMD (/usr/lib/zstack/kvmagent/check.sh >/dev/null 2>&1)",
    "kernel: [ 9921.331201] br0: port 3(vnet12) entered forwarding state",
    "libvirtd[1456]: internal error: End of file from qemu monitor",
    "kernel: [ 9922.001100] device-mapper: multipath: 253:3: Reinstating path 8:48.",
    "multipathd[803]: mpatha: sdd - tur checker reports path is up",
    "iscsid[702]: Connection1:0 to [target: iqn.1984-05.com.dell:powervault, portal: 10.50.200.41,3260] through [iface: default] is operational now",
    "chronyd[655]: Selected source 10.20.0.1",
    "kernel: [ 9930.120019] kvm: vcpu 0: requested 13435 ns lapic timer period limited to 200000 ns",
];

fn o2_lines() -> Vec<String> {
    let dmesg = include_str!("../../fixtures/captures/dmesg-node1-end.txt");
    dmesg
        .lines()
        .filter(|l| {
            ["o2net", "o2hb", "o2dlm", "ocfs2"]
                .iter()
                .any(|k| l.contains(k))
        })
        .filter_map(|l| l.split_once("] ").map(|(_, m)| m.to_string()))
        .collect()
}

pub fn generate(path: &Path, bytes: u64) -> std::io::Result<u64> {
    let o2 = o2_lines();
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let (mut written, mut i, mut o2_count) = (0u64, 0usize, 0u64);
    while written < bytes {
        let second = i / 50;
        let stamp = format!(
            "Nov 24 {:02}:{:02}:{:02} n150",
            (second / 3600) % 24,
            (second / 60) % 60,
            second % 60
        );
        let line = if i % 400 == 7 {
            o2_count += 1;
            format!(
                "{stamp} kernel: [{:>5}.{:06}] {}\n",
                second,
                i % 1_000_000,
                o2[i % o2.len()]
            )
        } else {
            format!("{stamp} {}\n", NOISE[i % NOISE.len()])
        };
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        i += 1;
    }
    w.flush()?;
    Ok(o2_count)
}

/// The same log compressed with the real tool (`gzip -6` as logrotate does, or
/// `xz -6`), made once next to it.
pub fn compressed(plain: &Path, tool: &str) -> std::io::Result<PathBuf> {
    let ext = if tool == "xz" { "xz" } else { "gz" };
    let out = plain.with_extension(format!("log.{ext}"));
    let fresh = |p: &Path| -> Option<bool> {
        Some(
            std::fs::metadata(p).ok()?.modified().ok()?
                >= std::fs::metadata(plain).ok()?.modified().ok()?,
        )
    };
    if fresh(&out) == Some(true) {
        return Ok(out);
    }
    eprintln!("compressing {} with {tool} -6 ...", plain.display());
    let status = std::process::Command::new(tool)
        .args(["-6", "-c"])
        .arg(plain)
        .stdout(std::fs::File::create(&out)?)
        .status()?;
    if !status.success() {
        return Err(std::io::Error::other(format!("{tool} failed: {status}")));
    }
    Ok(out)
}
