import json
import socket
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import context  # noqa: F401
from diffusej_krita.client import BridgeClient, ClientError


class ScriptedBridge(BaseHTTPRequestHandler):
    """Answers like the bridge for a scripted job; `status_for` forces error statuses per path."""
    status_for = {}
    seen = []

    def log_message(self, *args):
        pass

    def _send(self, status, body, raw=False, headers=()):
        data = body.encode() if raw else json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self):
        self.seen.append((self.command, self.path, self.headers.get("Authorization")))
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null") if length else None
        path = self.path.split("?")[0]
        if path in self.status_for:
            status = self.status_for[path]
            return self._send(status, {"error": "X", "detail": "scripted failure %d" % status},
                              headers=[("WWW-Authenticate", "Basic")] if status == 401 else ())
        if path == "/diffusej/v1/jobs":
            self.last_payload = body
            return self._send(202, {"job_id": "j1", "event": {"event": "queued", "seq": 0}})
        if path == "/diffusej/v1/jobs/j1/events":
            after = int(self.path.split("after=")[1].split("&")[0])
            events = [{"seq": 0, "event": "queued", "job_id": "j1"},
                      {"seq": 1, "event": "progress", "job_id": "j1", "progress": 0.5, "step": 1, "total": 2},
                      {"seq": 2, "event": "finished", "job_id": "j1", "progress": 1.0, "images": ["x"], "seeds": [4]}]
            # one event per poll, as a slow job would deliver them
            return self._send(200, {"job_id": "j1", "events": events[after + 1:after + 2]})
        if path == "/sdapi/v1/interrupt" or path.endswith("/cancel"):
            return self._send(200, {})
        if path == "/notjson":
            return self._send(200, "<html>", raw=True)
        return self._send(404, {"error": "NotFound", "detail": "no " + path})

    do_GET = _route
    do_POST = _route


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedBridge)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = "http://127.0.0.1:%d" % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def setUp(self):
        ScriptedBridge.status_for = {}
        ScriptedBridge.seen = []

    def test_enqueue_listen_in_order_until_final(self):
        c = BridgeClient(self.url, "u", "p")
        job = c.enqueue({"mode": "txt2img"})
        events = list(c.listen(job, poll_seconds=0))
        self.assertEqual(["queued", "progress", "finished"], [e.event for e in events])
        self.assertEqual(0.5, events[1].progress)
        self.assertEqual([4], events[2].seeds)
        self.assertTrue(events[2].is_final)
        self.assertTrue(all(a == "Basic dTpw" for _, _, a in ScriptedBridge.seen))

    def test_interrupt_and_cancel_hit_their_endpoints(self):
        c = BridgeClient(self.url)
        c.interrupt()
        c.cancel("j1")
        self.assertEqual([("POST", "/sdapi/v1/interrupt"), ("POST", "/diffusej/v1/jobs/j1/cancel")],
                         [(m, p) for m, p, _ in ScriptedBridge.seen])

    def test_errors_become_messages_for_the_painter(self):
        c = BridgeClient(self.url)
        ScriptedBridge.status_for = {"/diffusej/v1/jobs": 401}
        self.assertRaisesRegex(ClientError, "user and password", c.enqueue, {})
        ScriptedBridge.status_for = {"/diffusej/v1/jobs": 429}
        self.assertRaisesRegex(ClientError, "busy", c.enqueue, {})
        ScriptedBridge.status_for = {"/diffusej/v1/jobs": 422}
        self.assertRaisesRegex(ClientError, "HTTP 422.*scripted failure 422", c.enqueue, {})
        with self.assertRaisesRegex(ClientError, "did not answer with JSON"):
            c._call("GET", "/notjson")

    def test_server_down_says_how_to_start_it(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        c = BridgeClient("http://127.0.0.1:%d" % port, timeout=2)
        self.assertRaisesRegex(ClientError, "Cannot reach the DiffuseJ bridge.*diffusej serve", c.health)


if __name__ == "__main__":
    unittest.main()
