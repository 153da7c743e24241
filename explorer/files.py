"""Writing files so that a failed write leaves nothing half-written.

Every file the CLI and the exporters write goes through :func:`write_atomic`: the bytes go to a
temporary file in the same directory, are flushed to disk, and only then renamed over the target
(``os.replace`` is atomic on POSIX within one file system). A full disk, a read-only file system
or an interrupted run leaves the old file, or no file, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILE_MODE = 0o644  # what a plain ``open(path, "w")`` gives under the usual umask 022 (mkstemp's own is 0o600)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary sibling file and a rename; returns ``path``.

    Raises the ``OSError`` of the failing step (no such directory, permission, disk full, ...);
    the temporary file is removed then.
    """
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".part")
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(path)  # a failed write or fsync names no file; say which one
        raise
    return path
