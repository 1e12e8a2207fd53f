# shellcheck shell=bash
# o2check's cluster mode from the host: `o2check run --cluster` reaches every node
# over ssh ($SSH_CONFIG), runs the node checks there (/usr/bin/o2check in the
# guest) and the cross-node checks on the host.

# Results in $RESULTS/CASE-cluster/{results.json,junit.xml}, exit status in
# $RESULTS/CASE-cluster.exit, output in $RESULTS/CASE-cluster.log, and the
# bundles fetched from the nodes (with clock and probes) in
# $WORK/bundles/CASE-cluster/<node>/: real cluster-mode fixtures.
# The guests run no NTP, and under TCG on a loaded host their clocks drift apart
# by a second or more within minutes (seen: 1.8 s, measured to within 0.6 s,
# after one fault): set each from the host's clock first, as NTP keeps a real
# cluster's nodes in step, so that clock-skew judges the cluster, not the lab.
sync_clocks() {
  local n
  for n in $(seq "$NODES"); do vm "$n" "date -s @$(date +%s.%N) >/dev/null" || true; done
}

cluster_run() { # CASE
  local out=$RESULTS/$1-cluster rc
  rm -rf "$out" "$WORK/bundles/$1-cluster"
  sync_clocks
  "$O2CHECK_BIN" run --cluster --nodes "$(node_pattern)" --ssh-config "$SSH_CONFIG" --out "$out" --color never -q \
    --save-bundles "$WORK/bundles/$1-cluster" >"$out.log" 2>&1 && rc=0 || rc=$?
  echo "$rc" >"$out.exit"
}

# expect_cluster CASE CHECK NODE|"" STATUS (NODE "" = the first result of CHECK)
expect_cluster() {
  local got json=$RESULTS/$1-cluster/results.json
  got=$(python3 "$LAB_SRC/results.py" "$json" "$2" ${3:+"$3"})
  if [ "$got" = "$4" ]; then
    ok "$1 cluster mode: $2${3:+@$3} = $4"
  else
    bad "$1 cluster mode: $2${3:+@$3} = $got, expected $4 (reported by: $(python3 "$LAB_SRC/results.py" "$json" --nodes "$2"))"
  fi
}

cluster_healthy() {
  local n rc
  cluster_run healthy
  rc=$(cat "$RESULTS/healthy-cluster.exit")
  if [ "$rc" = 0 ]; then ok "healthy cluster mode: exit 0"; else bad "healthy cluster mode: exit $rc (see $RESULTS/healthy-cluster.log)"; fi
  expect_junit "$RESULTS/healthy-cluster/junit.xml" "healthy cluster mode"
  for n in $(seq "$NODES"); do expect_cluster healthy node-reachable "$(node_name "$n")" pass; done
  local c
  for c in cluster-conf-identical o2cb-timeouts-identical versions-consistent clock-skew same-volume-uuid dlm-domains-agree; do
    expect_cluster healthy "$c" "" pass
  done
}

# Node 1 drops the o2net port: with both nodes' evidence the failure is node 1's
# alone; node 2, which cannot reach it, passes with a note naming node 1.
cluster_port_blocked() {
  cluster_run port-blocked
  expect_junit "$RESULTS/port-blocked-cluster/junit.xml" "port-blocked cluster mode"
  expect_cluster port-blocked o2net-port "$(node_name 1)" fail
  expect_cluster port-blocked o2net-port "$(node_name 2)" pass
}

# Node 2 booted as n151.test.com: its hostname matches no cluster.conf node, and
# the cluster run reports the node under the name it has.
cluster_hostname_mismatch() {
  cluster_run hostname-mismatch
  expect_junit "$RESULTS/hostname-mismatch-cluster/junit.xml" "hostname-mismatch cluster mode"
  expect_cluster hostname-mismatch hostname-in-cluster-conf n151.test.com fail
}
