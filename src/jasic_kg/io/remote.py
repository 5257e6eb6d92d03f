"""The one way the toolkit reads from the network: a total deadline, a byte cap and a fixed redirect policy.

urllib's `timeout` bounds each socket operation only: a body trickled a byte at a time, or a server whose
listening socket never accepts, would keep a command waiting for good. `read` runs the whole exchange (connect,
request, every read) in a worker thread and waits for it until the deadline at most; the socket timeout is
the same deadline, so the worker ends soon after too. It is used by the SPARQL endpoint store and by JSON-LD
context fetching, and by nothing else: the toolkit makes no other network call.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timezone

from jasic_kg.errors import NetworkError

MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait when a server answers 429/503 with Retry-After


class HTTPStatusError(NetworkError):
    """A response with an error status (or a redirect the policy refused): the caller decides what it means."""

    def __init__(self, url: str, code: int, reason: str, headers, body_head: bytes = b""):
        self.url, self.code, self.reason, self.headers, self.body_head = url, code, reason, headers, body_head
        super().__init__(f"{url}: HTTP {code} {reason}")

    @property
    def location(self) -> str:
        return (self.headers.get("Location") if self.headers else None) or "?"

    @property
    def retry_after(self) -> float | None:
        return retry_after(self.headers.get("Retry-After") if self.headers else None)


class ResponseTooLarge(NetworkError):
    """The body is over the byte cap."""


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date, RFC 9110 section 10.2.3; a date
    in the past is 0), or None when absent or malformed. Callers cap it (MAX_RETRY_AFTER for endpoints)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        wait = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        wait = when.timestamp() - (time.time() if now is None else now)
        wait = max(wait, 0.0)
    return wait


class _Redirects(urllib.request.HTTPRedirectHandler):
    """The redirect policy: `follow(new_url)` raises to refuse one; without it, every redirect is refused
    (urllib then reports the 3xx as an error status: a POST followed as a GET would lose its query)."""

    def __init__(self, follow: Callable[[str, str], None] | None):
        self.follow = follow

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if self.follow is None:
            return None
        self.follow(req.full_url, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def read(request: urllib.request.Request, *, timeout: float, max_bytes: int, label: str | None = None,
         follow: Callable[[str, str], None] | None = None) -> bytes:
    """The whole body of `request` within `timeout` seconds in total, connect included, and at most `max_bytes`.

    `label` names the resource in messages (default: the URL). `follow(old, new)` decides on each redirect
    (raise to refuse it); without it, redirects are refused. Errors: HTTPStatusError for an error status or a
    refused redirect, ResponseTooLarge, NetworkError for the rest; an exception raised by `follow` as it is."""
    label = label or request.full_url
    deadline = time.monotonic() + timeout
    outcome: dict = {}
    opened: list = []

    def late() -> str:  # no status line and headers yet, or an unfinished body
        return f"{label}: no {'complete ' if opened else ''}response within {timeout:g} s"

    def exchange() -> None:
        try:
            opener = urllib.request.build_opener(_Redirects(follow))
            with opener.open(request, timeout=timeout) as response:
                opened.append(response)
                outcome["body"] = _read_capped(response, label, deadline, timeout, max_bytes)
        except urllib.error.HTTPError as e:
            try:
                head = e.read(2048) if e.fp is not None else b""
            except (OSError, ValueError):
                head = b""
            outcome["error"] = HTTPStatusError(label, e.code, str(e.reason), e.headers, head)
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, TimeoutError):
                outcome["error"] = NetworkError(late())
            else:
                outcome["error"] = e if not isinstance(reason, (str, OSError)) else NetworkError(f"{label}: {reason}")
        except TimeoutError:  # a socket operation timed out: the deadline has passed
            outcome["error"] = NetworkError(late())
        except (OSError, ValueError, EOFError) as e:  # resets, malformed status lines
            outcome["error"] = NetworkError(f"{label}: {e or type(e).__name__}")
        except BaseException as e:  # the policy's refusal (an InputError), or a bug: the caller's to see
            outcome["error"] = e

    worker = threading.Thread(target=exchange, name="jasic-kg-remote", daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0))
    if worker.is_alive():
        for response in opened:  # wake a worker blocked in a read (best effort; it is a daemon thread anyway)
            try:
                response.close()
            except Exception:
                pass
        raise NetworkError(late())
    if "error" in outcome:
        raise outcome["error"]
    return outcome["body"]


def _read_capped(response, label: str, deadline: float, timeout: float, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise NetworkError(f"{label}: no complete response within {timeout:g} s")
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"{label}: response larger than {max_bytes} bytes")
        chunks.append(chunk)


__all__ = ["HTTPStatusError", "MAX_RETRY_AFTER", "ResponseTooLarge", "read", "retry_after"]
