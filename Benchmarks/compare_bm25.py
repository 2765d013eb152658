#!/usr/bin/env python3
"""Runs `llm-bench bm25` and the peers (bm25s, tantivy; rank-bm25 on request) on the same tokens
in one run, and prints our/peer ratios.

    python3 Benchmarks/compare_bm25.py [--data ../shared/data/ir] [--work /tmp/bm25-bench]

Data sets: BEIR SciFact (test queries and judgments) without and with stemming, and a seeded
100,000-document Zipf corpus made by `llm-bench zipf-corpus`. For SciFact it also checks that our
top-10 lists and scores match bm25s's (method "lucene", same k1 and b, same tokens).
Needs `swift build -c release --product llm-bench` and `Benchmarks/peers/setup.sh`.
"""
import argparse
import os

from driver_support import HERE, ROOT, run


def read_results(path):
    results = {}
    for line in open(path):
        query, doc, score = line.rstrip("\n").split("\t")
        results.setdefault(query, []).append((doc, float(score)))
    return results


def agreement(ours_path, theirs_path):
    ours, theirs = read_results(ours_path), read_results(theirs_path)
    same_lists, worst = 0, 0.0
    for query, mine in ours.items():
        other = theirs.get(query, [])
        if [d for d, _ in mine] == [d for d, _ in other]:
            same_lists += 1
        their_scores = dict(other)
        for doc, score in mine:
            if doc in their_scores:
                worst = max(worst, abs(score - their_scores[doc]) / max(abs(their_scores[doc]), 1e-9))
    return same_lists, len(ours), worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ir"))
    parser.add_argument("--work", default="/tmp/bm25-bench")
    parser.add_argument("--peers", default="bm25s,tantivy")
    parser.add_argument("--repeat", default="3")
    args = parser.parse_args()

    bench = os.path.join(ROOT, ".build", "release", "llm-bench")
    python = os.path.join(HERE, "peers", ".venv", "bin", "python")
    zipf = os.path.join(args.work, "zipf100k")
    if not os.path.exists(os.path.join(zipf, "corpus.jsonl")):
        run([bench, "zipf-corpus", "--docs", "100000", "--out", zipf])
    scifact = os.path.join(args.data, "scifact")
    sets = [
        ("scifact", [], os.path.join(scifact, "corpus.jsonl"), os.path.join(scifact, "queries.jsonl"), os.path.join(scifact, "qrels", "test.tsv")),
        ("scifact-stem", ["--stem"], os.path.join(scifact, "corpus.jsonl"), os.path.join(scifact, "queries.jsonl"), os.path.join(scifact, "qrels", "test.tsv")),
        ("zipf100k", [], os.path.join(zipf, "corpus.jsonl"), os.path.join(zipf, "queries.jsonl"), None),
    ]
    rows, agreements = [], {}
    for name, options, corpus, queries, qrels in sets:
        tokens = os.path.join(args.work, name + "-tokens")
        ours_results = os.path.join(args.work, name + "-ours.tsv")
        peer_results = os.path.join(args.work, name + "-bm25s.tsv")
        command = [bench, "bm25", "--corpus", corpus, "--queries", queries, "--dataset", name, "--repeat", args.repeat,
                   "--dump-tokens", tokens, "--dump-results", ours_results, "--json"] + options
        if qrels:
            command += ["--qrels", qrels]
        rows += run(command)
        peer = [python, os.path.join(HERE, "peers", "bm25_peers.py"), "--tokens", tokens, "--dataset", name,
                "--stem", "yes" if options else "no", "--library", args.peers, "--repeat", args.repeat,
                "--dump-results", peer_results, "--json"]
        if qrels:
            peer += ["--qrels", qrels]
        rows += run(peer)
        if qrels and "bm25s" in args.peers:
            agreements[name] = agreement(ours_results, peer_results)

    print("\nBM25, k1=1.2, b=0.75, one thread, top 10; ratios ours/peer (QPS: higher is better for us; build, memory: lower; heap = live C-heap growth while building; rss = resident-set growth, the mem ratio, as tantivy keeps its index outside the C heap)\n")
    header = f"{'dataset':<13} {'library':<10} {'qps':>9} {'p50 ms':>8} {'p99 ms':>8} {'build s':>8} {'heap MB':>8} {'rss MB':>7} {'nDCG@10':>8} {'MAP':>7} " \
             f"{'qps ratio':>9} {'build ratio':>11} {'mem ratio':>9}"
    print(header)
    print("-" * len(header))
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        ours = next(r for r in rows if r["dataset"] == dataset and r["library"] == "ours")
        for row in [r for r in rows if r["dataset"] == dataset]:
            ratio = lambda key: ours[key] / row[key] if row.get(key) else float("nan")
            print(f"{dataset:<13} {row['library']:<10} {row['qps']:>9.0f} {row['p50_ms']:>8.3f} {row['p99_ms']:>8.3f} "
                  f"{row['build_seconds']:>8.2f} {row['memory_bytes'] / 1e6:>8.1f} {row.get('rss_growth_bytes', float('nan')) / 1e6:>7.1f} {row.get('ndcg_at_10', float('nan')):>8.4f} "
                  f"{row.get('map', float('nan')):>7.4f} {ratio('qps'):>9.2f} {ratio('build_seconds'):>11.2f} {ratio('rss_growth_bytes'):>9.2f}")
    for dataset, (same, total, worst) in agreements.items():
        print(f"\n{dataset}: top-10 lists identical to bm25s for {same}/{total} queries; largest relative score difference {worst:.2e}")


if __name__ == "__main__":
    main()
