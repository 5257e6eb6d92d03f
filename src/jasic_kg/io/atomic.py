"""Writing every output file atomically: readers never see a partial file, and a failure leaves the old file
(or nothing) in place. Devices, FIFOs and standard output are written in place, never replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path

from jasic_kg.errors import InputError

MAX_NAME_BYTES = 255  # the longest file name (one path component) the usual file systems take


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Open the place a command writes its output. A regular file (or a path that does not exist yet) is written
    to a temporary file next to it and then os.replace'd: readers never see a partial file, and a failure leaves
    the old file (or nothing) in place. Anything else is written in place, never replaced: "-" is standard
    output; a character device, FIFO or socket (renaming over /dev/null as root would destroy it for the whole
    machine) is opened and written; a symbolic link is followed to its target, which is then treated as above."""
    if str(path) == "-":
        yield _stdout(mode)
        return
    path = Path(path)
    if len(os.fsencode(path.name)) > MAX_NAME_BYTES:
        raise InputError(f"file name longer than {MAX_NAME_BYTES} bytes", path.name[:40] + "…")
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory; give a file name", path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _special_file(path, mode) as f:
            yield f
        return
    if not path.parent.is_dir():
        raise InputError("folder does not exist", path.parent)
    import tempfile

    try:
        # hidden, beside the target, named after it where the name leaves room for mkstemp's suffix
        prefix = f".{path.name}." if len(os.fsencode(path.name)) <= 200 else ".jasic-kg."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise InputError(f"cannot write here: {e.strerror or e}", path) from None
    try:
        with os.fdopen(fd, mode, **_text_args(mode)) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file 0600; give the result the mode the old file had (or the umask's default), so
        # an export a web server should publish stays readable.
        os.chmod(tmp, _target_mode(path))
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"cannot write: {e.strerror or e}", path) from None
        raise


def _text_args(mode: str) -> dict:
    return {} if "b" in mode else {"encoding": "utf-8", "newline": ""}


class _Unclosed:
    """Standard output for a `with` block that must not close it."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        return self._stream.write(data)

    def flush(self):
        self._stream.flush()


def _stdout(mode: str):
    return _Unclosed(sys.stdout.buffer if "b" in mode else sys.stdout)


@contextlib.contextmanager
def _special_file(path: Path, mode: str):
    """Write a device, FIFO or socket in place. A FIFO nobody reads would block for ever: refuse it instead."""
    flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(path.stat().st_mode) else 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise InputError("a FIFO with no reader; start the reader first", path) from None
        raise InputError(f"cannot write: {e.strerror or e}", path) from None
    if flags & os.O_NONBLOCK:
        os.set_blocking(fd, True)  # a reader is there: write normally
    try:
        with os.fdopen(fd, mode, **_text_args(mode)) as f:
            yield f
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path) from None


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)
