"""A tiny OpenAI-compatible chat-completions server for VisageAskTests.

Usage: chat_server.py MODE
Prints the port it listens on (127.0.0.1, chosen by the OS), serves at most 3 requests, then
exits; it also exits by itself after 20 seconds, so a failed test never leaves it running.
MODE: ok (echoes the question and whether an image and grounding arrived), status500,
malformed (200 with a body that is not JSON), slow (waits 5 s before answering),
refuse (prints a port nobody listens on and exits at once).
"""
import json
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
# A parent may start us with SIGTERM blocked (the mask is inherited); the test stops us with it.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])

if mode == "refuse":
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    s.close()
    sys.exit(0)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if mode == "status500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": "model not loaded"}')
            return
        if mode == "malformed":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"<html>not json</html>")
            return
        if mode == "slow":
            threading.Event().wait(5)
        request = json.loads(body)
        system = request["messages"][0]["content"]
        parts = request["messages"][1]["content"]
        question = next(p["text"] for p in parts if p["type"] == "text")
        image = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
        answer = "path=%s question=%s image=%s grounded=%s" % (
            self.path, question, image.split(";")[0], "Visage's measurements" in system and '"faces"' in system)
        reply = {"model": "test-vlm", "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = HTTPServer(("127.0.0.1", 0), Handler)
server.timeout = None  # block until a request; the timer below ends it regardless
print(server.server_address[1], flush=True)
threading.Timer(20, lambda: __import__("os")._exit(0)).start()
for _ in range(3):
    server.handle_request()
__import__("os")._exit(0)
