"""The OpenAI Python client against the same stub server as `llm-bench provider-overhead`:
milliseconds per one-shot request and per streamed request (reading every event), one at a time."""
import argparse
import json
import time

import openai


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key="stub", max_retries=0)
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    for mode in ("respond", "stream"):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(args.requests):
                if mode == "respond":
                    client.chat.completions.create(model="stub", messages=messages, temperature=0)
                else:
                    for _ in client.chat.completions.create(model="stub", messages=messages, temperature=0, stream=True,
                                                            stream_options={"include_usage": True}):
                        pass
            best = min(best, (time.perf_counter() - started) / args.requests)
        print(json.dumps({"bench": "provider-overhead", "library": "openai-python " + openai.__version__, "mode": mode,
                          "ms_per_request": best * 1000}))


if __name__ == "__main__":
    main()
