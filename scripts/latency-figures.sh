#!/usr/bin/env bash
# The latency and throughput figures of the README's Performance section (issue #13), in one
# sitting: latency-fixed-rate on shared and pinned cores, the native producer and consumer at
# full speed, the broker's ingest alone, the native end-to-end max rate, and the
# latency-throughput curve. About 15 minutes. Run it on an otherwise idle machine; it writes
# each command's output and a log with the load average before each to the directory given
# (default /tmp/sluice-latency-figures).
#
# The runs that write gigabytes (ingest, end-to-end max, curve) each start right after
# bench/prefault-memory.ts: on a VM whose host backs guest memory lazily, page-cache growth
# into untouched memory otherwise costs the broker a core partway through a run, and the
# figures would depend on what ran before (README, Performance: "Fresh memory costs CPU").
#
#   bash scripts/latency-figures.sh [out-dir]
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/sluice-latency-figures}"
mkdir -p "$out"
log="$out/log"
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" > "$log"
run () {
  local name=$1; shift
  echo "== $name $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
  "$@" > "$out/$name.out" 2>&1
  echo "   exit $? $(date -u +%T)" >> "$log"
}
node=node_modules/.bin/node
run latency-shared npx sluice bench workloads/latency-fixed-rate.yaml --driver native --results-dir "$out/results" --no-progress
run latency-pinned npx sluice bench workloads/latency-fixed-rate.yaml --driver native --broker-cpus 0 --harness-cpus 1 --results-dir "$out/results" --no-progress
run native-producer "$node" bench/native-producer.ts --rounds 2
run native-consume "$node" bench/native-consume.ts
run prefault-1 "$node" bench/prefault-memory.ts
# The same bounded log as the end-to-end workloads (their brokerConfig), so the ratio
# below compares like with like.
bounded=(-o log.retention.bytes=268435456 -o log.segment.bytes=67108864 -o log.retention.check.interval.ms=1000)
run ingest "$node" bench/ingest.ts --record-bytes 1024 "${bounded[@]}" --json "$out/ingest.json"
run prefault-2 "$node" bench/prefault-memory.ts
run e2e-max npx sluice bench workloads/max-throughput-1kb.yaml --driver native --duration 30s --results-dir "$out/results" --no-progress
run prefault-3 "$node" bench/prefault-memory.ts
run curve npx sluice bench workloads/latency-fixed-rate.yaml --driver native --curve 20,50,80 --duration 20s --warmup 5s --results-dir "$out/curve" --no-progress
echo "end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
# Issue #13's ratio from this sitting: the end-to-end max over the broker's ingest alone.
e2e="$(ls -td "$out"/results/*max-throughput-1kb* 2>/dev/null | head -1)"
if [ -n "$e2e" ] && [ -f "$out/ingest.json" ]; then
  "$node" bench/e2e-vs-ingest.ts "$out/ingest.json" "$e2e/result.json" | tee "$out/e2e-vs-ingest.out"
fi
echo "figures in $out (log: $log)"
