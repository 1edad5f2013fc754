"""Run one independent job (e.g. writing the township books) in a forked worker process.

Writing workbooks is CPU-bound Python (xlsxwriter), so a thread does not help; a forked child
inherits the finished frames without pickling them and writes its files while the parent writes
the others. The files are the same either way; only the wall time changes.

Used only where ``fork`` exists (Linux). Elsewhere, with one CPU, or with ``FOURCARD_WORKERS=1``
the job runs in the parent when its result is asked for.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

ENV_WORKERS = "FOURCARD_WORKERS"


def parallel_enabled() -> bool:
    if os.environ.get(ENV_WORKERS, "").strip() == "1":
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _child(conn, func, args, kwargs) -> None:
    try:
        payload = ("ok", func(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        payload = ("error", exc, traceback.format_exc())
    try:
        conn.send(payload)
    except Exception:  # noqa: BLE001 - an unpicklable result or exception
        conn.send(("error", RuntimeError(str(payload[1])), payload[-1]))
    finally:
        conn.close()


class Job:
    """A started job: call it for the result (waits; raises the job's exception). Idempotent."""

    def __init__(self, func: Callable[..., Any], args, kwargs, parallel: bool) -> None:
        self._func, self._args, self._kwargs = func, args, kwargs
        self._done = False
        self._payload: tuple = ()
        self._proc = self._conn = None
        if parallel:
            ctx = multiprocessing.get_context("fork")
            self._conn, child_conn = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_child, args=(child_conn, func, args, kwargs), daemon=True)
            self._proc.start()
            child_conn.close()

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        if self._proc is None:
            try:
                self._payload = ("ok", self._func(*self._args, **self._kwargs))
            except Exception as exc:  # noqa: BLE001 - re-raised by __call__
                self._payload = ("error", exc, "")
            return
        try:
            self._payload = self._conn.recv()
        except EOFError:
            self._payload = ("error", RuntimeError(
                f"后台写出进程意外退出（退出码 {self._proc.exitcode}）"), "")
        finally:
            self._conn.close()
            self._proc.join()

    def __call__(self) -> Any:
        self._finish()
        if self._payload[0] == "ok":
            return self._payload[1]
        exc = self._payload[1]
        raise exc if isinstance(exc, BaseException) else RuntimeError(str(exc))

    def finish_quietly(self) -> None:
        """Wait for the job without raising (the caller is already handling an error): no
        half-written file is left behind by a killed worker. A job without a worker is not run."""
        if self._proc is None and not self._done:
            self._done = True
            self._payload = ("error", RuntimeError("未运行"), "")
            return
        self._finish()


def start(func: Callable[..., Any], *args, **kwargs) -> Job:
    """Start ``func(*args, **kwargs)`` in a forked worker when possible (see the module doc); the
    result must be picklable. Without a worker the job runs when its result is first asked for."""
    return Job(func, args, kwargs, parallel_enabled())


__all__ = ["ENV_WORKERS", "Job", "parallel_enabled", "start"]
