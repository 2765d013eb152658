"""Per-request client overhead: `llm-bench provider-overhead` (our OpenAIClient) and the OpenAI
Python client, one after the other against the same canned local server, with ratios.

    swift build -c release --product llm-bench
    Benchmarks/peers/setup.sh
    python3 Benchmarks/compare_providers.py [--requests 1000] [--events 50]
"""
import argparse
import os
import socket
import subprocess
import sys
import time

from driver_support import BENCH, HERE, PEER_PYTHON, run


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "peers", "provider_stub_server.py"), str(port), str(args.events)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        base = f"http://127.0.0.1:{port}/v1"
        rows = run([BENCH, "provider-overhead", "--base-url", base, "--requests", str(args.requests), "--json"])
        rows += run([PEER_PYTHON, os.path.join(HERE, "peers", "provider_peers.py"), "--base-url", base,
                     "--requests", str(args.requests), "--json"])
    finally:
        server.terminate()
    print(f"\nOne request at a time against a canned local server (stream: {args.events} events); ms per request, best of 3\n")
    print(f"{'mode':<8} {'library':<24} {'ms/request':>10} {'ours/peer':>10}")
    for mode in ("respond", "stream"):
        ours = next(r for r in rows if r["mode"] == mode and r["library"] == "ours")
        for row in [r for r in rows if r["mode"] == mode]:
            print(f"{mode:<8} {row['library']:<24} {row['ms_per_request']:>10.3f} {ours['ms_per_request'] / row['ms_per_request']:>10.2f}")


if __name__ == "__main__":
    main()
