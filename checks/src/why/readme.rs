//! The catalogue as Markdown, for the README's `why` section: generated from the
//! code so the documentation cannot drift. `o2check generate-readme` writes it
//! into README.md with the other generated tables, and the binary's
//! tests/readme.rs fails when README.md differs.

use super::catalogue::{Collect, CAUSES};
use super::facts::FACTS;
use super::messages::MESSAGES;
use std::fmt::Write;

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
