#!/usr/bin/env python3
"""tiktoken with `llm-bench tokenize`'s arguments: single-thread encode_ordinary throughput (best of R).

    tokenize_peer.py --encoding cl100k_base --ranks F.tiktoken --input F [--repeat 3] [--json]

Builds the encoding from the given rank file, offline (no download, no cache directory).
"""
import argparse
import base64
import json
import os
import time

import tiktoken
import tiktoken_ext.openai_public as openai_public


def load(encoding, ranks_path):
    def local_ranks(url, expected_hash=None):
        ranks = {}
        with open(ranks_path, "rb") as handle:
            for line in handle:
                if line.strip():
                    token, rank = line.split()
                    ranks[base64.b64decode(token)] = int(rank)
        return ranks

    openai_public.load_tiktoken_bpe = local_ranks
    return tiktoken.Encoding(**getattr(openai_public, encoding)())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoding", required=True)
    parser.add_argument("--ranks", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    encoding = load(args.encoding, args.ranks)
    text = open(args.input, encoding="utf-8").read()
    best, tokens = float("inf"), 0
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        tokens = len(encoding.encode_ordinary(text))
        best = min(best, time.perf_counter() - start)
    row = {"bench": "tokenize", "library": "tiktoken", "encoding": args.encoding, "input": os.path.basename(args.input),
           "tokens": tokens, "mb_per_s": len(text.encode("utf-8")) / 1e6 / best}
    print(json.dumps(row) if args.json else row)


if __name__ == "__main__":
    main()
