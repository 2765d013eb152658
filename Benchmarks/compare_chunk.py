#!/usr/bin/env python3
"""Runs `llm-bench chunk` and the chunking peers on the same input in one run and prints ratios.

    python3 Benchmarks/compare_chunk.py [--data ../shared/data] [--repeat 3]

Configurations: prose at 1,000/200 characters, and at 512/50 cl100k tokens (ours: recursive and
token chunkers). Needs `swift build -c release --product llm-bench` and `Benchmarks/peers/setup.sh`.
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
    ranks = os.path.join(args.data, "tokenizers", "cl100k_base.tiktoken")
    prose = os.path.join(args.data, "text", "prose", "pg2701_moby_dick.txt")
    configurations = [
        ("characters", "1000", "200", ["recursive", "sentence"], "langchain,semantic-text-splitter,chonkie"),
        ("tokens", "512", "50", ["recursive", "token"], "langchain,semantic-text-splitter,chonkie"),
    ]
    print(f"\nchunking {os.path.basename(prose)}, one thread; ratio = our recursive chunker's MB/s / the peer's\n")
    header = f"{'unit':<10} {'size/overlap':<12} {'library':<24} {'chunks':>7} {'MB/s':>8} {'mean':>7} {'p95':>6} {'max':>6} {'over':>5} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for unit, size, overlap, ours, peers in configurations:
        common = ["--size", size, "--overlap", overlap, "--unit", unit, "--input", prose, "--repeat", args.repeat, "--json"]
        if unit == "tokens":
            common += ["--ranks", ranks]
        rows = [run([bench, "chunk", "--chunker", chunker] + common)[0] for chunker in ours]
        for row in rows:
            row["library"] = "ours/" + row["chunker"]
        rows += run([python, os.path.join(HERE, "peers", "chunk_peers.py"), "--library", peers] + common)
        reference = rows[0]["mb_per_s"]
        for row in rows:
            if "error" in row:
                print(f"{unit:<10} {size + '/' + overlap:<12} {row['library']:<24} failed: {row['error']}")
                continue
            print(f"{unit:<10} {size + '/' + overlap:<12} {row['library']:<24} {row['chunks']:>7} {row['mb_per_s']:>8.2f} "
                  f"{row['mean_size']:>7.1f} {row['p95_size']:>6} {row['max_size']:>6} {row['over_limit']:>5} "
                  f"{reference / row['mb_per_s']:>7.2f}")


if __name__ == "__main__":
    main()
