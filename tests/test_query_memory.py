"""A query that grows without bound is stopped at a memory limit (issue 9, item 8): a cartesian product grows
about 50 MB a second on the shipped graph and reached 11 GB before the 300 s default timeout. The hostile query
runs in a child process with an address-space limit as a safety net."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time

import pytest

from jasic_kg.errors import InputError
from jasic_kg.store import open_store

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MESSAGE = ("jasic-kg: error: the query was stopped: it took over 300 MB of memory (a query whose patterns share no "
           "variable grows without bound; JASIC_KG_MAX_MEMORY_MB raises the limit)")


def _limit():
    cap = 3 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def test_a_cartesian_product_is_stopped_at_the_memory_limit_with_one_line():
    env = {**os.environ, "JASIC_KG_MAX_MEMORY_MB": "300", "JASIC_KG_CACHE": "0"}
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "jasic_kg", "query", "--timeout", "100", "--format", "csv",
                        "--sparql", CARTESIAN], capture_output=True, timeout=120, env=env, preexec_fn=_limit)
    assert (r.returncode, r.stderr.decode().strip()) == (2, MESSAGE)
    assert r.stdout == b""  # no partial result
    assert time.monotonic() - start < 60


def test_the_stopped_query_stops_working_too(monkeypatch):
    """The worker thread gives up between results: no thread keeps filling memory after the error."""
    store = open_store(cache=False, local_timeout=60)
    monkeypatch.setenv("JASIC_KG_MAX_MEMORY_MB", "1")  # below what the process holds already: stops at once
    with pytest.raises(InputError, match=r"^the query was stopped: it took over 1 MB of memory"):
        store.query(CARTESIAN)
    deadline = time.monotonic() + 10
    while any(t.name == "jasic-kg-native" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "jasic-kg-native" for t in threading.enumerate())


def test_a_bad_memory_limit_is_a_one_line_error():
    env = {**os.environ, "JASIC_KG_MAX_MEMORY_MB": "lots", "JASIC_KG_CACHE": "0"}
    r = subprocess.run([sys.executable, "-m", "jasic_kg", "query", "--sparql", "ASK { ?s ?p ?o }"],
                       capture_output=True, timeout=60, env=env)
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, "jasic-kg: error: JASIC_KG_MAX_MEMORY_MB must be a number of megabytes >= 0, not 'lots'")


def test_no_limit_when_set_to_zero(monkeypatch):
    from jasic_kg.io.memory import limit_bytes

    monkeypatch.setenv("JASIC_KG_MAX_MEMORY_MB", "0")
    assert limit_bytes() is None
    monkeypatch.delenv("JASIC_KG_MAX_MEMORY_MB")
    assert 0 < limit_bytes() <= 4 * 1024 ** 3
