#!/usr/bin/env python3
"""The customer's application for the README walk-through: answer_url and event_url on http://127.0.0.1:9000.

answer_url returns an NCCO that connects the call to the SIP endpoint sip:bob@127.0.0.1:5090 (sipp -sf uas.xml)
with the header X-Customer: acme-42; every request is printed so you can see what psip sends.
Usage: python3 docs/sipp/customer_app.py [port] [far end]
The far end is a SIP URI, or user@domain for a user registered to a psip domain (e.g. alice@acme-corp).
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
FAR_END = sys.argv[2] if len(sys.argv) > 2 else "sip:bob@127.0.0.1:5090"
if FAR_END.startswith(("sip:", "sips:")):
    ENDPOINT = {"type": "sip", "uri": FAR_END}
else:
    USER, DOMAIN = FAR_END.split("@", 1)
    ENDPOINT = {"type": "sip", "user": USER, "domain": DOMAIN}
NCCO = [{"action": "connect", "from": "14155550100",
         "endpoint": [dict(ENDPOINT, headers={"Customer": "acme-42"})]}]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.handle_webhook(dict(parse_qsl(urlsplit(self.path).query)))

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.handle_webhook(json.loads(body) if body else {})

    def handle_webhook(self, data):
        path = urlsplit(self.path).path
        print(f"{self.command} {path} {json.dumps(data)}", flush=True)
        body = json.dumps(NCCO if path == "/answer" else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    print(f"customer app on http://127.0.0.1:{PORT} (answer_url /answer, event_url /event), connects to {FAR_END}",
          flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
