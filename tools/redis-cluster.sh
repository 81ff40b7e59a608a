#!/usr/bin/env bash
# A local 3-master Redis Cluster from Debian's redis-server and redis-cli, for the cluster part of the tests
# (npm run test:cluster) and for trying the bot against a cluster by hand.
#
#   tools/redis-cluster.sh start [first-port]   # default 7101: masters on 7101, 7102, 7103; prints REDIS_URL
#   tools/redis-cluster.sh stop  [first-port]
#
# Data lives in ${TMPDIR:-/tmp}/wf-redis-cluster-<first-port> and is thrown away by stop.
set -euo pipefail

cmd=${1:-start}
first=${2:-7101}
ports=("$first" "$((first + 1))" "$((first + 2))")
dir="${TMPDIR:-/tmp}/wf-redis-cluster-$first"
url="redis://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"

stop() {
  for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}

case "$cmd" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install -y redis-server)" >&2; exit 1; }
    if [ "$(redis-cli -p "${ports[0]}" cluster info 2>/dev/null | tr -d '\r' | grep -c '^cluster_state:ok')" = 1 ]; then
      echo "REDIS_URL=$url"
      exit 0
    fi
    stop
    mkdir -p "$dir"
    for p in "${ports[@]}"; do
      mkdir -p "$dir/$p"
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" \
        --cluster-node-timeout 5000 --dir "$dir/$p" --save '' --appendonly no --daemonize yes \
        --logfile "$dir/$p/redis.log" --pidfile "$dir/$p/redis.pid"
    done
    for p in "${ports[@]}"; do
      for _ in $(seq 1 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
    done
    redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
      --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; exit 1; }
    for _ in $(seq 1 200); do
      ok=0
      for p in "${ports[@]}"; do
        redis-cli -p "$p" cluster info | tr -d '\r' | grep -q '^cluster_state:ok' && ok=$((ok + 1))
      done
      [ "$ok" = 3 ] && { echo "REDIS_URL=$url"; exit 0; }
      sleep 0.1
    done
    echo "the cluster did not become ready (see $dir)" >&2
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [first-port]" >&2; exit 2 ;;
esac
