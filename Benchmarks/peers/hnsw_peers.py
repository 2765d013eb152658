#!/usr/bin/env python3
"""Peer side of `llm-bench hnsw`: hnswlib, FAISS IndexHNSWFlat and USearch on the same files.

Takes the same arguments as `llm-bench hnsw` and prints the same JSON lines (one per library
and ef), so a driver can compare them in one run. Run it with the virtual environment made
by setup.sh.

Two QPS figures per line:
  qps           one query per call, as an online service issues them (includes Python's call overhead)
  qps_batch     all queries in one call on one thread (the C++ loop alone, no per-call overhead)
"""
import argparse
import json
import os
import time

import numpy as np


def read_vecs(path, dtype, limit=None):
    raw = np.fromfile(path, dtype=np.int32)
    dim = int(raw[0])
    rows = raw.reshape(-1, dim + 1)
    if limit:
        rows = rows[:limit]
    return rows[:, 1:].copy().view(dtype)


def read_vectors(path, limit=None):
    if path.endswith(".tsv"):
        rows = np.loadtxt(path, delimiter="\t", dtype=np.float32)[:, :-1]
        return np.ascontiguousarray(rows[:limit] if limit else rows)
    return np.ascontiguousarray(read_vecs(path, np.float32, limit))


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def exact_neighbors(base, queries, metric, k):
    if metric == "l2":
        scores = -((queries ** 2).sum(1)[:, None] - 2 * queries @ base.T + (base ** 2).sum(1)[None, :])
    else:
        b = base / np.linalg.norm(base, axis=1, keepdims=True) if metric == "cosine" else base
        scores = queries @ b.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


class HnswlibPeer:
    name = "hnswlib"

    def __init__(self, dim, metric, m, efc, threads):
        import hnswlib
        self.index = hnswlib.Index(space={"l2": "l2", "cosine": "cosine", "ip": "ip"}[metric], dim=dim)
        self.m, self.efc, self.threads = m, efc, threads

    def build(self, base):
        self.index.init_index(max_elements=len(base), ef_construction=self.efc, M=self.m, random_seed=100)
        self.index.add_items(base, np.arange(len(base)), num_threads=self.threads)

    def set_ef(self, ef):
        self.index.set_ef(ef)

    def query_one(self, q, k):
        return self.index.knn_query(q, k=k, num_threads=1)[0][0]

    def query_batch(self, qs, k):
        return self.index.knn_query(qs, k=k, num_threads=1)[0]


class FaissPeer:
    name = "faiss"

    def __init__(self, dim, metric, m, efc, threads):
        import faiss
        self.faiss = faiss
        faiss.omp_set_num_threads(threads)
        self.normalize = metric == "cosine"
        kind = faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
        self.index = faiss.IndexHNSWFlat(dim, m, kind)
        self.index.hnsw.efConstruction = efc
        self.threads = threads

    def prepare(self, x):
        if self.normalize:
            x = x / np.linalg.norm(x, axis=1, keepdims=True)
        return np.ascontiguousarray(x, dtype=np.float32)

    def build(self, base):
        self.index.add(self.prepare(base))

    def set_ef(self, ef):
        self.index.hnsw.efSearch = ef

    def query_one(self, q, k):
        self.faiss.omp_set_num_threads(1)
        return self.index.search(self.prepare(q[None, :]), k)[1][0]

    def query_batch(self, qs, k):
        self.faiss.omp_set_num_threads(1)
        return self.index.search(self.prepare(qs), k)[1]


class USearchPeer:
    name = "usearch"

    def __init__(self, dim, metric, m, efc, threads):
        from usearch.index import Index
        self.index = Index(ndim=dim, metric={"l2": "l2sq", "cosine": "cos", "ip": "ip"}[metric],
                           dtype="f32", connectivity=m, expansion_add=efc)
        self.threads = threads

    def build(self, base):
        self.index.add(np.arange(len(base)), base, threads=self.threads)

    def set_ef(self, ef):
        self.index.expansion_search = ef

    def query_one(self, q, k):
        return self.index.search(q, k, threads=1).keys

    def query_batch(self, qs, k):
        return self.index.search(qs, k, threads=1).keys


PEERS = {"hnswlib": HnswlibPeer, "faiss": FaissPeer, "usearch": USearchPeer}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--query", required=True)
    parser.add_argument("--groundtruth")
    parser.add_argument("--metric", default="l2", choices=["l2", "cosine", "ip"])
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef", default="16,32,64,128,256")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dataset")
    parser.add_argument("--library", default="all", help="hnswlib, faiss, usearch or all")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    k = 10
    base = read_vectors(args.base, args.limit or None)
    queries = read_vectors(args.query)
    if args.groundtruth and not args.limit:
        truth = read_vecs(args.groundtruth, np.int32)[:, :k]
    else:
        truth = exact_neighbors(base, queries, args.metric, k)
    truth = truth[: len(queries)]
    dataset = args.dataset or os.path.basename(os.path.dirname(os.path.abspath(args.base)))
    names = list(PEERS) if args.library == "all" else args.library.split(",")

    rows = []
    for name in names:
        resident_before = resident_bytes()
        peer = PEERS[name](base.shape[1], args.metric, args.m, args.ef_construction, args.threads)
        started = time.perf_counter()
        peer.build(base)
        build_seconds = time.perf_counter() - started
        memory = resident_bytes() - resident_before
        for ef in [int(x) for x in args.ef.split(",")]:
            peer.set_ef(max(ef, k))
            best_one, best_batch, hits = 0.0, 0.0, 0
            for attempt in range(max(1, args.repeat)):
                started = time.perf_counter()
                found = [peer.query_one(q, k) for q in queries]
                best_one = max(best_one, len(queries) / (time.perf_counter() - started))
                started = time.perf_counter()
                peer.query_batch(queries, k)
                best_batch = max(best_batch, len(queries) / (time.perf_counter() - started))
                if attempt == 0:
                    hits = sum(len(set(map(int, f)) & set(map(int, t))) for f, t in zip(found, truth))
            row = {
                "bench": "hnsw", "library": name, "dataset": dataset, "metric": args.metric,
                "n": int(base.shape[0]), "dim": int(base.shape[1]), "m": args.m,
                "ef_construction": args.ef_construction, "ef": ef, "threads": args.threads,
                "recall_at_10": hits / (len(truth) * k), "qps": best_one, "qps_batch": best_batch,
                "build_seconds": build_seconds, "memory_bytes": memory,
            }
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
        del peer
    if not args.json:
        columns = ["library", "dataset", "ef", "recall_at_10", "qps", "qps_batch", "build_seconds", "memory_bytes"]
        print("  ".join(f"{c:>14}" for c in columns))
        for row in rows:
            print("  ".join(f"{row[c]:>14.4f}" if isinstance(row[c], float) else f"{row[c]:>14}" for c in columns))


if __name__ == "__main__":
    main()
