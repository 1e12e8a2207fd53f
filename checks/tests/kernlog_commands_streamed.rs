//! A bundle's `dmesg` and `journalctl -k` outputs stream through the kernel-log
//! scanner as /var/log files do (issue 17: flat memory, not capped at the
//! whole-text reader's 64 MiB). The events must be the ones the whole-text
//! reader (`lines::from_text` + `node_events::events`) gives on every fixture.

mod common;

use o2check_checks::kernlog::lines::{command_origin, from_text, read_node_log};
use o2check_checks::kernlog::node_events::{events, Located};
use o2check_checks::source::confined::Confined;
use o2check_checks::source::Bundle;
use o2check_checks::{NodeCtx, Options, Text};
use std::path::PathBuf;

const COMMANDS: &[&[&str]] = &[
    &["dmesg"],
    &["journalctl", "-k", "-o", "short-iso", "--no-pager"],
];

/// What a reader sees of an event: where it is and what it is.
fn seen(events: &[Located]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{}:{} {} {} => {:?}",
                e.line.origin, e.line.line, e.line.stamp, e.line.message, e.event
            )
        })
        .collect()
}

/// The events of the source `origin` as the bundle's node log read them.
fn streamed(bundle: Bundle, origin: &str) -> Vec<String> {
    let options = Options::default();
    let ctx = NodeCtx::new(&bundle, &options);
    let log = read_node_log(&ctx);
    log.sources
        .iter()
        .position(|s| s.first().is_some_and(|l| l.origin == origin))
        .map_or_else(Vec::new, |i| seen(&log.events[i].events))
}

/// Every bundle and case node directory of the fixtures.
fn node_dirs() -> Vec<PathBuf> {
    let mut dirs = common::bundle_dirs();
    let cases = common::fixtures().join("../cases");
    for case in std::fs::read_dir(cases).unwrap() {
        let case = case.unwrap().path();
        if case.is_dir() {
            for node in std::fs::read_dir(&case).unwrap() {
                let node = node.unwrap().path();
                if node.is_dir() {
                    dirs.push(node);
                }
            }
        }
    }
    dirs.sort();
    dirs
}

fn file_name(argv: &[&str]) -> String {
    argv.join("_")
}

#[test]
fn streamed_command_outputs_give_the_whole_text_events_on_every_fixture() {
    let mut compared = 0;
    for dir in node_dirs() {
        for argv in COMMANDS {
            let path = dir.join("commands").join(file_name(argv));
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let origin = command_origin(argv);
            let whole = seen(&events(&from_text(&Text::from_bytes(&origin, &bytes))));
            assert_eq!(
                streamed(Bundle::open(&dir).unwrap(), &origin),
                whole,
                "{}",
                path.display()
            );
            compared += whole.len();
        }
    }
    assert!(compared > 100, "only {compared} events compared");
}

/// The lab's dmesg followed by generated records up to three times the per-file
/// cap: the whole-text reader keeps the tail and loses every o2 line; the
/// stream reads them all, numbered as in the file.
#[test]
fn a_dmesg_larger_than_the_cap_keeps_its_first_events() {
    let lab = common::fixtures().join("lab-capture-healthy-node1");
    let dmesg = std::fs::read_to_string(lab.join("commands/dmesg")).unwrap();
    let origin = command_origin(&["dmesg"]);
    let expected = seen(&events(&from_text(&Text::new(&origin, dmesg.clone()))));
    assert!(expected.len() > 5);

    let cap: u64 = 1 << 20;
    let mut big = dmesg;
    let mut n = 0u64;
    while (big.len() as u64) < 3 * cap {
        n += 1;
        big.push_str(&format!(
            "[ {}.{:06}] usb 1-1: new high-speed USB device number {n} using ehci-pci\n",
            1000 + n / 1000,
            n % 1_000_000
        ));
    }
    let case = common::Case::from("lab-capture-healthy-node1").write("commands/dmesg", &big);
    let root = case.path();
    let open =
        || Bundle::open_confined(root, Confined::open(root).unwrap().with_max_file(cap)).unwrap();
    assert_eq!(streamed(open(), &origin), expected);
    // What the whole-text reader would have had: the capped tail, no o2 line.
    let tail = o2check_checks::source::Source::command(&open(), &["dmesg"]).unwrap();
    assert!((tail.stdout.len() as u64) <= cap);
    assert!(events(&from_text(&Text::from_bytes(&origin, &tail.stdout))).is_empty());
}
