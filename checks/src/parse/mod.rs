//! Pure parsers: text in, typed values out, with line numbers in their errors.
//! Each is tested on real samples (lab captures, real ocfs2-tools output) and on
//! old formats and broken input.

pub mod cluster_conf;
pub mod cluster_conf_rules;
pub mod configfs;
pub mod debugfs_hb;
pub mod debugfs_slotmap;
pub mod debugfs_stats;
pub mod firewall;
pub mod iscsi_node_record;
pub mod iscsiadm_session;
pub mod modules;
pub mod mount_table;
pub mod mounted_ocfs2;
pub mod multipath_ll;
pub mod multipathd_log;
pub mod net;
pub mod o2cb_cluster_status;
pub mod o2cb_status;
pub mod o2cb_sysconfig;
pub mod pasted;
pub mod ps;
