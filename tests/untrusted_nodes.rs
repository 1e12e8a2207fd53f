//! Issue 9's cluster-mode findings: a node's `collect --out -` stream is not
//! trusted by the coordinator. A stand-in ssh serves one honest node (a real lab
//! bundle) and hostile ones: a symlink to a coordinator secret, a meta.json
//! symlink to a coordinator file, a sparse 4 GiB entry, an endless stream. Each
//! hostile node is an error of its own; the honest one is still checked.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct World {
    tmp: tempfile::TempDir,
    secret: PathBuf,
    victim: PathBuf,
}

fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let secret = t.join("shadow");
    std::fs::write(&secret, "root:$6$SECRETHASH:19000:0:99999:7:::\n").unwrap();
    let victim = t.join("victim.json");
    std::fs::write(&victim, "precious").unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/lab-collect-healthy-node1");
    let sh = |script: &str| {
        let st = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(t)
            .status()
            .unwrap();
        assert!(st.success(), "{script}");
    };
    // symlink: the honest bundle with cluster.conf pointing at the secret.
    sh(&format!(
        "cp -a {f} link && rm link/etc/ocfs2/cluster.conf && ln -s {s} link/etc/ocfs2/cluster.conf && tar -C link -cf link.tar .",
        f = fixture.display(),
        s = secret.display()
    ));
    // meta: meta.json a symlink to a file of the coordinator's.
    sh(&format!(
        "cp -a {f} meta && rm meta/meta.json && ln -s {v} meta/meta.json && tar -C meta -cf meta.tar .",
        f = fixture.display(),
        v = victim.display()
    ));
    // sparse: a 4 GiB file of holes in a tiny archive.
    sh(&format!(
        "cp -a {f} sparse && truncate -s 4G sparse/kern.log && tar --sparse -C sparse -cf sparse.tar .",
        f = fixture.display()
    ));
    // endless: a header announcing 8 GiB, then zeros for ever.
    let mut h = tar::Header::new_gnu();
    h.set_path("kern.log").unwrap();
    h.set_size(8 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    std::fs::write(t.join("endless.hdr"), h.as_bytes()).unwrap();
    let ssh = t.join("ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_executable(
        &ssh,
        &format!(
            r#"#!/bin/sh
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do [ "$1" = "-O" ] && exit 0; shift; done
node=$2; cmd=$3; cd {t}
case "$cmd" in
  *" clock"*) date +%s%N; exit 0 ;;
esac
case "$node" in
  good) tar -C {f} -cf - . ;;
  endless) cat endless.hdr; exec cat /dev/zero ;;
  *) exec cat "$node.tar" ;;
esac
"#,
            t = t.display(),
            f = fixture.display()
        ),
    );
    World {
        tmp,
        secret,
        victim,
    }
}

#[test]
fn hostile_node_streams_are_errors_for_those_nodes_only() {
    let w = world();
    let out = w.tmp.path().join("reports");
    let saved = w.tmp.path().join("saved");
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["run", "--color", "never", "--deploy", "never"])
        .args([
            "--nodes",
            "good,link,meta,sparse,endless",
            "--node-timeout",
            "60",
        ])
        .arg("--ssh-program")
        .arg(w.tmp.path().join("ssh"))
        .arg("--out")
        .arg(&out)
        .arg("--save-bundles")
        .arg(&saved)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(took < Duration::from_secs(50), "took {took:?}");
    let text = std::fs::read_to_string(out.join("results.json")).expect(&stderr);
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let reach = |node: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == "node-reachable" && r["node"] == node)
            .cloned()
            .unwrap_or_else(|| panic!("no node-reachable for {node}: {stderr}"))
    };
    assert_eq!(reach("n150.ocfs2.test")["status"], "pass", "{stderr}");
    for (node, why) in [
        ("link", "symlink"),
        ("meta", "symlink"),
        ("sparse", "limit"),
        ("endless", "limit"),
    ] {
        let r = reach(node);
        assert_eq!(r["status"], "error", "{node}: {r}");
        assert!(r["summary"].as_str().unwrap().contains(why), "{node}: {r}");
    }
    let all = format!("{text}{stderr}{}", String::from_utf8_lossy(&o.stdout));
    assert!(!all.contains("SECRETHASH"));
    assert_eq!(std::fs::read_to_string(&w.victim).unwrap(), "precious");
    assert!(w.secret.exists());
    // What was saved is plain files with normal modes.
    let saved_conf = saved.join("good/etc/ocfs2/cluster.conf");
    let mode = std::fs::metadata(&saved_conf).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o644);
}
