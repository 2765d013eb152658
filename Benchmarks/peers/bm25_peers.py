#!/usr/bin/env python3
"""Peer side of `llm-bench bm25`: bm25s (method="lucene"), rank-bm25 and tantivy on the *same tokens*.

`llm-bench bm25 ... --dump-tokens DIR` writes DIR/corpus_tokens.jsonl and DIR/queries_tokens.jsonl
(our analyzer's output); this script indexes exactly those tokens, so differences come from the
engines, not the analyzers. It prints the same JSON fields as `llm-bench bm25`, and with
--dump-results FILE writes bm25s's top 10 per query as `query-id<TAB>doc-id<TAB>score`.
"""
import argparse
import ctypes
import json
import math
import os
import time

import numpy as np


def read_tokens(path):
    rows = [json.loads(line) for line in open(path)]
    return [r["_id"] for r in rows], [r["tokens"] for r in rows]


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def live_heap_bytes():
    """Bytes the C heap has handed out and not had back (glibc's mallinfo2: in use in the arenas
    plus mmapped chunks), the same measure llm-bench reports for ours; None where unavailable."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
        return info.uordblks + info.hblkhd
    except (OSError, AttributeError):
        return None


def read_qrels(path):
    judgments = {}
    with open(path) as f:
        next(f)
        for line in f:
            q, d, g = line.rstrip("\n").split("\t")[:3]
            judgments.setdefault(q, {})[d] = int(g)
    return judgments


def average_precision(ranking, grades):
    relevant = sum(1 for g in grades.values() if g > 0)
    found, total = 0, 0.0
    for rank, key in enumerate(ranking):
        if grades.get(key, 0) > 0:
            found += 1
            total += found / (rank + 1)
    return total / relevant if relevant else 0.0


def ndcg(ranking, grades, depth=10):
    def dcg(gains):
        return sum(max(g, 0) / math.log2(i + 2) for i, g in enumerate(gains[:depth]))
    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(k, 0) for k in ranking]) / ideal if ideal else 0.0


class BM25sPeer:
    name = "bm25s"

    def __init__(self, k1, b):
        import bm25s
        self.bm25s = bm25s
        self.model = bm25s.BM25(method="lucene", k1=k1, b=b)

    def build(self, ids, docs):
        vocabulary = {}
        corpus = [[vocabulary.setdefault(t, len(vocabulary)) for t in doc] for doc in docs]
        self.vocabulary = vocabulary
        self.ids = ids
        self.model.index(self.bm25s.tokenization.Tokenized(ids=corpus, vocab=vocabulary), show_progress=False)

    def search(self, tokens, k):
        known = [self.vocabulary[t] for t in tokens if t in self.vocabulary]
        if not known:
            return [], []
        k = min(k, len(self.ids))
        docs, scores = self.model.retrieve(
            self.bm25s.tokenization.Tokenized(ids=[known], vocab=self.vocabulary), k=k, show_progress=False, n_threads=1)
        return [self.ids[i] for i in docs[0]], list(scores[0])


class RankBM25Peer:
    name = "rank-bm25"

    def __init__(self, k1, b):
        from rank_bm25 import BM25Okapi
        self.factory = lambda docs: BM25Okapi(docs, k1=k1, b=b)

    def build(self, ids, docs):
        self.ids = ids
        self.model = self.factory(docs)

    def search(self, tokens, k):
        scores = self.model.get_scores(tokens)
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[i] for i in top if scores[i] > 0], [float(scores[i]) for i in top if scores[i] > 0]


class TantivyPeer:
    name = "tantivy"

    def __init__(self, k1, b):
        import tantivy
        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        # Positions off, like a BM25-only index: "freq" records frequencies but not positions.
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        self.schema = builder.build()

    def build(self, ids, docs):
        self.index = self.tantivy.Index(self.schema)
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for doc_id, tokens in zip(ids, docs):
            writer.add_document(self.tantivy.Document(id=doc_id, body=" ".join(tokens)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, tokens, k):
        if not tokens:
            return [], []
        query = self.tantivy.Query.boolean_query(
            [(self.tantivy.Occur.Should, self.tantivy.Query.term_query(self.schema, "body", t)) for t in tokens])
        hits = self.searcher.search(query, k).hits
        return [self.searcher.doc(address)["id"][0] for _, address in hits], [score for score, _ in hits]


PEERS = {"bm25s": BM25sPeer, "rank-bm25": RankBM25Peer, "tantivy": TantivyPeer}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", required=True, help="the folder written by llm-bench bm25 --dump-tokens")
    parser.add_argument("--qrels")
    parser.add_argument("--k1", type=float, default=1.2)
    parser.add_argument("--b", type=float, default=0.75)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dataset", default="")
    parser.add_argument("--stem", default="no")
    parser.add_argument("--library", default="bm25s,tantivy")
    parser.add_argument("--dump-results")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    ids, docs = read_tokens(os.path.join(args.tokens, "corpus_tokens.jsonl"))
    keep = [i for i, d in enumerate(docs) if d]
    ids, docs = [ids[i] for i in keep], [docs[i] for i in keep]
    query_ids, queries = read_tokens(os.path.join(args.tokens, "queries_tokens.jsonl"))
    judgments = read_qrels(args.qrels) if args.qrels else {}

    for name in args.library.split(","):
        before = resident_bytes()
        heap_before = live_heap_bytes()
        peer = PEERS[name](args.k1, args.b)
        started = time.perf_counter()
        peer.build(ids, docs)
        build_seconds = time.perf_counter() - started
        rss_growth = resident_bytes() - before
        heap_after = live_heap_bytes()
        memory = heap_after - heap_before if heap_before is not None and heap_after is not None else rss_growth
        best, latencies = 0.0, []
        for _ in range(max(1, args.repeat)):
            passes = []
            began = time.perf_counter()
            for tokens in queries:
                t = time.perf_counter()
                peer.search(tokens, 10)
                passes.append(time.perf_counter() - t)
            qps = len(queries) / (time.perf_counter() - began)
            if qps > best:
                best, latencies = qps, sorted(passes)
        row = {"bench": "bm25", "library": name, "dataset": args.dataset, "stem": args.stem, "documents": len(ids),
               "queries": len(queries), "build_seconds": build_seconds, "qps": best,
               "p50_ms": latencies[len(latencies) // 2] * 1000, "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000,
               "memory_bytes": memory, "rss_growth_bytes": rss_growth}
        if judgments or (args.dump_results and name == "bm25s"):
            ap, nd, lines = 0.0, 0.0, []
            for query_id, tokens in zip(query_ids, queries):
                ranking, scores = peer.search(tokens, 1000)
                lines += [f"{query_id}\t{d}\t{s}" for d, s in list(zip(ranking, scores))[:10]]
                if query_id in judgments:
                    ap += average_precision(ranking, judgments[query_id])
                    nd += ndcg(ranking, judgments[query_id])
            if judgments:
                row["map"], row["ndcg_at_10"] = ap / len(queries), nd / len(queries)
            if args.dump_results and name == "bm25s":
                with open(args.dump_results, "w") as f:
                    f.write("\n".join(lines))
        print(json.dumps(row) if args.json else row, flush=True)
        del peer


if __name__ == "__main__":
    main()
