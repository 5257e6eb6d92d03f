"""The memory bound on a running query: the process's resident size, read while the query runs.

A query whose patterns share no variable (a cartesian product) grows its result without bound: on the shipped
graph about 50 MB a second, 11 GB before the 300 s default timeout. The timeout alone is no guard, so the
thread that waits for a query (io.native.run_native) also watches the resident size and stops the query past
the limit: min(4 GiB, half the machine's memory) by default, JASIC_KG_MAX_MEMORY_MB to change it (0: no limit).
A million-triple graph and its queries stay under 0.9 GB (BENCHMARKS.md). Linux only (/proc/self/statm);
elsewhere there is no memory bound, only the timeout.
"""

from __future__ import annotations

import os

from jasic_kg.errors import InputError

DEFAULT_LIMIT = 4 * 1024 ** 3
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int | None:
    """This process's resident set size, or None where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def limit_bytes() -> int | None:
    """The memory limit for a query, in bytes (None: no limit)."""
    value = os.environ.get("JASIC_KG_MAX_MEMORY_MB")
    if value not in (None, ""):
        try:
            mb = float(value)
        except ValueError:
            mb = -1
        if not mb >= 0:
            raise InputError(f"JASIC_KG_MAX_MEMORY_MB must be a number of megabytes >= 0, not {value!r}")
        return int(mb * 1024 * 1024) or None
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * _PAGE
    except (AttributeError, ValueError, OSError):
        return DEFAULT_LIMIT
    return min(DEFAULT_LIMIT, physical // 2)
