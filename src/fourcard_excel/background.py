"""Write independent outputs (township books, the issue book) in worker processes, on every OS.

A ``Pool`` wraps ``concurrent.futures.ProcessPoolExecutor`` with an explicit ``spawn`` context:
workers are fresh interpreters (the only start method Windows has, the default on macOS), so a
job must be a module-level function and its arguments picklable — the caller sends the frames a
job needs (a township's households and issues, the cards and colours of the rules), never "the
parent's memory". Writing workbooks is CPU-bound, so threads would not help.

- ``FOURCARD_WORKERS=N`` sets the number of workers; the default is the number of usable cores.
  ``1`` (or one core) runs every job in the calling process, when its result is first asked for.
- The worker processes are started on first use and kept until this process exits
  (``shutdown_workers``): reading and writing, and every run of a long-lived process (the web
  UI), reuse them instead of paying the start-up (a fresh interpreter importing pandas) again.
- ``FOURCARD_START_METHOD`` (``spawn`` by default; ``forkserver``/``fork`` where the OS has them)
  is for experiments; the files are the same either way.
- Each output is written by exactly one job from its own inputs, so the files are byte-identical
  for any N (tests/test_pool.py compares a spawn run with a one-process run).
- A worker that dies (a parser crashing on a damaged file, the system killing it for memory)
  breaks every job the executor held. Each such job is run again in a process of its own, so only
  the job that kills its process fails, with ``WorkerCrashed`` (a Chinese message); the caller
  decides what that means (reading: that file is 失败 and the batch goes on).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .memory import release_freed

ENV_WORKERS = "FOURCARD_WORKERS"
ENV_START_METHOD = "FOURCARD_START_METHOD"
DEFAULT_START_METHOD = "spawn"


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_count() -> int:
    """``$FOURCARD_WORKERS`` (a whole number ≥ 1) or the number of usable cores."""
    raw = os.environ.get(ENV_WORKERS, "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            raise ValueError(f"环境变量 {ENV_WORKERS} 应为正整数（并行写出的进程数），收到 {raw!r}") from None
    return cpu_count()


def start_method() -> str:
    method = os.environ.get(ENV_START_METHOD, "").strip() or DEFAULT_START_METHOD
    if method not in multiprocessing.get_all_start_methods():
        raise ValueError(f"环境变量 {ENV_START_METHOD}={method!r} 在本系统不可用，"
                         f"可用：{'、'.join(multiprocessing.get_all_start_methods())}")
    return method


def parallel_enabled() -> bool:
    return worker_count() >= 2 and _main_importable()


def _main_importable() -> bool:
    """A spawned worker re-imports the caller's main module the way multiprocessing does: by
    module name when it has one (``python -m``, the console-script launchers on Windows), else by
    the script's path. A script read from stdin ("<stdin>") has neither, so such a caller runs its
    jobs inline."""
    import sys

    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    main_file = getattr(main, "__file__", None)
    return main_file is None or os.path.exists(main_file)


class WorkerCrashed(RuntimeError):
    """The job's worker process died twice: once in the shared pool, once alone. The caller says
    what the job was (reading a file: that file is 失败; writing: ``process`` stops)."""

    def __init__(self) -> None:
        super().__init__("处理进程意外退出（可能是电脑内存不足）")


def _job(func: Callable[..., Any], /, *args, **kwargs) -> Any:
    """A job as a worker runs it: then the memory it freed goes back to the system, so an idle
    worker holds only what it keeps (``memory.release_freed``)."""
    try:
        return func(*args, **kwargs)
    finally:
        release_freed()


def _run_alone(method: str, func: Callable[..., Any], args, kwargs) -> Any:
    """Run one job in a fresh worker process of its own; ``WorkerCrashed`` if that one dies too."""
    ex = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method))
    try:
        return ex.submit(_job, func, *args, **kwargs).result()
    except BrokenProcessPool:
        raise WorkerCrashed() from None
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


class _Retried:
    """A job of the shared executor (Future-like). If the executor breaks before the job is done
    (some worker died), its pool sorts the broken jobs (``Pool._rescue``): the few that may have
    been running when the worker died each run again in a process of their own, the others
    together on fresh shared workers, so the jobs that merely shared the executor with the culprit
    still succeed, in parallel. Its arguments are let go of once it succeeds."""

    def __init__(self, pool: Pool, future: Future, func: Callable[..., Any], args, kwargs) -> None:
        self._pool = pool
        self._call: tuple | None = (func, args, kwargs)
        self.resubmitted = False  # sent once more to fresh shared workers after a break
        self.alone = False  # to run in a process of its own
        self._finished_alone = False
        self._value: Any = None
        self._watch(future)

    def _watch(self, future: Future) -> None:
        self.future = future
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        if not future.cancelled() and not isinstance(future.exception(), BrokenProcessPool):
            self._call = None  # the frames it was sent are not kept alive by this object

    def broken(self) -> bool:
        """Its executor broke before it finished, and it has not been run again yet."""
        f = self.future
        return (self._call is not None and f.done() and not f.cancelled()
                and isinstance(f.exception(), BrokenProcessPool))

    def resubmit(self, executor: ProcessPoolExecutor) -> None:
        func, args, kwargs = self._call
        self.resubmitted = True
        self._watch(executor.submit(_job, func, *args, **kwargs))

    def result(self) -> Any:
        if self._finished_alone:
            return self._value
        if not self.alone:
            try:
                return self.future.result()
            except BrokenProcessPool:
                if self._call is None:
                    raise
                self._pool._rescue()  # sorts this job (and the others the break hit)
                if not self.alone:
                    return self.result()
        func, args, kwargs = self._call
        self._value = _run_alone(self._pool.method, func, args, kwargs)
        self._finished_alone, self._call = True, None
        return self._value

    def cancel(self) -> bool:
        return self.future.cancel()

    def done(self) -> bool:
        return self._finished_alone or self.future.done()


class _Deferred:
    """An inline job: runs in the caller when its result is first asked for (Future-like)."""

    def __init__(self, func: Callable[..., Any], args, kwargs) -> None:
        self._call = (func, args, kwargs)
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None

    def result(self) -> Any:
        if not self._done:
            self._done = True
            func, args, kwargs = self._call
            try:
                self._value = func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - re-raised to every caller of result()
                self._error = exc
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> bool:
        """Never run it (the caller is handling an error)."""
        if self._done:
            return False
        self._done = True
        self._error = RuntimeError("未运行")
        return True

    def done(self) -> bool:
        return self._done


_SHARED: dict[tuple[int, str], ProcessPoolExecutor] = {}


def _executor(workers: int, method: str) -> ProcessPoolExecutor:
    """One executor per (workers, start method), kept for the life of this process: the workers
    are spawned (and import pandas and the writers) once, not for every run or stage."""
    key = (workers, method)
    ex = _SHARED.get(key)
    if ex is None or getattr(ex, "_broken", False) or getattr(ex, "_shutdown_thread", False):
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
        _SHARED[key] = ex
    return ex


def _warm() -> None:
    """A new worker's first job: import what the writing jobs use, while the caller is busy."""
    from . import pipeline  # noqa: F401 - pandas, the readers and writers
    from .write import township  # noqa: F401


def recycle_workers() -> None:
    """Replace the shared workers of this process's settings (``FOURCARD_WORKERS``, start method)
    with fresh ones, started now and importing the writers while the caller goes on. Reading a
    large sheet leaves a worker holding hundreds of MB it no longer needs (Python keeps freed
    memory); the writing jobs then start from a small process. A ``Pool`` made before goes on
    with the fresh workers."""
    workers, method = worker_count(), start_method()
    old = _SHARED.pop((workers, method), None)
    if old is None:
        return
    old.shutdown(wait=False, cancel_futures=False)
    fresh = _executor(workers, method)
    for _ in range(workers):
        fresh.submit(_warm)


@atexit.register
def shutdown_workers() -> None:
    """Stop the shared workers (at exit; also callable, e.g. by a long-running server)."""
    while _SHARED:
        _, ex = _SHARED.popitem()
        ex.shutdown(wait=True, cancel_futures=True)


class Pool:
    """``submit(func, *args, **kwargs)`` → an object with ``result()``. Use as a context manager:
    on leaving, this pool's jobs are waited for; after an error its pending jobs are cancelled and
    running ones waited for, so no worker is left writing a file behind the caller's back. The
    worker processes themselves are shared by every ``Pool`` with the same settings."""

    def __init__(self, workers: int | None = None, method: str | None = None) -> None:
        self.workers = worker_count() if workers is None else max(1, int(workers))
        self.method = method or start_method()
        parallel = self.workers >= 2 and (self.method == "fork" or _main_importable())
        self._executor = _executor(self.workers, self.method) if parallel else None
        self._jobs: list = []

    @property
    def parallel(self) -> bool:
        return self._executor is not None

    def submit(self, func: Callable[..., Any], *args, **kwargs):
        job: _Retried | _Deferred
        if self._executor is None:
            job = _Deferred(func, args, kwargs)
        else:
            # the shared executor now (a fresh one after a worker died or the workers were recycled)
            self._executor = _executor(self.workers, self.method)
            try:
                future = self._executor.submit(_job, func, *args, **kwargs)
            except BrokenProcessPool:  # broke between the lookup and the submit
                self._executor = _executor(self.workers, self.method)
                future = self._executor.submit(_job, func, *args, **kwargs)
            job = _Retried(self, future, func, args, kwargs)
        # finished jobs are let go of: their results (a CSV chunk's text…) live only as long as
        # the caller keeps the job, not until the pool closes (broken ones are kept for _rescue)
        self._jobs = [j for j in self._jobs if not (isinstance(j, _Retried) and j.done() and not j.broken())]
        self._jobs.append(job)
        return job

    def _rescue(self) -> None:
        """After a worker died: this pool's broken jobs, in submission order. The executor runs
        jobs in that order, so the ones that may have been running (the culprit among them) are
        the first ``workers`` not yet run again: each of those runs alone. The others never
        started: they go together to fresh shared workers. A job that breaks a second time runs
        alone."""
        broken = [j for j in self._jobs if isinstance(j, _Retried) and j.broken() and not j.alone]
        first = [j for j in broken if not j.resubmitted]
        for j in first[:self.workers] + [j for j in broken if j.resubmitted]:
            j.alone = True
        rest = first[self.workers:]
        if rest:
            self._executor = _executor(self.workers, self.method)
            for j in rest:
                j.resubmit(self._executor)

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            for job in self._jobs:
                job.cancel()
        running = [j.future for j in self._jobs if isinstance(j, _Retried)]
        if running:
            wait(running)
        self._jobs = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)


def inline() -> Pool:
    """A pool that runs every job in the caller (what ``FOURCARD_WORKERS=1`` gives)."""
    return Pool(workers=1)


class Job:
    """One job started by ``start``: call it for the result (waits; raises the job's exception)."""

    def __init__(self, pool: Pool, future) -> None:
        self._pool, self._future = pool, future

    def __call__(self) -> Any:
        try:
            return self._future.result()
        finally:
            self._pool.close()

    def finish_quietly(self) -> None:
        """Wait for the job without raising; a job without a worker is not run."""
        self._pool.close(cancel=True)


def start(func: Callable[..., Any], *args, **kwargs) -> Job:
    """Run one job in a worker of its own (inline with ``FOURCARD_WORKERS=1``)."""
    pool = Pool(workers=min(worker_count(), 2))  # spawned on demand: one job starts one worker
    return Job(pool, pool.submit(func, *args, **kwargs))


__all__ = ["DEFAULT_START_METHOD", "ENV_START_METHOD", "ENV_WORKERS", "Job", "Pool", "WorkerCrashed",
           "cpu_count", "inline", "parallel_enabled", "recycle_workers", "shutdown_workers", "start",
           "start_method", "worker_count"]
