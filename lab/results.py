#!/usr/bin/env python3
"""Read outcomes from o2check's JSON reports: every JSON the lab's assertions
look at goes through here (no inline `python3 -c` in the shell files).

results.json (o2check run --out DIR, scenario run --json FILE):
  results.py FILE CHECK [NODE]     status of CHECK (on NODE), or "absent"
  results.py FILE --nodes CHECK    the nodes that report CHECK, comma-separated
  results.py FILE --summary CHECK  the first result's summary line
  results.py FILE --finding CHECK  the first result's finding code (or "none")
  results.py FILE --any-failed     1 when a result is fail or error, else 0
  results.py FILE --failed         "check@node" of each fail or error, space-separated
  results.py FILE --history CHECK [NODE]
                                   the first evidence line of CHECK (on NODE) that
                                   shows an earlier event as history, or "none"

why.json (o2check why --out DIR):
  results.py FILE --cause          the first cause's id, or "undetermined"
  results.py FILE --fix-commands   the first cause's runnable fix, one
                                   "node<TAB>command" line each (nothing if none)
  results.py FILE --fix-text       the first cause's fix lines for the node's
                                   distribution (Debian, else RHEL), one a line

Prints "unreadable" when FILE is missing or not the JSON it should be.
With no NODE the first result of CHECK counts (cluster-wide checks, scenarios).
"""
import json
import sys

# kernlog/history.rs earlier(): evidence of an event that no longer stands.
HISTORY_PREFIX = "earlier, "


def load(path, key):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)[key]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def first_cause(path):
    d = load(path, "diagnosis")
    if d is None:
        return None
    causes = d.get("causes") or []
    return None if d.get("undetermined") or not causes else causes[0]


def why_main(path, what):
    if load(path, "diagnosis") is None:
        print("unreadable")
        return
    cause = first_cause(path)
    if what == "--cause":
        print(cause["cause"] if cause else "undetermined")
        return
    fix = (cause or {}).get("fix") or {}
    if what == "--fix-commands":
        for c in fix.get("commands") or []:
            # One command a line: the lab runs each as one shell command line.
            print(c["node"] + "\t" + c["run"].replace("\n", " "))
    elif what == "--fix-text":
        for line in fix.get("debian") or fix.get("rhel") or []:
            print(line)


def matching(results, check, node):
    return [r for r in results if r.get("check") == check and (node is None or r.get("node") == node)]


def results_main(path, args):
    results = load(path, "results")
    if results is None:
        print("unreadable")
        return
    what = args[0]
    if what == "--nodes":
        print(",".join(str(r.get("node")) for r in matching(results, args[1], None)) or "none")
    elif what == "--finding":
        print(next((str(r.get("finding") or "none") for r in matching(results, args[1], None)), "absent"))
    elif what == "--summary":
        print(next((str(r.get("summary")) for r in matching(results, args[1], None)), ""))
    elif what == "--any-failed":
        print(1 if any(r.get("status") in ("fail", "error") for r in results) else 0)
    elif what == "--failed":
        print(" ".join(f'{r.get("check")}@{r.get("node")}' for r in results if r.get("status") in ("fail", "error")) or "none")
    elif what == "--history":
        node = args[2] if len(args) > 2 else None
        lines = (
            e.get("text", "")
            for r in matching(results, args[1], node)
            for e in r.get("evidence") or []
        )
        print(next((t for t in lines if t.startswith(HISTORY_PREFIX)), "none"))
    else:
        node = args[1] if len(args) > 1 else None
        print(next((str(r.get("status")) for r in matching(results, what, node)), "absent"))


def main():
    path, args = sys.argv[1], sys.argv[2:]
    if args[0] in ("--cause", "--fix-commands", "--fix-text"):
        why_main(path, args[0])
    else:
        results_main(path, args)


if __name__ == "__main__":
    main()
