"""Upload names made safe and paths kept inside their run folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

MAX_PART = 120  # characters per name part
MAX_DEPTH = 8  # folder levels kept from a dropped folder
_DRIVE = re.compile(r"^[A-Za-z]:")
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


class UnsafeName(ValueError):
    """An upload name that would leave the run folder (a Chinese message for the page)."""


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path made of cleaned parts, or ``UnsafeName``.

    Backslashes count as separators (Windows browsers); an absolute path, a drive letter or a
    ``..`` part is refused outright rather than quietly repaired, so nothing ever lands outside
    the run's input folder. Control characters and characters Windows forbids are replaced by
    ``_``; ``.`` parts and empty parts are dropped.
    """
    raw = unicodedata.normalize("NFC", str(name or ""))
    text = raw.replace("\\", "/")
    if not text.strip():
        raise UnsafeName("上传的文件没有文件名")
    if text.startswith("/") or _DRIVE.match(text):
        raise UnsafeName(f"文件名“{raw}”是绝对路径，已拒绝；请只上传文件或文件夹本身")
    parts = []
    for part in text.split("/"):
        part = part.strip()
        if part in ("", "."):
            continue
        if part == ".." or set(part) == {"."}:
            raise UnsafeName(f"文件名“{raw}”含有“..”（指向上级文件夹），已拒绝")
        part = _BAD_CHARS.sub("_", part).rstrip(" .")
        if not part:
            raise UnsafeName(f"文件名“{raw}”不可用，已拒绝")
        parts.append(part[:MAX_PART])
    if not parts:
        raise UnsafeName(f"文件名“{raw}”不可用，已拒绝")
    if len(parts) > MAX_DEPTH + 1:
        parts = parts[-(MAX_DEPTH + 1):]
    return PurePosixPath(*parts)


def inside(base: Path, rel: str | PurePosixPath) -> Path:
    """``base / rel`` resolved, or ``UnsafeName`` when it would fall outside ``base``."""
    root = Path(base).resolve()
    target = (root / Path(str(rel))).resolve()
    if target != root and root not in target.parents:
        raise UnsafeName(f"路径“{rel}”不在本次运行的文件夹内，已拒绝")
    return target
