# shellcheck shell=bash
# The multi-node scenarios on the shared mount, from the host over ssh with
# `o2check scenario run` (cluster mode).

# Scenarios that must pass on OCFS2. Plain concurrent-append is not among them:
# O_APPEND takes the node's cached size, so records are lost across nodes.
PASSING_SCENARIOS="concurrent-append-flock tail-follow flock-exclusion create-unlink-visible rename-visible write-read-checksum"

no_scenario_leftovers() {
  if vm 1 'ls -A /mnt/ocfs2 | grep -q "^.o2check-"'; then bad "scenario directories left on the mount: $(vm 1 'ls -A /mnt/ocfs2' | tr '\n' ' ')"; else ok "scenario directories cleaned up"; fi
}

scenario_run() {
  local json=$RESULTS/scenarios.json junit=$RESULTS/scenarios-junit.xml rc c got want
  # `all` leaves plain concurrent-append out unless the loss is declared expected.
  "$O2CHECK_BIN" scenario run all --nodes "$(node_pattern)" --ssh-config "$SSH_CONFIG" --mount /mnt/ocfs2 \
    --preset "$REPO/scenarios/quick.toml" --json "$json" --junit "$junit" --expect-loss >"$RESULTS/scenarios.log" 2>&1 && rc=0 || rc=$?
  expect_junit "$junit" "scenarios"
  for c in $PASSING_SCENARIOS; do
    got=$(python3 "$LAB_SRC/results.py" "$json" "$c")
    if [ "$got" = pass ]; then ok "scenario $c = pass"; else bad "scenario $c = $got, expected pass"; fi
  done
  # With --expect-loss a shown loss passes (or fails, when the race was won:
  # either is right here, the summary says which records were lost).
  got=$(python3 "$LAB_SRC/results.py" "$json" concurrent-append)
  case "$got" in
    fail|pass) ok "scenario concurrent-append (plain O_APPEND) = $got (note): $(python3 "$LAB_SRC/results.py" "$json" --summary concurrent-append)" ;;
    *) bad "scenario concurrent-append = $got, expected fail (or pass)" ;;
  esac
  # Exit 0 when nothing failed or errored, else 1 (plain append's loss counts).
  want=$(python3 "$LAB_SRC/results.py" "$json" --any-failed)
  if [ "$rc" = "$want" ]; then ok "scenario run exit $rc agrees with the results"; else bad "scenario run exit $rc, results say $want; see $RESULTS/scenarios.log"; fi
  no_scenario_leftovers
}
