"""Find input files and decide, from their bytes, what each one really is.

Nothing is parsed here beyond magic bytes and the zip directory, so a bad file becomes one
file-level Issue and the batch goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "txt"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_MARKER = "EncryptionInfo".encode("utf-16-le")

# Zip-bomb guard: a township roster never comes near these.
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB in total
MAX_RATIO = 200  # uncompressed / compressed for any member over 1 MiB
RATIO_FLOOR = 1 << 20


@dataclass
class InputFile:
    path: Path
    rel: str  # relative to the input root, '/' separators
    fmt: str = ""  # xlsx / xls / csv ('' when not readable)
    size: int = 0
    sha256: str = ""
    status: str = "待读取"  # 待读取 / 已跳过 / 失败 / 已处理
    code: str = ""  # issue code when skipped or failed
    reason: str = ""  # Chinese reason when skipped or failed
    mtime: float = 0.0  # modification time (seconds since the epoch; 0 when unknown)
    duplicate_of: str = ""  # set aside as a copy or resubmission of this file (the one used)
    township: str = ""  # a roster's main township, as duplicate detection saw it
    rows_set_aside: int = 0  # data rows read, then set aside with the file (a resubmission)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def find_inputs(input_path: Path) -> tuple[Path, list[InputFile]]:
    """All candidate files under ``input_path`` (a file or a folder, searched recursively).

    Returns the root that relative names are computed from, and every file found — including the
    ones to skip (lock files, hidden files, other types), which carry status 已跳过.
    """
    input_path = Path(input_path)
    if input_path.is_file():
        root = input_path.parent
        paths = [input_path]
    else:
        root = input_path
        paths = sorted((p for p in input_path.rglob("*") if p.is_file()), key=lambda p: p.as_posix())
    files = []
    for path in paths:
        f = InputFile(path=path, rel=_rel(path, root))
        with contextlib.suppress(OSError):
            f.mtime = path.stat().st_mtime
        parts = Path(f.rel).parts
        ext = path.suffix.lower()
        if path.name.startswith("~$"):
            f.status, f.code, f.reason = "已跳过", "F001", "Excel 临时锁定文件（~$开头），已跳过"
        elif any(part.startswith(".") for part in parts):
            f.status, f.code, f.reason = "已跳过", "F001", "隐藏文件，已跳过"
        elif ext not in EXTENSIONS:
            f.status, f.code, f.reason = "已跳过", "F001", f"不是表格文件（{ext or '无扩展名'}），已跳过"
        else:
            f.fmt = EXTENSIONS[ext]
        files.append(f)
    return root, files


def fingerprint(f: InputFile) -> bytes:
    """Read the file once: size and SHA-256 recorded; the bytes returned for sniffing."""
    data = f.path.read_bytes()
    f.size = len(data)
    f.sha256 = hashlib.sha256(data).hexdigest()
    return data


def sniff(f: InputFile, data: bytes) -> None:
    """Decide the real format from the bytes; mark the file failed with a Chinese reason if unreadable."""
    name = f.rel
    if not data:
        f.status, f.code, f.reason = "失败", "F002", f"文件“{name}”是空文件（0 字节），请重新导出后提交"
        return
    head = data[:8]
    stripped = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if f.fmt == "txt":  # Excel's "Unicode 文本"; read.read_file skips any other text
        return
    if f.fmt == "csv":
        if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
            f.fmt = "xlsx" if head.startswith(ZIP_MAGIC) else "xls"
        return
    if stripped.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta", b"<head")):
        f.status, f.code = "失败", "F006"
        f.reason = (f"文件“{name}”实际是网页（HTML）文件，只是扩展名为 {f.path.suffix}；"
                    "请用 Excel/WPS 打开后“另存为” .xlsx 再提交")
        return
    if head.startswith(OLE_MAGIC):
        if ENCRYPTION_MARKER in data:
            f.status, f.code = "失败", "F004"
            f.reason = f"工作簿“{name}”设有打开密码，无法读取；请在 Excel/WPS 中取消密码后重新提交"
            return
        f.fmt = "xls"
        return
    if head.startswith(ZIP_MAGIC):
        f.fmt = "xlsx"
        _check_zip(f, data)
        return
    f.status, f.code = "失败", "F003"
    f.reason = (f"文件“{name}”不是有效的 Excel 文件（内容与扩展名 {f.path.suffix} 不符）；"
                "请用 Excel/WPS 重新另存为 .xlsx 后提交")


def _check_zip(f: InputFile, data: bytes) -> None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        f.status, f.code = "失败", "F005"
        f.reason = f"文件“{f.rel}”已损坏或不完整（可能未下载完），请重新导出后提交"
        return
    total = sum(i.file_size for i in infos)
    too_big = total > MAX_UNCOMPRESSED
    too_dense = any(i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1)
                    for i in infos)
    if too_big or too_dense:
        f.status, f.code = "失败", "F007"
        f.reason = (f"文件“{f.rel}”解压后异常巨大（{total / 2**20:.0f} MB），疑似压缩炸弹，已拒绝读取；"
                    "请核实文件来源")
        return
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        f.status, f.code = "失败", "F003"
        f.reason = f"文件“{f.rel}”是压缩包但不是 Excel 工作簿；请用 Excel/WPS 另存为 .xlsx 后提交"
