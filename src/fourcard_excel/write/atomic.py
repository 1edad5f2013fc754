"""Write files under a temporary name and rename, so an interrupted run never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(final: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success rename it to ``final``.

    The temporary file starts with ``~$`` would confuse Excel users, so it is a hidden ``.tmp``.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix + ".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_text(final: Path | str, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(final)


def remove_leftovers(folder: Path | str, since: float) -> list[Path]:
    """Delete the hidden temporary files a run left in ``folder`` (and below) when a process
    writing them was killed (a worker ended by the system: nothing of it could clean up):
    ``atomic_path``'s ``.<name>.….tmp`` and the writer's ``.tmp…`` scratch files, made at or after
    ``since`` (a ``time.time()``), so a user's own files are never touched."""
    removed = []
    for path in Path(folder).rglob(".*"):
        name = path.name
        if not path.is_file() or not (name.endswith(".tmp") or name.startswith(".tmp")):
            continue
        with contextlib.suppress(OSError):
            if path.stat().st_mtime >= since:
                path.unlink()
                removed.append(path)
    return removed
