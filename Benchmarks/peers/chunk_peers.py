#!/usr/bin/env python3
"""Chunking peers with `llm-bench chunk`'s arguments: LangChain's RecursiveCharacterTextSplitter,
semantic-text-splitter and chonkie's RecursiveChunker, measured the way ours is.

    chunk_peers.py --library langchain,semantic-text-splitter,chonkie --size N --overlap N
                   --unit characters|tokens [--ranks F.tiktoken] --input F [--repeat 3] [--json]

Token mode counts cl100k tokens with tiktoken built from the given rank file (offline); LangChain
gets it as its length function, as `from_tiktoken_encoder` would. Sizes are re-measured on every
chunk's text with the same measure our benchmark uses. chonkie has no overlap in its recursive
chunker; it runs without.
"""
import argparse
import json
import os
import time

from tokenize_peer import load


def make(library, unit, size, overlap, encoding):
    count = (lambda s: len(encoding.encode_ordinary(s))) if unit == "tokens" else len
    if library == "langchain":
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, length_function=count)
        return splitter.split_text
    if library == "semantic-text-splitter":
        from semantic_text_splitter import TextSplitter
        splitter = TextSplitter.from_callback(count, capacity=size, overlap=overlap) if unit == "tokens" \
            else TextSplitter(size, overlap=overlap)
        return splitter.chunks
    if library == "chonkie":
        from chonkie import RecursiveChunker
        if unit == "tokens":
            class Counter:
                def count_tokens(self, text):
                    return count(text)
            chunker = RecursiveChunker(tokenizer=count, chunk_size=size)
        else:
            chunker = RecursiveChunker(tokenizer="character", chunk_size=size)
        return lambda text: [chunk.text for chunk in chunker.chunk(text)]
    raise SystemExit(f"unknown library {library}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", default="langchain,semantic-text-splitter,chonkie")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--overlap", type=int, default=200)
    parser.add_argument("--unit", default="characters")
    parser.add_argument("--ranks")
    parser.add_argument("--input", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = open(args.input, encoding="utf-8").read()
    encoding = load("cl100k_base", args.ranks) if args.ranks else None
    measure = (lambda s: len(encoding.encode_ordinary(s))) if args.unit == "tokens" else len
    for library in args.library.split(","):
        try:
            split = make(library, args.unit, args.size, args.overlap if library != "chonkie" else 0, encoding)
            best, chunks = float("inf"), []
            for _ in range(max(1, args.repeat)):
                start = time.perf_counter()
                chunks = split(text)
                best = min(best, time.perf_counter() - start)
        except Exception as error:  # a peer that cannot run is reported, not fatal
            print(json.dumps({"bench": "chunk", "library": library, "error": repr(error)[:200]}))
            continue
        sizes = sorted(measure(chunk) for chunk in chunks)
        row = {"bench": "chunk", "library": library, "unit": args.unit, "size": args.size, "overlap": args.overlap,
               "input": os.path.basename(args.input), "chunks": len(chunks),
               "mb_per_s": len(text.encode("utf-8")) / 1e6 / best,
               "mean_size": sum(sizes) / max(1, len(sizes)), "p95_size": sizes[min(len(sizes) - 1, len(sizes) * 95 // 100)] if sizes else 0,
               "max_size": sizes[-1] if sizes else 0, "over_limit": sum(1 for s in sizes if s > args.size)}
        print(json.dumps(row) if args.json else row, flush=True)


if __name__ == "__main__":
    main()
