//! Ansible inventories, INI and YAML, as the farms that run OCFS2 already keep
//! them: groups, `:children`, `:vars`, host ranges (`web[01:20]`, `db-[a:c]`) and
//! the connection variables `ansible_host`, `ansible_user`, `ansible_port` (and
//! their old `ansible_ssh_*` spellings). Only what is needed to reach a node is
//! read; other variables are ignored.

use crate::inventory::Node;
use std::collections::BTreeMap;

type Vars = BTreeMap<String, String>;

#[derive(Debug, Default, Clone)]
struct Group {
    hosts: Vec<(String, Vars)>,
    children: Vec<String>,
    vars: Vars,
}

/// Why an inventory could not give its nodes.
#[derive(Debug, thiserror::Error)]
pub enum AnsibleError {
    /// Not INI or YAML as Ansible reads it; `reason` says where (`line 3: ...`).
    #[error("{file}: {reason}")]
    Syntax { file: String, reason: String },
    #[error("no group `{group}` in the inventory (groups: {})", known.join(", "))]
    NoGroup { group: String, known: Vec<String> },
    #[error("group `{group}` has no hosts")]
    EmptyGroup { group: String },
    #[error("groups nested deeper than {MAX_DEPTH} (a cycle?) at `{group}`")]
    TooDeep { group: String },
    #[error("host {host}: ansible_port `{port}` is not a port")]
    BadPort { host: String, port: String },
    /// A name or `ansible_host` with shell or ssh option syntax: never passed to ssh.
    #[error("host {host:?}: `{value}` is not a host name or address")]
    UnsafeAddress { host: String, value: String },
    #[error("host {host:?}: ansible_user `{user}` is not a user name")]
    BadUser { host: String, user: String },
}

/// A parsed inventory.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    groups: BTreeMap<String, Group>,
}

/// Groups more deeply nested than this are a cycle or a mistake.
const MAX_DEPTH: usize = 32;

impl Inventory {
    /// Parse an inventory file, YAML when it looks like YAML (`.yml`, `.yaml`, or
    /// a first meaningful line ending in `:`), INI otherwise.
    pub fn parse(file_name: &str, text: &str) -> Result<Inventory, AnsibleError> {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
            .unwrap_or("");
        let yaml = file_name.ends_with(".yml")
            || file_name.ends_with(".yaml")
            || first == "---"
            || (first.ends_with(':') && !first.starts_with('['));
        let parsed = if yaml {
            parse_yaml(text)
        } else {
            parse_ini(text)
        };
        parsed.map_err(|reason| AnsibleError::Syntax {
            file: file_name.to_string(),
            reason,
        })
    }

    /// The hosts of `group` (and of its children), in file order, once each.
    pub fn nodes(&self, group: &str) -> Result<Vec<Node>, AnsibleError> {
        let mut found: Vec<(String, Vars)> = Vec::new();
        if group == "all" && !self.groups.contains_key("all") {
            for name in self.groups.keys() {
                self.walk(name, &Vars::new(), 0, &mut found)?;
            }
        } else if self.groups.contains_key(group) {
            self.walk(group, &Vars::new(), 0, &mut found)?;
        } else {
            return Err(AnsibleError::NoGroup {
                group: group.to_string(),
                known: self.groups.keys().cloned().collect(),
            });
        }
        if found.is_empty() {
            return Err(AnsibleError::EmptyGroup {
                group: group.to_string(),
            });
        }
        found.into_iter().map(|(n, v)| node(n, &v)).collect()
    }

    fn walk(
        &self,
        group: &str,
        inherited: &Vars,
        depth: usize,
        out: &mut Vec<(String, Vars)>,
    ) -> Result<(), AnsibleError> {
        if depth > MAX_DEPTH {
            return Err(AnsibleError::TooDeep {
                group: group.to_string(),
            });
        }
        let Some(g) = self.groups.get(group) else {
            return Ok(()); // Ansible allows a child group that is never defined
        };
        let mut vars = inherited.clone();
        vars.extend(g.vars.clone());
        for (host, host_vars) in &g.hosts {
            let mut v = vars.clone();
            v.extend(host_vars.clone());
            match out.iter_mut().find(|(h, _)| h == host) {
                Some(existing) => existing.1.extend(host_vars.clone()),
                None => out.push((host.clone(), v)),
            }
        }
        for child in &g.children {
            self.walk(child, &vars, depth + 1, out)?;
        }
        Ok(())
    }
}

fn node(name: String, vars: &Vars) -> Result<Node, AnsibleError> {
    let get = |keys: &[&str]| keys.iter().find_map(|k| vars.get(*k).cloned());
    let port = match get(&["ansible_port", "ansible_ssh_port"]) {
        Some(p) => Some(p.parse::<u16>().map_err(|_| AnsibleError::BadPort {
            host: name.clone(),
            port: p.clone(),
        })?),
        None => None,
    };
    let address = get(&["ansible_host", "ansible_ssh_host"]);
    // As hostlists are: `$()`, backticks, `;`, spaces or a leading `-` never reach ssh.
    for value in address.iter().chain(std::iter::once(&name)) {
        crate::hostlist::check_name(value).map_err(|_| AnsibleError::UnsafeAddress {
            host: name.clone(),
            value: value.clone(),
        })?;
    }
    let user = get(&["ansible_user", "ansible_ssh_user"]);
    if let Some(u) = &user {
        // A separate argv word for `ssh -l`: only an option look-alike or a
        // control character could mislead it or the reports.
        let plain = !u.is_empty() && !u.starts_with('-') && !u.chars().any(char::is_control);
        if !plain {
            return Err(AnsibleError::BadUser {
                host: name,
                user: u.clone(),
            });
        }
    }
    Ok(Node {
        name,
        address,
        user,
        port,
    })
}

fn parse_ini(text: &str) -> Result<Inventory, String> {
    let mut inv = Inventory::default();
    // Hosts before any section header are "ungrouped", which is a child of "all".
    let mut section = ("ungrouped".to_string(), Kind::Hosts);
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let lineno = i + 1;
        if let Some(header) = line.strip_prefix('[') {
            let header = header
                .strip_suffix(']')
                .ok_or_else(|| format!("line {lineno}: unclosed section header"))?;
            section = match header.split_once(':') {
                Some((g, "children")) => (g.to_string(), Kind::Children),
                Some((g, "vars")) => (g.to_string(), Kind::Vars),
                Some((_, other)) => {
                    return Err(format!("line {lineno}: unknown section kind `:{other}`"))
                }
                None => (header.to_string(), Kind::Hosts),
            };
            inv.groups.entry(section.0.clone()).or_default();
            continue;
        }
        let group = inv.groups.entry(section.0.clone()).or_default();
        match section.1 {
            Kind::Children => group.children.push(line.to_string()),
            Kind::Vars => {
                let (k, v) = line
                    .split_once('=')
                    .ok_or_else(|| format!("line {lineno}: expected key=value"))?;
                group.vars.insert(k.trim().to_string(), unquote(v.trim()));
            }
            Kind::Hosts => {
                let mut words = split_words(line).into_iter();
                let pattern = words.next().unwrap_or_default();
                let mut vars = Vars::new();
                for w in words {
                    let (k, v) = w
                        .split_once('=')
                        .ok_or_else(|| format!("line {lineno}: `{w}` is not key=value"))?;
                    vars.insert(k.to_string(), unquote(v));
                }
                // `host:2222` is Ansible's INI shorthand for the port.
                let (pattern, port) = match pattern.rsplit_once(':') {
                    Some((h, p)) if !h.contains('[') && p.bytes().all(|b| b.is_ascii_digit()) => {
                        (h.to_string(), Some(p.to_string()))
                    }
                    _ => (pattern, None),
                };
                if let Some(p) = port {
                    vars.entry("ansible_port".into()).or_insert(p);
                }
                for host in expand_pattern(&pattern).map_err(|e| format!("line {lineno}: {e}"))? {
                    group.hosts.push((host, vars.clone()));
                }
            }
        }
    }
    if inv
        .groups
        .get("ungrouped")
        .is_some_and(|g| g.hosts.is_empty())
    {
        inv.groups.remove("ungrouped");
    }
    Ok(inv)
}

#[derive(Clone, Copy)]
enum Kind {
    Hosts,
    Children,
    Vars,
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        ""
    } else {
        line
    }
}

/// Split on whitespace, keeping quoted values (`key="a b"`) whole.
fn split_words(line: &str) -> Vec<String> {
    shlex::split(line).unwrap_or_else(|| line.split_whitespace().map(String::from).collect())
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

/// Ansible host ranges: `web[01:20].x`, `db-[a:c]`, with an optional stride `[1:9:2]`.
fn expand_pattern(pattern: &str) -> Result<Vec<String>, String> {
    let Some(open) = pattern.find('[') else {
        return Ok(vec![pattern.to_string()]);
    };
    let close = open
        + pattern[open..]
            .find(']')
            .ok_or_else(|| format!("`{pattern}`: `[` without `]`"))?;
    let spec: Vec<&str> = pattern[open + 1..close].split(':').collect();
    let (lo, hi, step) = match spec.as_slice() {
        [lo, hi] => (*lo, *hi, 1usize),
        [lo, hi, s] => (
            *lo,
            *hi,
            s.parse::<usize>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("`{pattern}`: bad stride"))?,
        ),
        _ => {
            return Err(format!(
                "`{pattern}`: a range is [start:end] or [start:end:step]"
            ))
        }
    };
    let items: Vec<String> = if let (Ok(a), Ok(b)) = (lo.parse::<u64>(), hi.parse::<u64>()) {
        if a > b || b - a > crate::hostlist::MAX_HOSTS as u64 {
            return Err(format!("`{pattern}`: bad range"));
        }
        let width = if lo.len() > 1 && lo.starts_with('0') {
            lo.len()
        } else {
            0
        };
        (a..=b)
            .step_by(step)
            .map(|n| format!("{n:0width$}"))
            .collect()
    } else if let ([a], [b]) = (lo.as_bytes(), hi.as_bytes()) {
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() || a > b {
            return Err(format!("`{pattern}`: bad range"));
        }
        (*a..=*b)
            .step_by(step)
            .map(|c| char::from(c).to_string())
            .collect()
    } else {
        return Err(format!("`{pattern}`: bad range"));
    };
    let mut out = Vec::new();
    for rest in expand_pattern(&pattern[close + 1..])? {
        for item in &items {
            out.push(format!("{}{item}{rest}", &pattern[..open]));
        }
    }
    Ok(out)
}

fn parse_yaml(text: &str) -> Result<Inventory, String> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let mut inv = Inventory::default();
    let top = doc
        .as_mapping()
        .ok_or("the top level is not a mapping of groups")?;
    for (name, body) in top {
        yaml_group(&mut inv, scalar(name)?, body, 0)?;
    }
    Ok(inv)
}

fn yaml_group(
    inv: &mut Inventory,
    name: String,
    body: &serde_yaml_ng::Value,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("groups nested deeper than {MAX_DEPTH} at `{name}`"));
    }
    let mut group = Group::default();
    if let Some(map) = body.as_mapping() {
        if let Some(hosts) = map.get("hosts").and_then(|h| h.as_mapping()) {
            for (host, vars) in hosts {
                let vars = yaml_vars(vars)?;
                for h in expand_pattern(&scalar(host)?)? {
                    group.hosts.push((h, vars.clone()));
                }
            }
        }
        if let Some(v) = map.get("vars") {
            group.vars = yaml_vars(v)?;
        }
        if let Some(children) = map.get("children").and_then(|c| c.as_mapping()) {
            for (child, child_body) in children {
                let child = scalar(child)?;
                group.children.push(child.clone());
                yaml_group(inv, child, child_body, depth + 1)?;
            }
        }
    } else if !body.is_null() {
        return Err(format!("group `{name}` is not a mapping"));
    }
    let entry = inv.groups.entry(name).or_default();
    entry.hosts.extend(group.hosts);
    entry.children.extend(group.children);
    entry.vars.extend(group.vars);
    Ok(())
}

fn yaml_vars(v: &serde_yaml_ng::Value) -> Result<Vars, String> {
    let mut vars = Vars::new();
    if let Some(map) = v.as_mapping() {
        for (k, val) in map {
            // Only scalars matter for connecting; nested structures are skipped.
            if let Ok(s) = scalar(val) {
                vars.insert(scalar(k)?, s);
            }
        }
    }
    Ok(vars)
}

fn scalar(v: &serde_yaml_ng::Value) -> Result<String, String> {
    match v {
        serde_yaml_ng::Value::String(s) => Ok(s.clone()),
        serde_yaml_ng::Value::Number(n) => Ok(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("expected a name or value, found {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INI: &str = "\
# hypervisors sharing the OCFS2 volume
mgmt.example ansible_host=192.0.2.10

[ocfs2]
n149.ocfs2.test ansible_host=10.0.0.149
n150.ocfs2.test:2222 ansible_user=admin
kvm[01:03].farm ansible_user=\"ops team\"

[ocfs2:vars]
ansible_user=root

[storage:children]
ocfs2
";

    #[test]
    fn ini_groups_vars_ranges_and_ports() {
        let inv = Inventory::parse("hosts", INI).unwrap();
        let nodes = inv.nodes("ocfs2").unwrap();
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "n149.ocfs2.test",
                "n150.ocfs2.test",
                "kvm01.farm",
                "kvm02.farm",
                "kvm03.farm"
            ]
        );
        assert_eq!(nodes[0].destination(), "10.0.0.149");
        assert_eq!(nodes[0].user.as_deref(), Some("root"), "group vars apply");
        assert_eq!(nodes[1].port, Some(2222));
        assert_eq!(nodes[1].user.as_deref(), Some("admin"), "host vars win");
        assert_eq!(nodes[2].user.as_deref(), Some("ops team"));
        assert_eq!(
            inv.nodes("storage").unwrap().len(),
            5,
            "children are included"
        );
        assert_eq!(
            inv.nodes("all").unwrap().len(),
            6,
            "ungrouped hosts count in all"
        );
        let err = inv.nodes("nope").unwrap_err();
        assert!(matches!(err, AnsibleError::NoGroup { ref group, .. } if group == "nope"));
        assert!(err.to_string().contains("no group `nope`"), "{err}");
    }

    #[test]
    fn yaml_inventory_with_children() {
        let yaml = "\
all:
  vars:
    ansible_user: root
  children:
    ocfs2:
      hosts:
        n149.ocfs2.test:
          ansible_host: 10.0.0.149
        n150.ocfs2.test:
        node[1:2]:
          ansible_port: 2200
";
        let inv = Inventory::parse("inventory.yml", yaml).unwrap();
        let nodes = inv.nodes("all").unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0].destination(), "10.0.0.149");
        assert_eq!(nodes[1].user.as_deref(), Some("root"));
        assert_eq!(nodes[3].name, "node2");
        assert_eq!(nodes[3].port, Some(2200));
        assert_eq!(inv.nodes("ocfs2").unwrap().len(), 4);
    }

    #[test]
    fn broken_inventories_are_errors() {
        for (name, text) in [
            ("h", "[ocfs2\nn1\n"),
            ("h", "[ocfs2]\nn1 ansible_port=http\n"),
            ("h", "[ocfs2]\nweb[3:1]\n"),
            ("h", "[ocfs2]\nn1 novalue\n"),
            ("h", "[ocfs2]\n-oProxyCommand=evil\n"),
            ("i.yml", "all: [1, 2]\n"),
            ("i.yml", "all:\n  hosts:\n    a: {\n"),
            ("h", "[a:children]\nb\n[b:children]\na\n"),
            // Shell syntax in names, addresses and users never reaches ssh.
            ("h", "[ocfs2]\nn1;reboot\n"),
            ("h", "[ocfs2]\nn1 ansible_host=$(id)\n"),
            ("h", "[ocfs2]\nn1 ansible_host=`id`\n"),
            ("h", "[ocfs2]\nn1 ansible_user=-oProxyCommand=x\n"),
            ("i.yml", "all:\n  hosts:\n    \"n1\\e[2J\": {}\n"),
        ] {
            let r = Inventory::parse(name, text).and_then(|i| i.nodes("all").map(|_| ()));
            assert!(r.is_err(), "{text:?} should be refused");
        }
    }
}
