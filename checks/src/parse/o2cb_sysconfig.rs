//! /etc/default/o2cb (Debian) and /etc/sysconfig/o2cb (RHEL/SUSE): shell files the
//! init script sources (ocfs2-tools vendor/common/o2cb.init.sh). Only plain `KEY=value` assignments are
//! understood; that is all `o2cb configure` and the Debian postinst ever write.

use crate::text::Text;

/// One assignment and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub line: u32,
}

/// The o2cb settings, each `None` when unset or empty (the init script's defaults apply).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct O2cbConfig {
    pub enabled: Option<Setting>,
    pub stack: Option<Setting>,
    pub boot_cluster: Option<Setting>,
    pub heartbeat_threshold: Option<Setting>,
    pub idle_timeout_ms: Option<Setting>,
    pub keepalive_delay_ms: Option<Setting>,
    pub reconnect_delay_ms: Option<Setting>,
}

/// Defaults the init script and kernel use when a value is empty (vendor/common/o2cb.init.sh's defaults,
/// linux fs/ocfs2/cluster/tcp.h O2NET_IDLE_TIMEOUT_MS_DEFAULT and heartbeat.c's threshold).
pub const DEFAULT_THRESHOLD: u32 = 31;
pub const DEFAULT_IDLE_MS: u32 = 30000;
pub const DEFAULT_KEEPALIVE_MS: u32 = 2000;
pub const DEFAULT_RECONNECT_MS: u32 = 2000;
/// Minimums `o2cb configure` accepts (`MIN_HEARTBEAT_THRESHOLD` etc. in o2cb.init.sh).
pub const MIN_THRESHOLD: u32 = 7;
pub const MIN_IDLE_MS: u32 = 5000;
pub const MIN_KEEPALIVE_MS: u32 = 1000;
pub const MIN_RECONNECT_MS: u32 = 2000;

impl O2cbConfig {
    fn number(s: &Option<Setting>, default: u32) -> Option<u32> {
        match s {
            None => Some(default),
            Some(s) => s.value.parse().ok(),
        }
    }
    /// Effective values (defaults applied); `None` when a value is not a number.
    pub fn threshold(&self) -> Option<u32> {
        Self::number(&self.heartbeat_threshold, DEFAULT_THRESHOLD)
    }
    pub fn idle_ms(&self) -> Option<u32> {
        Self::number(&self.idle_timeout_ms, DEFAULT_IDLE_MS)
    }
    pub fn keepalive_ms(&self) -> Option<u32> {
        Self::number(&self.keepalive_delay_ms, DEFAULT_KEEPALIVE_MS)
    }
    pub fn reconnect_ms(&self) -> Option<u32> {
        Self::number(&self.reconnect_delay_ms, DEFAULT_RECONNECT_MS)
    }
    /// The heartbeat dead time in ms as o2net compares it: 2000 × (threshold − 1).
    pub fn heartbeat_timeout_ms(&self) -> Option<u32> {
        self.threshold().map(|t| 2000 * t.saturating_sub(1))
    }
}

pub fn parse(text: &Text) -> O2cbConfig {
    let mut c = O2cbConfig::default();
    for (line, raw) in super::pasted::iter(text) {
        let l = raw.trim();
        let l = l.strip_prefix("export ").unwrap_or(l);
        if l.starts_with('#') {
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        let value = unquote(value.split(" #").next().unwrap_or("").trim());
        let setting = (!value.is_empty()).then_some(Setting { value, line });
        let slot = match key.trim() {
            "O2CB_ENABLED" => &mut c.enabled,
            "O2CB_STACK" => &mut c.stack,
            "O2CB_BOOTCLUSTER" => &mut c.boot_cluster,
            "O2CB_HEARTBEAT_THRESHOLD" => &mut c.heartbeat_threshold,
            "O2CB_IDLE_TIMEOUT_MS" => &mut c.idle_timeout_ms,
            "O2CB_KEEPALIVE_DELAY_MS" => &mut c.keepalive_delay_ms,
            "O2CB_RECONNECT_DELAY_MS" => &mut c.reconnect_delay_ms,
            _ => continue,
        };
        *slot = setting;
    }
    c
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_file() {
        let t = Text::new(
            "d",
            include_str!("../../../fixtures/bundles/lab-capture-healthy-node1/etc/default/o2cb"),
        );
        let c = parse(&t);
        assert_eq!(c.boot_cluster.as_ref().unwrap().value, "o2lab");
        assert_eq!(
            (c.threshold(), c.idle_ms(), c.heartbeat_timeout_ms()),
            (Some(31), Some(30000), Some(60000))
        );
    }

    #[test]
    fn written_by_o2cb_configure_with_comments_quotes_and_empties() {
        // The shape write_sysconfig (vendor/common/o2cb.init.sh) writes.
        let t = Text::new("s", "#\n# O2CB_ENABLED: 'true' means to load the driver on boot.\nO2CB_ENABLED=true\nO2CB_STACK=o2cb\nO2CB_BOOTCLUSTER=\"prd\"\nO2CB_HEARTBEAT_THRESHOLD=\nO2CB_IDLE_TIMEOUT_MS=abc\nexport O2CB_KEEPALIVE_DELAY_MS='1000'\n");
        let c = parse(&t);
        assert_eq!(c.boot_cluster.as_ref().unwrap().value, "prd");
        assert_eq!(c.boot_cluster.as_ref().unwrap().line, 5);
        assert_eq!(c.threshold(), Some(31), "empty means the default");
        assert_eq!(c.idle_ms(), None, "garbage is not a number");
        assert_eq!(c.keepalive_ms(), Some(1000));
    }
}
