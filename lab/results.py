#!/usr/bin/env python3
"""Read one outcome from an o2check results.json: the lab's assertions use it.

usage: results.py FILE CHECK [NODE]    status of CHECK (on NODE), or "absent"
       results.py FILE --nodes CHECK   the nodes that report CHECK, comma-separated
       results.py FILE --summary CHECK the first result's summary line
       results.py FILE --finding CHECK the first result's finding code (or "none")

Prints "unreadable" when FILE is missing or not results JSON ({"results": [...]}).
With no NODE the first result of CHECK counts (cluster-wide checks, scenarios).
"""
import json
import sys


def main():
    path, check = sys.argv[1], sys.argv[2]
    try:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)["results"]
    except (OSError, ValueError, KeyError, TypeError):
        print("unreadable")
        return
    if check == "--nodes":
        print(",".join(str(r.get("node")) for r in results if r.get("check") == sys.argv[3]) or "none")
        return
    if check == "--finding":
        print(next((str(r.get("finding") or "none") for r in results if r.get("check") == sys.argv[3]), "absent"))
        return
    if check == "--summary":
        print(next((str(r.get("summary")) for r in results if r.get("check") == sys.argv[3]), ""))
        return
    node = sys.argv[3] if len(sys.argv) > 3 else None
    for r in results:
        if r.get("check") == check and (node is None or r.get("node") == node):
            print(r.get("status"))
            return
    print("absent")


if __name__ == "__main__":
    main()
