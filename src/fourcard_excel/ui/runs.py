"""The work folder (one folder per run, named by time) and the single background job.

A run folder holds ``inputs/`` (the uploaded files, relative folders kept), ``side/`` (files given
in their own fields: rules, inspectors, posts, villages, contacts), ``outputs/`` (exactly what
``process`` or ``validate`` writes) and ``run.json`` (options, state and what the result page shows).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import threading
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

from .paths import UnsafeName, inside

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
INPUTS, SIDE, OUTPUTS = "inputs", "side", "outputs"
ZIP_NAME = "outputs.zip"
ERROR_DETAIL = "错误详情.txt"
DB_NAME = "fourcard.sqlite"
PROCESS, VALIDATE = "process", "validate"
KIND_LABELS = {PROCESS: "处理花名册", VALIDATE: "自查"}
STATE_LABELS = {"running": "正在处理", "done": "已完成", "failed": "出错", "interrupted": "已中断"}
_RUN_ID = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?$")
BUSY_MESSAGE = "已有一项处理正在进行，请等它完成后再开始（同一时间只能处理一批）。"


class Busy(RuntimeError):
    """A second start while a job runs."""


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)


class RunStore:
    """Run folders under ``root`` (the ``--workdir``)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def new_run(self, kind: str, options: dict) -> Path:
        stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
        for n in range(1, 1000):
            name = stamp if n == 1 else f"{stamp}-{n}"
            folder = self.root / name
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            for sub in (INPUTS, SIDE, OUTPUTS):
                (folder / sub).mkdir()
            write_json(folder / RUN_FILE, {"id": name, "kind": kind, "state": "running",
                                            "started": dt.datetime.now().isoformat(timespec="seconds"),
                                            "options": options})
            return folder
        raise RuntimeError("无法创建运行文件夹")

    def folder(self, run_id: str) -> Path | None:
        """The folder of ``run_id`` (checked: a time-stamp name inside the work folder), or None."""
        if not _RUN_ID.match(run_id or ""):
            return None
        try:
            folder = inside(self.root, run_id)
        except UnsafeName:
            return None
        return folder if (folder / RUN_FILE).is_file() else None

    def load(self, run_id: str) -> dict | None:
        folder = self.folder(run_id)
        if folder is None:
            return None
        try:
            return json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, run_id: str, data: dict) -> None:
        folder = self.folder(run_id)
        if folder is not None:
            write_json(folder / RUN_FILE, data)

    def discard(self, folder: Path) -> None:
        """Remove a run folder whose upload was refused (nothing ran in it)."""
        if folder.parent == self.root:
            shutil.rmtree(folder, ignore_errors=True)

    def runs(self, active: str | None = None) -> list[dict]:
        """Past runs, newest first; a run left 'running' by a stopped server shows as interrupted."""
        out = []
        for folder in sorted((p for p in self.root.iterdir() if p.is_dir() and _RUN_ID.match(p.name)),
                             key=lambda p: p.name, reverse=True):
            data = self.load(folder.name)
            if data is None:
                continue
            if data.get("state") == "running" and folder.name != active:
                data["state"] = "interrupted"
            out.append(data)
        return out

    def zip_outputs(self, run_id: str) -> Path:
        """outputs.zip beside ``outputs/`` (made once): every output file, folders kept."""
        folder = self.folder(run_id)
        if folder is None:
            raise FileNotFoundError(run_id)
        target = folder / ZIP_NAME
        if not target.is_file():
            tmp = folder / (ZIP_NAME + ".tmp")
            out = folder / OUTPUTS
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(p for p in out.rglob("*") if p.is_file()):
                    zf.write(path, path.relative_to(out).as_posix())
            tmp.replace(target)
        return target


class Jobs:
    """At most one job at a time, run in a background thread, with live progress in memory."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.active: str | None = None
        self._claimed = False
        self.progress: dict[str, dict] = {}

    def claim(self) -> None:
        """Reserve the single slot before the upload is read; ``Busy`` if taken."""
        with self._lock:
            if self._claimed:
                raise Busy(BUSY_MESSAGE)
            self._claimed = True

    def release(self) -> None:
        with self._lock:
            self._claimed = False
            self.active = None

    @property
    def busy(self) -> bool:
        return self._claimed

    def start(self, folder: Path, work: Callable[[Path, Callable], dict]) -> threading.Thread:
        """Run ``work(folder, progress)`` in a thread; its dict (what the page shows) goes to run.json."""
        run_id = folder.name
        self.active = run_id
        self.progress[run_id] = {"stage": "读取文件", "done": 0, "total": 0, "current": "", "files": []}
        thread = threading.Thread(target=self._run, args=(folder, work), name=f"fourcard-run-{run_id}",
                                  daemon=True)
        thread.start()
        return thread

    def _on_progress(self, run_id: str) -> Callable[[str, int, int], None]:
        def progress(name: str, done: int, total: int) -> None:
            p = self.progress[run_id]
            p.update(done=done, total=total, current=name)
            p["files"].append(name)
            if done >= total:
                p["stage"] = "分类、核查并写出结果"
        return progress

    def _run(self, folder: Path, work: Callable[[Path, Callable], dict]) -> None:
        run_id = folder.name
        started = time.perf_counter()
        data = self.store.load(run_id) or {"id": run_id}
        try:
            data["result"] = work(folder, self._on_progress(run_id))
            data["state"] = "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page; the server stays up
            data["state"] = "failed"
            data["error"] = error_message(exc)
            (folder / ERROR_DETAIL).write_text(traceback.format_exc(), encoding="utf-8")
            log.exception("run %s failed", run_id)
        finally:
            data["finished"] = dt.datetime.now().isoformat(timespec="seconds")
            data["seconds"] = round(time.perf_counter() - started, 1)
            try:
                self.store.save(run_id, data)
            finally:
                self.progress.pop(run_id, None)
                self.release()

    def status(self, run_id: str) -> dict | None:
        data = self.store.load(run_id)
        if data is None:
            return None
        out = {"id": run_id, "state": data.get("state"), "error": data.get("error", "")}
        p = self.progress.get(run_id)
        if p is not None:
            out.update(state="running", stage=p["stage"], done=p["done"], total=p["total"],
                       current=p["current"], files=list(p["files"]))
        elif out["state"] == "running" and run_id != self.active:
            out["state"] = "interrupted"
        out["state_label"] = STATE_LABELS.get(out["state"], out["state"])
        return out


def error_message(exc: BaseException) -> str:
    """The Chinese message a failed run shows (rules and spot-check errors are Chinese already)."""
    from ..checks.history_db import HistoryError
    from ..checks.spotcheck import SpotCheckError
    from ..rules.ruleset import RulesError

    if isinstance(exc, (RulesError, SpotCheckError, HistoryError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "内存不足，处理未完成；请分批上传（例如每次几个乡镇）后重试。"
    return (f"处理时出错（{type(exc).__name__}：{exc}）。网页服务仍在运行，可以检查文件后重新开始；"
            f"详细信息已记在本次运行文件夹的“{ERROR_DETAIL}”中。")
