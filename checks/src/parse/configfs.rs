//! The o2cb configfs tree, `/sys/kernel/config/cluster/<name>/` (or `/config/...`
//! on old systems), read through a [`Source`] (linux fs/ocfs2/cluster/nodemanager.c and heartbeat.c). Attribute files
//! hold one value and a newline.

use crate::error::EvidenceError;
use crate::source::Source;

/// A node directory under `node/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigfsNode {
    pub name: String,
    pub num: Option<u32>,
    pub ipv4_address: Option<String>,
    pub ipv4_port: Option<u16>,
    /// `local` = 1 marks the node the kernel believes it is; none means no local node.
    pub local: bool,
}

/// A heartbeat region directory (named by the volume UUID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigfsRegion {
    pub uuid: String,
    pub dev: Option<String>,
    pub pid: Option<String>,
    pub block_bytes: Option<u32>,
}

/// A registered cluster as the kernel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigfsCluster {
    /// Where it was read, for evidence (`/sys/kernel/config/cluster/o2lab`).
    pub path: String,
    pub name: String,
    pub idle_timeout_ms: Option<u32>,
    pub keepalive_delay_ms: Option<u32>,
    pub reconnect_delay_ms: Option<u32>,
    pub dead_threshold: Option<u32>,
    pub heartbeat_mode: Option<String>,
    pub nodes: Vec<ConfigfsNode>,
    pub regions: Vec<ConfigfsRegion>,
}

impl ConfigfsCluster {
    pub fn local_node(&self) -> Option<&ConfigfsNode> {
        self.nodes.iter().find(|n| n.local)
    }
}

const ROOTS: [&str; 2] = ["/sys/kernel/config/cluster", "/config/cluster"];

/// Registered clusters (the kernel allows one); empty when configfs has none.
/// No configfs is missing evidence: absent only when every root was observed absent.
pub fn read(source: &dyn Source) -> Result<Vec<ConfigfsCluster>, EvidenceError> {
    let mut worst: Option<EvidenceError> = None;
    for root in ROOTS {
        match source.list_dir(root) {
            Ok(names) => {
                return Ok(names
                    .iter()
                    .map(|n| cluster(source, &format!("{root}/{n}"), n))
                    .collect())
            }
            Err(e) => worst = Some(worst.map_or(e.clone(), |w| w.weaker(e))),
        }
    }
    Err(worst
        .unwrap_or(EvidenceError::Absent {
            what: ROOTS[0].into(),
        })
        .about(ROOTS.join(" or ")))
}

fn value(source: &dyn Source, path: &str) -> Option<String> {
    let bytes = source.read_file(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).trim().to_string())
}

fn number<T: std::str::FromStr>(source: &dyn Source, path: &str) -> Option<T> {
    value(source, path)?.parse().ok()
}

fn cluster(source: &dyn Source, path: &str, name: &str) -> ConfigfsCluster {
    let nodes = source.list_dir(&format!("{path}/node")).unwrap_or_default();
    let hb = format!("{path}/heartbeat");
    let regions = source.list_dir(&hb).unwrap_or_default();
    ConfigfsCluster {
        path: path.to_string(),
        name: name.to_string(),
        idle_timeout_ms: number(source, &format!("{path}/idle_timeout_ms")),
        keepalive_delay_ms: number(source, &format!("{path}/keepalive_delay_ms")),
        reconnect_delay_ms: number(source, &format!("{path}/reconnect_delay_ms")),
        dead_threshold: number(source, &format!("{hb}/dead_threshold")),
        heartbeat_mode: value(source, &format!("{hb}/mode")),
        nodes: nodes
            .iter()
            .map(|n| {
                let p = format!("{path}/node/{n}");
                ConfigfsNode {
                    name: n.clone(),
                    num: number(source, &format!("{p}/num")),
                    ipv4_address: value(source, &format!("{p}/ipv4_address")),
                    ipv4_port: number(source, &format!("{p}/ipv4_port")),
                    local: value(source, &format!("{p}/local")).as_deref() == Some("1"),
                }
            })
            .collect(),
        // Region directories are named by the 32-hex-digit volume UUID; the other
        // entries of heartbeat/ are attribute files.
        regions: regions
            .iter()
            .filter(|r| r.len() == 32 && r.chars().all(|c| c.is_ascii_hexdigit()))
            .map(|r| {
                let p = format!("{hb}/{r}");
                ConfigfsRegion {
                    uuid: r.clone(),
                    dev: value(source, &format!("{p}/dev")).filter(|v| !v.is_empty()),
                    pid: value(source, &format!("{p}/pid")).filter(|v| !v.is_empty()),
                    block_bytes: number(source, &format!("{p}/block_bytes")),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Bundle;

    fn bundle(name: &str) -> Bundle {
        Bundle::open(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/bundles")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn healthy_node_has_a_local_node_and_a_live_region() {
        let c = read(&bundle("lab-capture-healthy-node1")).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "o2lab");
        assert_eq!(c[0].local_node().unwrap().name, "n150.ocfs2.test");
        assert_eq!(c[0].regions[0].uuid, "F47217E35EA246069E452DD9DC166B05");
        assert_eq!(c[0].regions[0].dev.as_deref(), Some("vda"));
        assert_eq!(
            (c[0].dead_threshold, c[0].idle_timeout_ms),
            (Some(31), Some(30000))
        );
    }

    #[test]
    fn hostname_mismatch_registers_nodes_but_none_is_local() {
        let c = read(&bundle("lab-capture-hostname-mismatch-node2")).unwrap();
        assert_eq!(c[0].nodes.len(), 2);
        assert!(c[0].local_node().is_none());
        assert!(c[0].regions.is_empty());
    }

    #[test]
    fn no_configfs_is_missing_evidence() {
        let e = read(&bundle("seed-hostname-mismatch-n150")).unwrap_err();
        assert!(e.is_missing());
    }
}
