#!/usr/bin/env python3
"""Per-call overhead of Python's usual resilience libraries on a call that does not fail, in the
shape of `llm-bench resilience-overhead`: tenacity (retry) and pybreaker (circuit breaker), around
an async function that returns at once, awaited in one asyncio task (as an LLM client would be).

    python resilience_peers.py [--calls 200000] [--json]
"""
import argparse
import asyncio
import json
import time

import pybreaker
import tenacity

RESPONSE = {"text": "ok"}


async def instant():
    return RESPONSE


async def measure(call, calls):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            await call()
        best = min(best, (time.perf_counter() - start) / calls * 1e9)
    return best


async def main_async(calls):
    # Settings as close as these libraries allow to llm-bench's: 3 attempts, exponential jitter.
    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(3), wait=tenacity.wait_random_exponential(multiplier=0.5, max=8), reraise=True)

    async def retried():
        return await retrying(instant)

    breaker = pybreaker.CircuitBreaker(fail_max=50, reset_timeout=60)

    # pybreaker's own async support needs Tornado, so the awaited call is made first and the
    # breaker records it through its plain `call`: its full bookkeeping, on a call that succeeds.
    def breaker_call():
        return breaker.call(lambda: RESPONSE)

    async def broken_sync():
        await instant()
        return breaker_call()

    async def broken_retried():
        return await retrying(broken_sync)

    rows = [("bare", instant), ("breaker", broken_sync), ("retry", retried), ("breaker+retry", broken_retried)]
    return [(name, await measure(call, calls)) for name, call in rows]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args.calls))
    bare = rows[0][1]
    for name, nanoseconds in rows:
        row = {"bench": "resilience-overhead", "library": "tenacity+pybreaker", "stack": name,
               "ns_per_call": nanoseconds, "overhead_ns": max(0.0, nanoseconds - bare)}
        print(json.dumps(row) if args.json else f"{name:<16} {nanoseconds:10.0f} ns  (+{row['overhead_ns']:.0f})")


if __name__ == "__main__":
    main()
