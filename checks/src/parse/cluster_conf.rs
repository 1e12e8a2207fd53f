//! /etc/ocfs2/cluster.conf with o2cb's own grammar (ocfs2-tools `o2cb_ctl/jconfig.c`,
//! ocfs2-tools o2cb_ctl/jconfig.c): a stanza header `name:` starts in column 0; attributes are
//! indented `key = value` lines; a blank (or whitespace-only) line ends a stanza;
//! `#` comments only in column 0; no inline comments; CRLF breaks header lines.
//! Errors carry the exact texts jconfig.c uses (the tools themselves never print
//! them: a bad file just fails to load with -EIO).

use crate::error::ParseError;

/// One `key = value` attribute with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// A stanza: its header name (`node`, `cluster`, `heartbeat`, or unknown ones) and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    pub kind: String,
    pub line: u32,
    pub attrs: Vec<Attr>,
}

impl Stanza {
    /// The value of `key`; a repeated attribute's last value wins, as in jconfig.c.
    pub fn get(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().rev().find(|a| a.key == key)
    }
}

/// The file as stanzas, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterConf {
    pub stanzas: Vec<Stanza>,
}

impl ClusterConf {
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Stanza> + 'a {
        self.stanzas.iter().filter(move |s| s.kind == kind)
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parse with o2cb's grammar; `origin` labels errors.
pub fn parse(origin: &str, text: &str) -> Result<ClusterConf, ParseError> {
    parse_with(origin, text, &mut Err)
}

/// Every stanza and attribute o2cb's grammar reads, skipping the lines it
/// cannot (an attribute line with an error is dropped, a bad header closes the
/// stanza) and tolerating CRLF: `collect` must find the node and cluster names
/// even in a file o2cb refuses to load, and the checks, not the collector,
/// judge the file.
pub fn parse_lenient(text: &str) -> ClusterConf {
    parse_with("cluster.conf", &text.replace('\r', ""), &mut |_| Ok(())).unwrap_or_default()
}

/// The grammar, with `on_error` deciding whether an error ends the parse.
fn parse_with(
    origin: &str,
    text: &str,
    on_error: &mut dyn FnMut(ParseError) -> Result<(), ParseError>,
) -> Result<ClusterConf, ParseError> {
    let err = |line: u32, msg: String| ParseError::new(origin, Some(line), msg);
    let mut conf = ClusterConf::default();
    let mut open = false; // is a stanza accepting attributes?
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((i, raw)) = lines.next() {
        let n = i as u32 + 1;
        if raw.is_empty() {
            open = false;
            continue;
        }
        let first = raw.chars().next().unwrap_or(' ');
        if first == '#' {
            continue; // a column-0 comment does not close the stanza
        }
        if first == ' ' || first == '\t' {
            let body = raw.trim_start_matches([' ', '\t']);
            if body.trim_end_matches('\r').is_empty() {
                open = false;
                continue;
            }
            let c = body.chars().next().unwrap_or(' ');
            if !is_ident(c) {
                on_error(err(n, format!("Invalid character in attribute name: {c}")))?;
                continue;
            }
            if !open {
                on_error(err(n, "Attributes require a matching stanza".into()))?;
                continue;
            }
            let key_len = body.find(|c: char| !is_ident(c)).unwrap_or(body.len());
            let (key, rest) = body.split_at(key_len);
            let rest = rest.trim_start_matches([' ', '\t']);
            let Some(value) = rest.strip_prefix('=') else {
                let msg = if rest.trim_end_matches('\r').is_empty() {
                    "Invalid attribute: missing '='"
                } else {
                    "Invalid attribute: expecting '='"
                };
                on_error(err(n, msg.into()))?;
                continue;
            };
            let mut value = value.trim_start_matches([' ', '\t']).to_string();
            // A trailing backslash continues the value on the next line.
            while value.ends_with('\\') {
                value.pop();
                value.push('\n');
                match lines.next() {
                    Some((_, next)) => value.push_str(next),
                    None => break,
                }
            }
            let value = value.trim_end().to_string();
            if let Some(stanza) = conf.stanzas.last_mut() {
                stanza.attrs.push(Attr {
                    key: key.to_string(),
                    value,
                    line: n,
                });
            }
            continue;
        }
        if !is_ident(first) {
            on_error(err(n, format!("Invalid character in stanza name: {first}")))?;
            open = false;
            continue;
        }
        let name_len = raw.find(|c: char| !is_ident(c)).unwrap_or(raw.len());
        let (name, rest) = raw.split_at(name_len);
        let Some(after) = rest.strip_prefix(':') else {
            let msg = match rest.chars().next() {
                None => "Invalid stanza name declaration: missing ':'".to_string(),
                Some(c) if c == ' ' || c == '\t' => "Invalid stanza name declaration".to_string(),
                Some(c) => format!(
                    "Invalid character in stanza name declaration: {}",
                    printable(c)
                ),
            };
            on_error(err(n, msg))?;
            open = false;
            continue;
        };
        if !after.chars().all(|c| c == ' ' || c == '\t') {
            on_error(err(n, "Trailing garbage on stanza name declaration".into()))?;
            open = false;
            continue;
        }
        conf.stanzas.push(Stanza {
            kind: name.to_string(),
            line: n,
            attrs: Vec::new(),
        });
        open = true;
    }
    Ok(conf)
}

fn printable(c: char) -> String {
    if c == '\r' {
        "\\r (CRLF line ending)".into()
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str =
        include_str!("../../../fixtures/bundles/lab-capture-healthy-node1/etc/ocfs2/cluster.conf");
    const SEED: &str = include_str!(
        "../../../fixtures/bundles/seed-hostname-mismatch-n150/etc/ocfs2/cluster.conf"
    );

    #[test]
    fn parses_the_lab_file_with_tabs() {
        let c = parse("lab", LAB).unwrap();
        let kinds: Vec<_> = c.stanzas.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["cluster", "node", "node"]);
        let n = &c.stanzas[2];
        assert_eq!(n.get("name").unwrap().value, "n151.ocfs2.test");
        assert_eq!((n.line, n.get("ip_port").unwrap().line), (13, 14));
    }

    #[test]
    fn parses_the_seed_file_with_spaces_and_a_whitespace_line() {
        let c = parse("seed", SEED).unwrap();
        assert_eq!(c.of_kind("node").count(), 2);
        let cluster = c.of_kind("cluster").next().unwrap();
        assert_eq!(cluster.get("node_count").unwrap().value, "2");
    }

    #[test]
    fn grammar_errors_use_o2cb_texts_and_line_numbers() {
        let cases = [
            (
                "cluster:\r\n\tname = a\r\n",
                1,
                "Trailing garbage on stanza name declaration",
            ),
            ("cluster :\n", 1, "Invalid stanza name declaration"),
            (
                "cluster\n",
                1,
                "Invalid stanza name declaration: missing ':'",
            ),
            (
                "cluster:\n\t# note\n",
                2,
                "Invalid character in attribute name: #",
            ),
            (
                "cluster:\n\tname = a\n\n\tnode_count = 2\n",
                4,
                "Attributes require a matching stanza",
            ),
            (
                "cluster:\n\tname a\n",
                2,
                "Invalid attribute: expecting '='",
            ),
            ("-x:\n", 1, "Invalid character in stanza name: -"),
        ];
        for (text, line, msg) in cases {
            let e = parse("f", text).unwrap_err();
            assert_eq!((e.line, e.message.as_str()), (Some(line), msg), "{text:?}");
        }
    }

    #[test]
    fn keeps_inline_hashes_and_lets_the_last_duplicate_win() {
        let c = parse("f", "node:\n\tip_port = 7777 # x\n\tname = a\n\tname = b\n").unwrap();
        assert_eq!(c.stanzas[0].get("ip_port").unwrap().value, "7777 # x");
        assert_eq!(c.stanzas[0].get("name").unwrap().value, "b");
    }

    #[test]
    fn column_zero_comments_do_not_close_a_stanza_and_garbage_never_panics() {
        let c = parse("f", "node:\n# c\n\tname = a\n").unwrap();
        assert_eq!(c.stanzas[0].get("name").unwrap().value, "a");
        for junk in [
            "\u{FFFD}\u{0}",
            "\t\t",
            ":\n",
            "a:\n\t=\n",
            "a:\n\tb = c\\",
            "\n\n\n",
        ] {
            let _ = parse("f", junk);
        }
    }
}
