"""Running pyoxigraph's SPARQL engine safely: on a thread with a big stack, under a deadline and a memory bound."""

from __future__ import annotations

import time

from jasic_kg.errors import InputError

NATIVE_STACK_BYTES = 1 << 30  # stack of the thread that runs SPARQL (virtual memory, touched only if needed)


def run_native(fn, *, timeout: float | None = None, what: str = "the query", cancel=None):
    """fn() in a worker thread with a NATIVE_STACK_BYTES stack: pyoxigraph's SPARQL parser and evaluator
    recurse, and some legal queries overflow the main thread's 8 MiB stack (SIGSEGV, no message). pyoxigraph
    releases the GIL while it works, so the waiting thread bounds a pathological evaluation: past `timeout`
    seconds, or past the memory limit (io/memory.py), InputError. `cancel` (a threading.Event) is set then, and
    on Ctrl-C, so that fn can stop between results; the daemon thread dies with the process in any case."""
    import threading

    from jasic_kg.io import memory

    outcome: dict = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as e:  # re-raised in the caller's thread
            outcome["error"] = e

    old = threading.stack_size()
    thread = None
    for size in (NATIVE_STACK_BYTES, NATIVE_STACK_BYTES >> 3, 0):
        try:
            threading.stack_size(size)
            thread = threading.Thread(target=target, name="jasic-kg-native", daemon=True)
            thread.start()
            break
        except (RuntimeError, ValueError, MemoryError):  # no room for a big stack: try a smaller one
            thread = None
        finally:
            threading.stack_size(old)
    if thread is None:
        return fn()
    limit = memory.limit_bytes()
    started = time.monotonic()
    try:
        while True:
            thread.join(_WATCH_SECONDS if timeout is None else min(_WATCH_SECONDS, max(
                timeout - (time.monotonic() - started), 0)))
            if not thread.is_alive():
                break
            if timeout is not None and time.monotonic() - started >= timeout * 0.99:
                raise InputError(f"{what} did not finish within {timeout:g} s (raise the limit with --timeout)")
            used = memory.resident_bytes() if limit else None
            if used is not None and used > limit:
                raise InputError(f"{what} was stopped: it took over {limit // 2**20} MB of memory (a query whose "
                                 "patterns share no variable grows without bound; JASIC_KG_MAX_MEMORY_MB raises "
                                 "the limit)")
    except BaseException:  # the limits above, or Ctrl-C: tell fn to stop
        if cancel is not None:
            cancel.set()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


_WATCH_SECONDS = 0.05  # how often the waiting thread looks at the clock and the memory (50 MB/s: 2.5 MB late)

