#!/usr/bin/env bash
# ReviewBatch at scale: 1,000,000 synthetic reviews through the offline model with 300 ms of
# simulated latency per request, concurrency 20, micro-batches of 20 — once without failures and
# once with 10% of requests failing (429 with Retry-After, 500, broken JSON, a missing item).
# Reports wall time, throughput, peak memory, and checks that every input line is in exactly one
# of results.jsonl and deadletter.jsonl.
#
#   bash Benchmarks/reviewbatch_bench.sh [COUNT]        (default 1000000; about 30 minutes)
set -euo pipefail
count="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release --product ReviewBatch >&2
bin="$(swift build -c release --show-bin-path)/ReviewBatch"
"$bin" generate --count "$count" --seed 7 --output "$work/reviews.jsonl"
for rate in 0 0.1; do
  echo "== $count reviews, latency 300 ms, concurrency 20, batch 20, failure rate $rate"
  "$bin" run --input "$work/reviews.jsonl" --output "$work/out-$rate" --latency-ms 300 --failure-rate "$rate" 2>/dev/null
  python3 - "$work/out-$rate" "$count" <<'PY'
import json, sys
out, count = sys.argv[1], int(sys.argv[2])
lines = []
for name in ("results.jsonl", "deadletter.jsonl"):
    with open(f"{out}/{name}") as f:
        lines += [json.loads(l)["line"] for l in f]
missing = count - len(set(lines))
print(f"exactly-once check: {len(lines)} output lines, {len(set(lines))} distinct input lines, "
      f"{len(lines) - len(set(lines))} duplicated, {missing} missing")
PY
done
