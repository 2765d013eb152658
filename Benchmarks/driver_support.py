"""What every comparison driver shares: where things are, and running one benchmark process."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.path.join(ROOT, ".build", "release", "llm-bench")
PEER_PYTHON = os.path.join(HERE, "peers", ".venv", "bin", "python")


def run(command):
    """Runs a benchmark command and returns the JSON objects it printed, one per line."""
    # Print paths relative to the repository, so saved results name no machine's directories.
    shown = [os.path.relpath(part, ROOT) if part.startswith(ROOT + os.sep) else part for part in command]
    print("+ " + " ".join(shown), file=sys.stderr, flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]
