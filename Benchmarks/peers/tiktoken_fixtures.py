#!/usr/bin/env python3
"""Writes the expected token ids our Tokenizers tests compare against, computed by the real tiktoken.

    Benchmarks/peers/.venv/bin/python Benchmarks/peers/tiktoken_fixtures.py [--data ../shared/data]

Writes Tests/TokenizersTests/Fixtures/edge_cases.json (every edge-case string with its ids under
both encodings) and Fixtures/shared_text.json (for each file of the shared text corpus: its token
count and a 64-bit FNV-1a digest of its ids, so the tests can check millions of ids exactly
without committing them). The rank files are read from the shared data folder, offline.
"""
import argparse
import base64
import json
import os

import tiktoken
import tiktoken_ext.openai_public as openai_public

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")


def encodings(data):
    def local_ranks(url, expected_hash=None):
        name = url.rsplit("/", 1)[1]
        ranks = {}
        with open(os.path.join(data, "tokenizers", name), "rb") as handle:
            for line in handle:
                if line.strip():
                    token, rank = line.split()
                    ranks[base64.b64decode(token)] = int(rank)
        return ranks

    openai_public.load_tiktoken_bpe = local_ranks
    return {
        "cl100k_base": tiktoken.Encoding(**openai_public.cl100k_base()),
        "o200k_base": tiktoken.Encoding(**openai_public.o200k_base()),
    }


def digest(ids):
    """FNV-1a 64 over each id as 4 little-endian bytes (the Swift tests compute the same)."""
    value = 0xCBF29CE484222325
    for token in ids:
        for shift in (0, 8, 16, 24):
            value ^= (token >> shift) & 0xFF
            value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


EDGE_CASES = [
    "", " ", "  ", "\n", "\r\n", "\r\n\r\n", "a\r\nb", "hello world", "Hello, World!", "   leading spaces",
    "trailing spaces   ", "tabs\tand\t\ttabs", "mixed \t \n whitespace \n\n  end", "line\n\n\n\nbreaks",
    "it's", "IT'S", "It'S", "we'll WE'LL We'Ll", "you've YOU'VE", "they're THEY'RE", "I'm I'M", "he'd HE'D",
    "don't DON'T", "'s alone", "rock'n'roll", "ſ 'ſ", "dogs' toys", "'''", "\"quoted\" 'single'",
    "1234567890", "12345678901234567890123", "3.14159 2,718 1e10 -42 +7", "٣٤٥ ४५६ 一二三 ⅫⅣ",
    "emoji 😀😃😄 and 👍🏽 and 👨‍👩‍👧‍👦 and 🇺🇸 flags", "❤️‍🔥 ZWJ", "日本語のテキストと中文文本，还有한국어 텍스트",
    "مرحبا بالعالم، كيف حالك؟", "שלום עולם", "Ελληνικά κείμενο", "Привет, мир! ЁЖИК",
    "café naïve coöperate", "cafe\u0301 nai\u0308ve", "a\u0300\u0301\u0302\u0303 stacked marks",
    "Zalgo: Z\u0351\u036b\u0343a\u0352l\u0314g\u0313o", "ǅemal ǈubljana ǋovak", "ʰʲʷ modifier ˈletters",
    "CamelCaseWordsHERE andALLCAPS XMLHttpRequest iPhone", "snake_case_name __dunder__ kebab-case-name",
    "https://example.com/path/to?query=1&b=2#frag", "a/b/c // comment\n/* block */", "C:\\\\Windows\\\\path",
    "<|endoftext|> text", "text <|endofprompt|>", "<|fim_prefix|><|fim_middle|><|fim_suffix|>",
    "<|not_special|> <| endoftext |>", " " * 100, "\n" * 50, "a" * 300, "ab" * 200, "." * 120,
    "!!!???...,,,;;;:::", "$100.00 €50 ¥1000 £20", "x² + y³ = z⁴ ½ ¾", "\u00a0non\u00a0breaking\u2009thin\u3000ideo",
    "\u200bzero\u200bwidth\u200c\u200d", "\ufeffBOM start", "control\u0001\u0002\u007f chars",
    "def f(x):\n    return x ** 2  # square\n", "func add(_ a: Int) -> Int {\n\treturn a + 1\n}\n",
    "<html><body class=\"x\">Hi</body></html>", "{\"json\": [1, 2.5, true, null]}", "| a | b |\n|---|---|\n",
    "Mr. Smith e.g. i.e. Dr. No... \"Really?\" she said.",
    # Long pieces take the heap-based merge path (over 96 bytes).
    "".join("qwertyuiopasdfghjklzxcvbnm"[(i * 7919) % 26] for i in range(3000)),
    "Supercalifragilisticexpialidocious" * 20, "0123456789" * 50, "=-" * 300, "日本" * 100, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𝟙𝟚𝟛", "\U0001F600" * 10,
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = parser.parse_args()
    encs = encodings(args.data)
    os.makedirs(FIXTURES, exist_ok=True)
    cases = []
    for text in EDGE_CASES:
        entry = {"text": text}
        for name, encoding in encs.items():
            entry[name] = encoding.encode(text, allowed_special="all")
            entry[name + "_ordinary"] = encoding.encode_ordinary(text)
        cases.append(entry)
    with open(os.path.join(FIXTURES, "edge_cases.json"), "w", encoding="utf-8") as handle:
        json.dump({"tiktoken_version": tiktoken.__version__, "cases": cases}, handle, ensure_ascii=False, indent=1)
    files = {}
    text_root = os.path.join(args.data, "text")
    for folder in sorted(os.listdir(text_root)):
        path = os.path.join(text_root, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            with open(os.path.join(path, name), encoding="utf-8") as handle:
                text = handle.read()
            key = folder + "/" + name
            files[key] = {}
            for encoding_name, encoding in encs.items():
                ids = encoding.encode_ordinary(text)
                files[key][encoding_name] = {"count": len(ids), "fnv1a64": digest(ids)}
            print(key, {k: v["count"] for k, v in files[key].items()})
    with open(os.path.join(FIXTURES, "shared_text.json"), "w") as handle:
        json.dump({"tiktoken_version": tiktoken.__version__, "files": files}, handle, indent=1)


if __name__ == "__main__":
    main()
