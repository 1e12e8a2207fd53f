//! The catalogue as Markdown, for the README's `why` section: generated from the
//! code so the documentation cannot drift (a test compares the two; run it with
//! `O2CHECK_BLESS=1` to rewrite the README).

use super::catalogue::{Collect, CAUSES};
use super::facts::FACTS;
use super::messages::MESSAGES;
use std::fmt::Write;

/// Markers around the generated part of README.md.
pub const BEGIN: &str = "<!-- why-catalogue:begin (generated: O2CHECK_BLESS=1 cargo test -p o2check-checks --lib why::readme) -->";
pub const END: &str = "<!-- why-catalogue:end -->";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown() -> String {
    let mut m = String::new();
    m.push_str("| cause | layer | ruled in by (failing, strong) | supported by (failing, a symptom) | ruled out by (passing) | produces |\n|---|---|---|---|---|---|\n");
    for c in CAUSES {
        let keys = |f: &[super::catalogue::Finding]| {
            if f.is_empty() {
                "—".to_string()
            } else {
                f.iter()
                    .map(|f| format!("`{}`", f.key()))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | {} | {} | {} |",
            c.id,
            c.layer.name(),
            keys(c.ruled_in_by),
            keys(c.supported_by),
            keys(c.ruled_out_by),
            c.produces
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    m.push_str("\nFacts from the kernel log that rule causes out on the node where they still hold:\n\n| fact | rules out |\n|---|---|\n");
    for f in FACTS {
        let _ = writeln!(
            m,
            "| `{}`: {} | {} |",
            f.id,
            cell(f.meaning),
            f.excludes
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    m.push_str(
        "\nMessages (the error text you give `why`):\n\n| id | step | example |\n|---|---|---|\n",
    );
    for msg in MESSAGES {
        let _ = writeln!(
            m,
            "| `{}` | {} | `{}` |",
            msg.id,
            msg.step.name(),
            cell(msg.example).replace('`', "'")
        );
    }
    m.push_str("\nWhat `undetermined` asks for, per cause (minus what the bundle holds):\n\n");
    for c in CAUSES {
        let items: Vec<String> = c
            .collect
            .iter()
            .map(|i| match i {
                Collect::File(p) => format!("`{p}`"),
                Collect::Command(a) => format!("`{}`", a.join(" ")),
                Collect::Ask(t) => cell(t),
            })
            .collect();
        let _ = writeln!(m, "- `{}`: {}", c.id, items.join(", "));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_shows_the_catalogue_of_the_code() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
            panic!("README.md lacks the {BEGIN} … {END} markers");
        };
        let current = &readme[b + BEGIN.len()..e];
        let wanted = format!("\n{}", markdown());
        if current != wanted {
            if std::env::var_os("O2CHECK_BLESS").is_some() {
                let new = format!("{}{BEGIN}{wanted}{}", &readme[..b], &readme[e..]);
                std::fs::write(&path, new).unwrap();
            } else {
                panic!("README.md's why catalogue differs from the code: run `O2CHECK_BLESS=1 cargo test -p o2check-checks --lib why::readme`");
            }
        }
    }
}
