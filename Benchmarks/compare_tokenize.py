#!/usr/bin/env python3
"""Runs `llm-bench tokenize` and tiktoken on every file of the shared text corpus in one run and
prints throughput ratios (ours/tiktoken) and whether the token counts agree.

    python3 Benchmarks/compare_tokenize.py [--data ../shared/data] [--repeat 3]

Needs `swift build -c release --product llm-bench` and `Benchmarks/peers/setup.sh`.
"""
import argparse
import os

from driver_support import HERE, ROOT, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--repeat", default="3")
    args = parser.parse_args()
    bench = os.path.join(ROOT, ".build", "release", "llm-bench")
    python = os.path.join(HERE, "peers", ".venv", "bin", "python")
    rows = []
    for encoding in ["cl100k_base", "o200k_base"]:
        ranks = os.path.join(args.data, "tokenizers", encoding + ".tiktoken")
        for folder in ["prose", "markdown", "code"]:
            directory = os.path.join(args.data, "text", folder)
            for name in sorted(os.listdir(directory)):
                path = os.path.join(directory, name)
                common = ["--encoding", encoding, "--ranks", ranks, "--input", path, "--repeat", args.repeat, "--json"]
                ours = run([bench, "tokenize"] + common)[0]
                theirs = run([python, os.path.join(HERE, "peers", "tokenize_peer.py")] + common)[0]
                rows.append((encoding, name, ours, theirs))
    print("\nencode throughput, one thread, MB/s (best of runs); ratio = ours / tiktoken\n")
    header = f"{'encoding':<12} {'input':<36} {'tokens':>9} {'ours':>8} {'tiktoken':>9} {'ratio':>6} {'counts':>7}"
    print(header)
    print("-" * len(header))
    for encoding, name, ours, theirs in rows:
        same = "equal" if ours["tokens"] == theirs["tokens"] else "DIFFER"
        print(f"{encoding:<12} {name:<36} {ours['tokens']:>9} {ours['mb_per_s']:>8.2f} {theirs['mb_per_s']:>9.2f} "
              f"{ours['mb_per_s'] / theirs['mb_per_s']:>6.2f} {same:>7}")


if __name__ == "__main__":
    main()
