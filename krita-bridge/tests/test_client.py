import json
import socket
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import context  # noqa: F401
from diffusej_krita.client import DEFAULT_URL, BridgeClient, ClientError, normalise_url


class ScriptedBridge(BaseHTTPRequestHandler):
    """Answers like the bridge for a scripted job; `status_for` forces error statuses per path."""
    status_for = {}
    seen = []
    default_size = 768

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
                      {"seq": 1, "event": "progress", "job_id": "j1", "progress": 0.5, "step": 1, "total": 2,
                       "preview": "iVBORw0KGgo="},
                      {"seq": 2, "event": "finished", "job_id": "j1", "progress": 1.0, "images": ["x"], "seeds": [4]}]
            # one event per poll, as a slow job would deliver them
            return self._send(200, {"job_id": "j1", "events": events[after + 1:after + 2]})
        if path == "/diffusej/v1/jobs/dies/events":  # the bridge process dies while answering
            self.send_response(200)
            self.send_header("Content-Length", "500")
            self.end_headers()
            self.wfile.write(b'{"job_id": "dies", "ev')
            self.wfile.flush()
            self.close_connection = True
            return
        if path == "/sdapi/v1/samplers":
            return self._send(200, [{"name": "DDIM", "aliases": []}, {"name": "Euler a", "aliases": ["k_euler_a"]}])
        if path == "/sdapi/v1/loras":
            return self._send(200, [{"name": "ink", "alias": "Ink", "path": "styles/ink.safetensors", "metadata": {}},
                                    {"alias": "no name"}, {"name": "lcm-lora-sdv1-5", "alias": "x", "path": "x",
                                                           "metadata": {"ss_network_dim": "64"}}])
        if path == "/sdapi/v1/sd-models":
            return self._send(200, [{"title": "sd15.safetensors [0123456789]", "model_name": "sd15"},
                                    {"title": "sd21-768", "model_name": "sd21-768"}])
        if path == "/sdapi/v1/options":
            if self.command == "POST":
                ScriptedBridge.options = body
                return self._send(200, None)
            return self._send(200, {"sd_model_checkpoint": "sd21-768", "samples_format": "png"})
        if path == "/diffusej/v1/health":
            return self._send(200, {"status": "ok", "model": "sd21-768", "default_size": ScriptedBridge.default_size})
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
        self.assertEqual(("iVBORw0KGgo=", ""), (events[1].preview, events[0].preview), "previews come with progress")
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


    def test_a_bridge_dying_mid_answer_is_one_clear_line(self):
        c = BridgeClient(self.url)
        with self.assertRaises(ClientError) as caught:
            list(c.listen("dies", poll_seconds=0))
        text = str(caught.exception)
        self.assertIn("Lost the DiffuseJ bridge at %s during the job" % self.url, text)
        self.assertNotIn("IncompleteRead", text)
        self.assertNotIn("\n", text)

    def test_a_bridge_gone_between_polls_is_one_clear_line(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedBridge)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        c = BridgeClient("http://127.0.0.1:%d" % server.server_address[1], timeout=2)
        events = c.listen(c.enqueue({}), poll_seconds=0)
        self.assertEqual("queued", next(events).event)
        server.shutdown()
        server.server_close()
        self.assertRaisesRegex(ClientError, "^Lost the DiffuseJ bridge .* during the job: it stopped answering", next, events)

    def test_listen_stops_when_asked_without_a_final_event(self):
        c = BridgeClient(self.url)
        job = c.enqueue({})
        seen = []
        for e in c.listen(job, poll_seconds=0, stopped=lambda: len(seen) >= 1):
            seen.append(e)
        self.assertEqual(["queued"], [e.event for e in seen])

    def test_url_without_scheme_is_normalised(self):
        self.assertEqual("http://127.0.0.1:7860", normalise_url(" 127.0.0.1:7860/ "))
        self.assertEqual("https://host:1", normalise_url("https://host:1"))
        self.assertEqual(DEFAULT_URL, normalise_url(""))
        self.assertRaisesRegex(ClientError, "http:// or https://", normalise_url, "ftp://host")
        c = BridgeClient(self.url[len("http://"):])
        self.assertEqual(self.url, c.url)
        self.assertEqual("j1", c.enqueue({}), "a URL typed without http:// works")

    def test_samplers_come_from_the_server(self):
        self.assertEqual(["DDIM", "Euler a"], BridgeClient(self.url).samplers())

    def test_loras_come_from_the_server(self):
        self.assertEqual(["ink", "lcm-lora-sdv1-5"], BridgeClient(self.url).loras(), "entries without a name are skipped")

    def test_server_info_lists_models_current_samplers_and_native_size(self):
        info = BridgeClient(self.url).server_info()
        self.assertEqual(["sd15.safetensors [0123456789]", "sd21-768"], info["models"])
        self.assertEqual("sd21-768", info["model"])
        self.assertEqual(["DDIM", "Euler a"], info["samplers"])
        self.assertEqual(768, info["default_size"])

    def test_an_sdxl_server_says_1024(self):
        ScriptedBridge.default_size = 1024
        try:
            self.assertEqual(1024, BridgeClient(self.url).server_info()["default_size"])
        finally:
            ScriptedBridge.default_size = 768

    def test_select_model_posts_the_checkpoint_option(self):
        BridgeClient(self.url).select_model("sd15.safetensors [0123456789]")
        self.assertEqual({"sd_model_checkpoint": "sd15.safetensors [0123456789]"}, ScriptedBridge.options)


if __name__ == "__main__":
    unittest.main()
