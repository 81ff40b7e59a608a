#!/usr/bin/env bash
# npm run test:cluster: starts a local 3-master Redis Cluster (tools/redis-cluster.sh), runs the integration and
# browser suites and test/cluster against it, and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${CLUSTER_PORT:-7101}
url=$(bash tools/redis-cluster.sh start "$port" | sed -n 's/^REDIS_URL=//p')
trap 'bash tools/redis-cluster.sh stop "$port"' EXIT
echo "test:cluster: Redis Cluster at $url"
TEST_REDIS_URL="$url" npx jest -c jest.cluster.config.js "$@"
