#!/usr/bin/env bash
# Creates Benchmarks/peers/.venv with the peer libraries the benchmarks compare against.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r requirements.txt
echo "peers installed in $(pwd)/.venv"
