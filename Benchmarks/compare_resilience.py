#!/usr/bin/env python3
"""Per-call overhead of our resilience decorators next to tenacity and pybreaker, in one run,
with ratios; then the retry-storm simulation table.

    python3 Benchmarks/compare_resilience.py [--calls 1000000]

Needs `swift build -c release --product llm-bench` and `Benchmarks/peers/setup.sh`.
"""
import argparse
import os

from driver_support import BENCH, HERE, PEER_PYTHON, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    ours = {row["stack"]: row for row in run([BENCH, "resilience-overhead", "--calls", str(args.calls), "--json"])}
    theirs = {row["stack"]: row for row in run(
        [PEER_PYTHON, os.path.join(HERE, "peers", "resilience_peers.py"), "--calls", str(max(1, args.calls // 10)), "--json"])}
    print("\noverhead per call that does not fail, ns (call time minus the bare call); ratio = peer / ours\n")
    header = f"{'stack':<36} {'ours':>9} {'tenacity+pybreaker':>19} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for stack, row in ours.items():
        peer = theirs.get(stack)
        peer_text = f"{peer['overhead_ns']:>19.0f}" if peer else f"{'—':>19}"
        ratio = f"{peer['overhead_ns'] / max(row['overhead_ns'], 1):>7.0f}×" if peer and stack != "bare" else f"{'':>8}"
        print(f"{stack:<36} {row['overhead_ns']:>9.0f} {peer_text} {ratio}")
    print(f"\nbare call: ours {ours['bare']['ns_per_call']:.0f} ns, Python {theirs['bare']['ns_per_call']:.0f} ns\n")
    rows = run([BENCH, "resilience-sim", "--json"])
    header = f"{'jitter':<13} {'budget':<7} {'breaker':<8} {'calls':>6} {'in outage':>10} {'succeeded':>10} {'p50 s':>7} {'p99 s':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['jitter']:<13} {row['budget']:<7} {row['breaker']:<8} {row['calls']:>6} {row['calls_in_outage']:>10} "
              f"{row['succeeded_percent']:>9.1f}% {row['p50_s']:>7.2f} {row['p99_s']:>7.2f}")


if __name__ == "__main__":
    main()
