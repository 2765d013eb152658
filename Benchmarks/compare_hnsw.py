#!/usr/bin/env python3
"""Runs `llm-bench hnsw` and the peers (hnswlib, FAISS, USearch) on the same data in one run,
and prints our/peer ratios.

    python3 Benchmarks/compare_hnsw.py [--data ../shared/data/ann] [--work /tmp/hnsw-bench]
                                       [--datasets minilm,sift5k,synthetic128,synthetic384]

Needs `swift build -c release --product llm-bench` and `Benchmarks/peers/setup.sh`.
For each dataset and library it takes the QPS at recall@10 = 0.95 (interpolated between the
two `ef` values around it, on a log scale), the build time and the memory, and prints
ours/peer for each. With `--rounds N` it runs ours and the peers alternately N times and takes
the median of each figure, which tames the noise of a shared machine. QPS is single-threaded, one query at a time; for the peers the table also
shows the ratio against their batch call (no Python per-call overhead), the stricter comparison.
"""
import argparse
import json
import math
import os

from driver_support import HERE, ROOT, run
EFS = "10,16,24,32,48,64,96,128,192,256"


def qps_at(rows, target, key):
    rows = sorted(rows, key=lambda r: r["recall_at_10"])
    for low, high in zip(rows, rows[1:]):
        if low["recall_at_10"] <= target <= high["recall_at_10"]:
            if high["recall_at_10"] == low["recall_at_10"]:
                return high[key]
            t = (target - low["recall_at_10"]) / (high["recall_at_10"] - low["recall_at_10"])
            return math.exp(math.log(low[key]) + t * (math.log(high[key]) - math.log(low[key])))
    above = [r for r in rows if r["recall_at_10"] >= target]
    return above[0][key] if above else float("nan")


def medians(rows):
    """One row per (library, ef): the median of every measured figure over the rounds."""
    groups = {}
    for row in rows:
        groups.setdefault((row["library"], row["ef"]), []).append(row)
    merged = []
    for group in groups.values():
        row = dict(group[0])
        for key in ("qps", "qps_batch", "build_seconds", "memory_bytes"):
            if key in row:
                values = sorted(r[key] for r in group)
                row[key] = values[len(values) // 2]
        row["rounds"] = len(group)
        merged.append(row)
    return merged


def datasets(data, work, names):
    bench = os.path.join(ROOT, ".build", "release", "llm-bench")
    sets = {
        "minilm": dict(base=f"{data}/minilm-shakespeare/base.fvecs", query=f"{data}/minilm-shakespeare/query.fvecs",
                       groundtruth=f"{data}/minilm-shakespeare/groundtruth_cos.ivecs", metric="cosine"),
        "sift5k": dict(base=f"{data}/ngt-sift5k/sift-dataset-5k.tsv", query=f"{data}/siftsmall/siftsmall_query.fvecs",
                       groundtruth=None, metric="l2"),
    }
    for dim, metric in [(128, "l2"), (384, "cosine")]:
        name = f"synthetic{dim}"
        folder = os.path.join(work, name)
        if name in names and not os.path.exists(os.path.join(folder, "groundtruth.ivecs")):
            run([bench, "vectors", "--count", "100000", "--dim", str(dim), "--clusters", "200", "--seed", str(dim),
                 "--metric", metric, "--out", folder])
        sets[name] = dict(base=f"{folder}/base.fvecs", query=f"{folder}/query.fvecs",
                          groundtruth=f"{folder}/groundtruth.ivecs", metric=metric)
    return {name: sets[name] for name in names}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ann"))
    parser.add_argument("--work", default="/tmp/hnsw-bench")
    parser.add_argument("--datasets", default="minilm,sift5k,synthetic128,synthetic384")
    parser.add_argument("--peers", default="hnswlib,faiss,usearch")
    parser.add_argument("--m", default="16")
    parser.add_argument("--ef-construction", default="200")
    parser.add_argument("--repeat", default="3")
    parser.add_argument("--rounds", type=int, default=3, help="alternate ours and the peers this many times; medians")
    parser.add_argument("--out", help="append every JSON line here")
    args = parser.parse_args()

    bench = os.path.join(ROOT, ".build", "release", "llm-bench")
    python = os.path.join(HERE, "peers", ".venv", "bin", "python")
    results = []
    for name, files in datasets(args.data, args.work, args.datasets.split(",")).items():
        common = ["--base", files["base"], "--query", files["query"], "--metric", files["metric"], "--m", args.m,
                  "--ef-construction", args.ef_construction, "--ef", EFS, "--repeat", args.repeat, "--dataset", name, "--json"]
        if files["groundtruth"]:
            common += ["--groundtruth", files["groundtruth"]]
        rounds = []
        for _ in range(args.rounds):
            rounds += run([bench, "hnsw"] + common)
            rounds += run([python, os.path.join(HERE, "peers", "hnsw_peers.py"), "--library", args.peers] + common)
        results += medians(rounds)

    if args.out:
        with open(args.out, "a") as f:
            for row in results:
                f.write(json.dumps(row) + "\n")

    print(f"\nHNSW, m={args.m}, efConstruction={args.ef_construction}, one thread; ratios are ours/peer "
          "(QPS: higher is better for us; build and memory: lower is better for us)\n")
    header = f"{'dataset':<13} {'peer':<8} {'ours qps@.95':>12} {'peer qps@.95':>12} {'qps ratio':>9} {'vs batch':>9} " \
             f"{'build ratio':>11} {'memory ratio':>12}"
    print(header)
    print("-" * len(header))
    for dataset in dict.fromkeys(r["dataset"] for r in results):
        ours = [r for r in results if r["dataset"] == dataset and r["library"] == "ours"]
        our_qps = qps_at(ours, 0.95, "qps")
        for peer in dict.fromkeys(r["library"] for r in results if r["dataset"] == dataset and r["library"] != "ours"):
            theirs = [r for r in results if r["dataset"] == dataset and r["library"] == peer]
            peer_qps = qps_at(theirs, 0.95, "qps")
            peer_batch = qps_at(theirs, 0.95, "qps_batch")
            print(f"{dataset:<13} {peer:<8} {our_qps:>12.0f} {peer_qps:>12.0f} {our_qps / peer_qps:>9.2f} "
                  f"{our_qps / peer_batch:>9.2f} {ours[0]['build_seconds'] / theirs[0]['build_seconds']:>11.2f} "
                  f"{ours[0]['memory_bytes'] / max(theirs[0]['memory_bytes'], 1):>12.2f}")


if __name__ == "__main__":
    main()
