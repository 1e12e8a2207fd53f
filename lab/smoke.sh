# shellcheck shell=bash
# The N-node smoke (O2LAB_NODES=3 or `acceptance --nodes 3`): N nodes boot on the
# hub and mount the shared disk, cluster.conf lists all N, ssh reaches each, and
# o2check passes inside every node and, when it can, from the host in cluster
# mode. About a minute for 3 nodes on 2 cores (boot ~19 s, mounted ~35 s).

smoke() {
  local t0 t n; t0=$(now)
  rm -rf "$RESULTS"; mkdir -p "$RESULTS"
  stop_on_exit
  prepare
  t=$(now); up; echo "timing boot-$NODES-nodes $(cat "$RUN/boot-seconds")" >>"$RESULTS/timings"; timing "up-and-mounted-$NODES-nodes" "$t"
  for n in $(seq "$NODES"); do
    if [ "$(vm "$n" 'grep -c " ocfs2 " /proc/mounts')" = 1 ]; then ok "node$n mounted"; else bad "node$n not mounted"; fi
  done
  if vm 1 "grep -q 'node_count = $NODES\$' /etc/ocfs2/cluster.conf && [ \$(grep -c '^node:' /etc/ocfs2/cluster.conf) = $NODES ]"; then
    ok "cluster.conf lists $NODES nodes"
  else
    bad "cluster.conf does not list $NODES nodes"
  fi
  expect_access
  t=$(now); run_in_nodes healthy $(seq "$NODES"); expect_healthy healthy; timing healthy-in-guests "$t"
  t=$(now); cluster_healthy; timing healthy-cluster-mode "$t"
  finish "$t0"
}
