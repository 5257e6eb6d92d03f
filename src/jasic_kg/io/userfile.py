"""Reading a file the user names (a text, an exclusions list, a query): never more than a cap, never a hang.

A regular file is checked by its size before a byte is read; anything else (a FIFO, /dev/zero, a symlink to a
device) is read up to the cap. A FIFO is opened without waiting for a writer: with none, it reads as empty.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from jasic_kg.errors import InputError


def read_capped_file(path: str | os.PathLike, max_bytes: int, *, limit_name: str = "--max-bytes") -> bytes:
    """At most `max_bytes` of `path` (InputError when there are more, naming `limit_name`)."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a file", path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        os.set_blocking(fd, True)
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise InputError(f"larger than {limit_name} ({max_bytes} bytes)", path)
        with open(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"more than {limit_name} ({max_bytes} bytes)", path)
    return data


def read_text_file(path: str | os.PathLike, max_bytes: int, *, limit_name: str = "--max-bytes") -> str:
    """As read_capped_file, decoded as UTF-8 (InputError naming the first bad byte)."""
    data = read_capped_file(path, max_bytes, limit_name=limit_name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from None
