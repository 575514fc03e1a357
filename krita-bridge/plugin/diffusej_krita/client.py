"""The bridge's HTTP client (stdlib urllib only): enqueue a job, listen to its events, interrupt, cancel.

Events use the vocabulary shared with the Java server: queued, progress, finished, interrupted, error.
"""
from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Iterator

EVENTS = ("queued", "progress", "finished", "interrupted", "error")
FINAL_EVENTS = ("finished", "interrupted", "error")
DEFAULT_URL = "http://127.0.0.1:7860"


class ClientError(Exception):
    """A problem the painter can act on: the server is down, refused the request, or answered nonsense."""


class ConnectionLost(ClientError):
    """The bridge could not be reached, or stopped answering in the middle of a reply."""


def normalise_url(text: str) -> str:
    """The server address as typed, made usable: `127.0.0.1:7860` → `http://127.0.0.1:7860`, no trailing slash."""
    text = (text or "").strip().rstrip("/")
    if not text:
        return DEFAULT_URL
    scheme, sep, _rest = text.partition("://")
    if not sep:
        return "http://" + text
    if scheme.lower() not in ("http", "https"):
        raise ClientError("The server address must start with http:// or https://, not %s://." % scheme)
    return text


@dataclass
class ClientMessage:
    """One event of a job, as the server sent it."""
    event: str
    job_id: str
    progress: float = 0.0
    step: int = 0
    total: int = 0
    message: str = ""
    images: list = field(default_factory=list)
    seeds: list = field(default_factory=list)
    infotexts: list = field(default_factory=list)
    preview: str = ""  # base64 PNG of the image so far (progress events of a server with TAESD previews)
    part: str = ""  # set by the plugin, not the server: which part of a tiled job ("Tile 2 of 6")

    @property
    def is_final(self) -> bool:
        return self.event in FINAL_EVENTS

    @staticmethod
    def from_json(o: dict) -> "ClientMessage":
        event = o.get("event")
        if event not in EVENTS:
            raise ClientError("The server sent an unknown event %r." % event)
        return ClientMessage(event, o.get("job_id", ""), float(o.get("progress", 0)), int(o.get("step", 0)),
                             int(o.get("total", 0)), o.get("message", "") or "", list(o.get("images", [])),
                             list(o.get("seeds", [])), list(o.get("infotexts", [])),
                             o.get("preview") if isinstance(o.get("preview"), str) else "")


class BridgeClient:
    """Talks to one DiffuseJ bridge (`diffusej serve` or Fiji's Start Krita Bridge)."""

    def __init__(self, url: str = DEFAULT_URL, user: str = "", password: str = "", timeout: float = 30.0):
        self.url = normalise_url(url)
        self.timeout = timeout
        self._auth = None
        if user or password:
            token = base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")
            self._auth = "Basic " + token

    # -- the four operations ------------------------------------------------------------------------------------

    def enqueue(self, payload: dict) -> str:
        """Submits a job (`mode` txt2img / img2img / inpaint + A1111 fields); returns its id at once."""
        return self._call("POST", "/diffusej/v1/jobs", payload)["job_id"]

    def listen(self, job_id: str, poll_seconds: int = 2,
               stopped: Callable[[], bool] = lambda: False) -> Iterator[ClientMessage]:
        """Yields the job's events in order until its final one (long polling: no busy loop). Returns early, without
        a final event, once `stopped()` is true (checked between polls, so within about `poll_seconds`)."""
        after = -1
        while not stopped():
            try:
                answer = self._call("GET", "/diffusej/v1/jobs/%s/events?after=%d&wait=%d" % (job_id, after, poll_seconds),
                                    timeout=min(self.timeout, 10) + poll_seconds)
            except ConnectionLost:
                raise ClientError("Lost the DiffuseJ bridge at %s during the job: it stopped answering (closed or "
                                  "crashed?), so the job's result is lost." % self.url) from None
            for o in answer.get("events", []):
                after = max(after, int(o.get("seq", after + 1)))
                msg = ClientMessage.from_json(o)
                yield msg
                if msg.is_final:
                    return

    def interrupt(self) -> None:
        """Stops whatever job is running now, within a step (A1111's /sdapi/v1/interrupt)."""
        self._call("POST", "/sdapi/v1/interrupt", {})

    def cancel(self, job_id: str) -> None:
        """Cancels one job, waiting or running."""
        self._call("POST", "/diffusej/v1/jobs/%s/cancel" % job_id, {})

    # -- information --------------------------------------------------------------------------------------------

    def health(self) -> dict:
        return self._call("GET", "/diffusej/v1/health")

    def samplers(self) -> list:
        return [s["name"] for s in self._call("GET", "/sdapi/v1/samplers")]

    def loras(self) -> list:
        """The names the server's LoRA folder offers for `<lora:name:1.0>` (A1111's /sdapi/v1/loras)."""
        answer = self._call("GET", "/sdapi/v1/loras")
        return [o["name"] for o in answer or [] if isinstance(o, dict) and isinstance(o.get("name"), str)]

    def models(self) -> list:
        """The checkpoint titles this server can run (A1111's /sdapi/v1/sd-models), in its order."""
        return [m["title"] for m in self._call("GET", "/sdapi/v1/sd-models") if isinstance(m, dict) and m.get("title")]

    def current_model(self) -> str:
        return (self._call("GET", "/sdapi/v1/options") or {}).get("sd_model_checkpoint", "")

    def select_model(self, title: str) -> None:
        """Switches the server's model (it loads once no job runs; this call returns when it is loaded)."""
        self._call("POST", "/sdapi/v1/options", {"sd_model_checkpoint": title}, timeout=max(self.timeout, 600))

    def server_info(self) -> dict:
        """What the docker shows and needs at once: models, the current one, samplers, the model's native size."""
        health = self.health() or {}
        return {"models": self.models(), "model": self.current_model(), "samplers": self.samplers(),
                "default_size": int(health.get("default_size") or 0)}

    def progress(self) -> dict:
        """A1111's progress: `current_image` is the running job's preview (base64 PNG) or None."""
        return self._call("GET", "/sdapi/v1/progress")

    # -- plumbing -------------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None, timeout: float | None = None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            raise ClientError(_http_error_message(e)) from None
        except http.client.HTTPException:  # IncompleteRead, BadStatusLine: the bridge went away mid-answer
            raise ConnectionLost("The DiffuseJ bridge at %s stopped answering in the middle of a reply (closed or "
                                 "crashed?)." % self.url) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise ConnectionLost("Cannot reach the DiffuseJ bridge at %s (%s). Is it running? Start it with "
                              "'diffusej serve' or Fiji's Plugins > DiffuseJ > Start Krita Bridge." % (self.url, reason)) from None
        try:
            return json.loads(text) if text else None
        except ValueError:
            raise ClientError("The server at %s did not answer with JSON; is it a DiffuseJ bridge?" % self.url) from None


def _http_error_message(e) -> str:
    detail = ""
    try:
        o = json.loads(e.read().decode("utf-8"))
        detail = o.get("detail") or o.get("error") or ""
    except Exception:
        pass
    if e.code == 401:
        return "The bridge needs a user and password (or the ones given are wrong)."
    if e.code == 429:
        return "The bridge is busy with other jobs; try again when they finish."
    return "The bridge refused the request (HTTP %d): %s" % (e.code, detail or e.reason)
