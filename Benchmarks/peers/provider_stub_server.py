"""A canned OpenAI-compatible server for measuring client overhead: it answers every
POST /v1/chat/completions at once, with a fixed completion, or with a fixed stream of N
server-sent events when the request asks for `stream: true`. HTTP/1.1 keep-alive, so clients
reuse their connection. Usage: provider_stub_server.py PORT [EVENTS]."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
COMPLETION = json.dumps({
    "id": "chatcmpl-1", "object": "chat.completion", "model": "stub",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "The capital of France is Paris."},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
}).encode()
CHUNK = "data: " + json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "stub",
                               "choices": [{"index": 0, "delta": {"content": " word"}, "finish_reason": None}]}) + "\n\n"
LAST = "data: " + json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "stub",
                              "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 12, "completion_tokens": EVENTS, "total_tokens": 12 + EVENTS}}) + "\n\ndata: [DONE]\n\n"
STREAM = (CHUNK * EVENTS + LAST).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (40 ms), which would swamp every client's own cost.
    disable_nagle_algorithm = True

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        stream = b'"stream":true' in body.replace(b" ", b"")
        payload = STREAM if stream else COMPLETION
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
