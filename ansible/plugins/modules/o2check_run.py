#!/usr/bin/python
# -*- coding: utf-8 -*-
# Licensed MIT OR Apache-2.0, as o2check itself.
"""o2check_run: run o2check's per-node checks on the managed node, return the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: o2check_run
short_description: Run o2check's checks on an OCFS2 node
description:
  - Runs C(o2check run) on the managed node (every per-node check of the o2cb
    stack, from cluster.conf and o2net to heartbeat, o2dlm and multipath) and
    returns its JSON report.
  - The checks only read, so the module never changes anything (C(changed) is
    always false) and runs the same in check mode.
  - The task fails when a check fails or cannot decide (status C(fail) or
    C(error)); C(msg) then names each such check with its summary and fix.
version_added: "0.1.0"
author: o2check developers
options:
  o2check:
    description: The o2check binary on the node (a path, or a name looked up in PATH).
    type: str
    default: o2check
  filter:
    description: Run only checks whose trial name (C(check@node)) contains this.
    type: str
  exact:
    description: Match I(filter) and I(skip) exactly instead of as substrings.
    type: bool
    default: false
  skip:
    description: Skip checks whose trial name contains one of these.
    type: list
    elements: str
    default: []
  min_paths:
    description: Paths each multipath map backing OCFS2 must have.
    type: int
  command_timeout:
    description: Seconds each command a check runs may take.
    type: int
    default: 20
  timeout:
    description: Seconds the whole o2check run may take before it is killed.
    type: int
    default: 300
  fail_on_error:
    description: Fail the task also when a check could not decide (status C(error)).
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details: The checks are read-only; they run in check mode too.
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Check this OCFS2 node
  o2check.ocfs2.o2check_run:
  register: o2check

- name: Check, skipping the multipath checks on virtio disks
  o2check.ocfs2.o2check_run:
    o2check: /usr/local/bin/o2check
    skip:
      - multipath-
"""

RETURN = r"""
report:
  description: The JSON report of the run (meta, nodes, results with evidence and fixes).
  returned: when o2check ran
  type: dict
counts:
  description: Results by status.
  returned: when o2check ran
  type: dict
  sample: {"pass": 12, "fail": 1, "skip": 8, "error": 0}
failing:
  description: The failing (and erroring) results, each with check, node, status, summary and fix.
  returned: when o2check ran
  type: list
  elements: dict
rc:
  description: o2check's exit code (0 nothing failed, 1 a check failed or errored).
  returned: when o2check ran
  type: int
"""

import json
import os
import shutil
import subprocess
import tempfile

from ansible.module_utils.basic import AnsibleModule

STATUSES = ("pass", "fail", "skip", "error")


def command_line(module, binary, json_path):
    """The o2check command: JSON report to json_path, nothing else written."""
    p = module.params
    argv = [binary, "run", "--no-reports", "--json", json_path, "-q", "--color", "never",
            "--command-timeout", str(p["command_timeout"])]
    if p["min_paths"] is not None:
        argv += ["--min-paths", str(p["min_paths"])]
    for s in p["skip"]:
        argv += ["--skip", s]
    if p["exact"]:
        argv.append("--exact")
    if p["filter"]:
        argv += ["--", p["filter"]]
    return argv


def describe(result):
    """One failing result as a line of the task's message."""
    line = "%s@%s: %s: %s" % (result.get("check"), result.get("node"),
                              result.get("status"), result.get("summary", ""))
    if result.get("fix"):
        line += " Fix: %s" % result["fix"]
    return line


def main():
    module = AnsibleModule(
        argument_spec=dict(
            o2check=dict(type="str", default="o2check"),
            filter=dict(type="str"),
            exact=dict(type="bool", default=False),
            skip=dict(type="list", elements="str", default=[]),
            min_paths=dict(type="int"),
            command_timeout=dict(type="int", default=20),
            timeout=dict(type="int", default=300),
            fail_on_error=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    binary = p["o2check"]
    if os.sep not in binary:
        binary = module.get_bin_path(binary, required=True, opt_dirs=["/usr/local/bin", "/usr/sbin"])
    # A directory of our own (mode 0700): nothing another user made is trusted.
    workdir = tempfile.mkdtemp(prefix="o2check-run-")
    try:
        json_path = os.path.join(workdir, "results.json")
        argv = command_line(module, binary, json_path)
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=p["timeout"], check=False)
        except subprocess.TimeoutExpired:
            module.fail_json(msg="o2check did not finish within %d s" % p["timeout"], cmd=argv)
        except OSError as e:
            module.fail_json(msg="cannot run %s: %s" % (binary, e), cmd=argv)
        stderr = proc.stderr.decode("utf-8", "replace")
        if proc.returncode not in (0, 1):
            module.fail_json(msg="o2check could not run the checks (exit %d): %s"
                             % (proc.returncode, stderr.strip()), rc=proc.returncode, cmd=argv)
        try:
            with open(json_path, "rb") as f:
                report = json.loads(f.read().decode("utf-8", "replace"))
        except (OSError, ValueError) as e:
            module.fail_json(msg="o2check wrote no readable report: %s; %s" % (e, stderr.strip()),
                             rc=proc.returncode, cmd=argv)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    results = report.get("results", [])
    counts = dict((s, sum(1 for r in results if r.get("status") == s)) for s in STATUSES)
    bad = ("fail", "error") if p["fail_on_error"] else ("fail",)
    failing = [dict((k, r.get(k)) for k in ("check", "node", "status", "summary", "fix", "finding"))
               for r in results if r.get("status") in bad]
    summary = "%(pass)d passed, %(fail)d failed, %(skip)d skipped, %(error)d errors" % counts
    out = dict(changed=False, report=report, counts=counts, failing=failing, rc=proc.returncode)
    if failing:
        lines = [describe(r) for r in failing]
        module.fail_json(msg="o2check: %d check(s) failed (%s):\n%s" % (len(failing), summary, "\n".join(lines)), **out)
    module.exit_json(msg="o2check: %s" % summary, **out)


if __name__ == "__main__":
    main()
