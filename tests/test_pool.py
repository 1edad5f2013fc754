"""Parallel writing on every OS: a `process` run whose books are written by spawned workers gives
the same bytes as a run in one process; background.Pool behaves the same inline and spawned."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from fourcard_excel import background
from fourcard_excel.pipeline import process

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
AS_OF = json.loads((SAMPLE / "预期结果.json").read_text(encoding="utf-8"))["as_of"]


def tree(root: Path) -> dict[str, str]:
    """sha256 of every output but manifest.json (it holds the stage timings)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def _run(out: Path, monkeypatch, workers: str, method: str = "spawn") -> dict[str, str]:
    import datetime as dt

    monkeypatch.setenv(background.ENV_WORKERS, workers)
    monkeypatch.setenv(background.ENV_START_METHOD, method)
    process(SAMPLE, out, as_of=dt.date.fromisoformat(AS_OF), seed=2024, use_db=False)
    return tree(out)


def test_spawned_workers_write_the_same_bytes_as_one_process(tmp_path, monkeypatch):
    one = _run(tmp_path / "one", monkeypatch, "1")
    spawned = _run(tmp_path / "spawn", monkeypatch, "3", "spawn")
    books = [k for k in one if k.startswith("乡镇结果/")]
    assert len(books) >= 5 and "问题清单.xlsx" in one and "全县汇总.xlsx" in one
    assert spawned == one
    manifest = json.loads((tmp_path / "spawn" / "manifest.json").read_text(encoding="utf-8"))
    assert {o["file"] for o in manifest["outputs"]} == set(one)


def _pid_and_square(x):
    return os.getpid(), x * x


def _fail(message):
    raise ValueError(message)


def test_pool_spawns_workers_and_returns_in_submission_order(monkeypatch):
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    with background.Pool() as pool:
        assert pool.parallel and pool.method == "spawn"
        jobs = [pool.submit(_pid_and_square, i) for i in range(6)]
        results = [j.result() for j in jobs]
    assert [r[1] for r in results] == [i * i for i in range(6)]
    assert all(pid != os.getpid() for pid, _ in results)


def test_pool_inline_with_one_worker(monkeypatch):
    monkeypatch.setenv(background.ENV_WORKERS, "1")
    with background.Pool() as pool:
        assert not pool.parallel
        job = pool.submit(_pid_and_square, 3)
        assert job.result() == (os.getpid(), 9)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failing_job_raises_in_the_caller(monkeypatch, workers):
    monkeypatch.setenv(background.ENV_WORKERS, workers)
    with background.Pool() as pool:
        job = pool.submit(_fail, "乡镇簿写出失败")
        with pytest.raises(ValueError, match="乡镇簿写出失败"):
            job.result()


def test_bad_worker_count_is_explained(monkeypatch):
    monkeypatch.setenv(background.ENV_WORKERS, "两个")
    with pytest.raises(ValueError, match="FOURCARD_WORKERS"):
        background.worker_count()


def test_a_main_module_that_cannot_be_reimported_runs_jobs_inline(monkeypatch):
    import sys
    import types

    monkeypatch.setenv(background.ENV_WORKERS, "2")
    stdin_main = types.ModuleType("__main__")
    stdin_main.__file__ = "<stdin>"  # `python - < script`: a spawned worker could not import it
    monkeypatch.setitem(sys.modules, "__main__", stdin_main)
    with background.Pool() as pool:
        assert not pool.parallel
        assert pool.submit(_pid_and_square, 4).result() == (os.getpid(), 16)
    launcher = types.ModuleType("__main__")  # a Windows console-script launcher: imported by name
    launcher.__file__ = r"C:\\Python\\Scripts\\fourcard-excel.exe\\__main__.py"
    launcher.__spec__ = types.SimpleNamespace(name="__main__")
    monkeypatch.setitem(sys.modules, "__main__", launcher)
    assert background._main_importable()
