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


def _die(code):
    os._exit(code)  # what a parser crash or the system's out-of-memory killer looks like


def _slow_square(x):
    import time

    time.sleep(0.2)
    return x * x


def _slow_pid_square(x):
    import time

    time.sleep(0.2)
    return os.getpid(), x * x


def test_a_dying_worker_fails_only_its_own_job(monkeypatch):
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    with background.Pool() as pool:
        jobs = [pool.submit(_slow_pid_square, i) for i in range(3)]
        doomed = pool.submit(_die, 7)
        jobs += [pool.submit(_slow_pid_square, i) for i in range(3, 10)]
        with pytest.raises(background.WorkerCrashed, match="处理进程意外退出"):
            doomed.result()
        # the jobs that shared the broken workers are run again and succeed
        results = [j.result() for j in jobs]
        assert [r[1] for r in results] == [i * i for i in range(10)]
        # those that had not started when the worker died ran together on the 2 fresh workers,
        # not each in a process of its own
        assert len({pid for pid, _ in results[4:]}) <= 2
        # and the pool goes on with fresh workers
        assert pool.submit(_pid_and_square, 9).result()[1] == 81


def _read_or_crash(f):
    """``pipeline.read_one`` except on a file named like 崩溃*, where the worker dies."""
    from fourcard_excel import pipeline

    if "崩溃" in f.rel:
        os._exit(9)
    return pipeline.read_one(f)


def test_a_file_that_kills_its_reader_is_failed_and_the_batch_goes_on(tmp_path, monkeypatch):
    import datetime as dt

    from fourcard_excel import pipeline
    from rosters import write_member_roster

    batch = tmp_path / "in"
    batch.mkdir()
    write_member_roster(batch / "白沙镇.xlsx", "白沙镇")
    write_member_roster(batch / "清水乡.xlsx", "清水乡")
    write_member_roster(batch / "崩溃的花名册.xlsx", "石门乡")
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    monkeypatch.setattr(pipeline, "read_one", _read_or_crash)
    result = process(batch, tmp_path / "out", as_of=dt.date(2024, 3, 18), seed=1, use_db=False)

    files = result.files.set_index("文件")
    assert files.loc["崩溃的花名册.xlsx", "状态"] == "失败"
    assert "处理进程意外退出" in files.loc["崩溃的花名册.xlsx", "原因"]
    assert set(files.loc[["白沙镇.xlsx", "清水乡.xlsx"], "状态"]) == {"已处理"}
    assert set(result.households["township"]) == {"白沙镇", "清水乡"}
    f005 = result.issues[result.issues["代码"] == "F005"]
    assert list(f005["文件"]) == ["崩溃的花名册.xlsx"]
    assert (tmp_path / "out" / "乡镇结果" / "白沙镇.xlsx").is_file()


def _die_writing(town, households, issues, rules, path, **kwargs):
    """Dies half-way through writing its book, as a worker the system kills would."""
    from fourcard_excel.write.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(b"PK half a workbook")
        os._exit(9)


def test_a_writer_that_dies_twice_stops_with_a_chinese_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fourcard_excel.cli import main
    from fourcard_excel.write import township
    from rosters import write_member_roster

    batch = tmp_path / "in"
    batch.mkdir()
    write_member_roster(batch / "白沙镇.xlsx", "白沙镇")
    write_member_roster(batch / "清水乡.xlsx", "清水乡")
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    monkeypatch.setattr(township, "write_township_book", _die_writing)
    mine = tmp_path / "out" / ".我的草稿.tmp"  # a user's own hidden file, older than the run
    mine.parent.mkdir()
    mine.write_text("草稿", encoding="utf-8")
    os.utime(mine, (mine.stat().st_atime - 3600, mine.stat().st_mtime - 3600))
    res = CliRunner().invoke(main, ["process", str(batch), "-o", str(tmp_path / "out"), "--no-db",
                                    "--as-of", "2024-03-18"])
    assert res.exit_code == 1, res.output
    assert "错误：写出结果时处理进程意外退出" in res.output
    assert "FOURCARD_WORKERS=1" in res.output
    # the killed workers' half-written temporary files are gone; a user's own hidden file stays
    out = tmp_path / "out"
    assert [p.name for p in out.rglob("*.tmp")] == [".我的草稿.tmp"]
    assert not (out / "乡镇结果" / "白沙镇.xlsx").exists()


def test_a_pool_goes_on_after_the_workers_are_recycled(monkeypatch):
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    with background.Pool() as pool:
        first = pool.submit(_pid_and_square, 2).result()
        background.recycle_workers()
        second = pool.submit(_pid_and_square, 3).result()
    assert (first[1], second[1]) == (4, 9)
    assert first[0] != os.getpid() and second[0] != os.getpid()


def test_a_usage_error_in_the_checks_writes_nothing(tmp_path, monkeypatch):
    """The notices start in the workers while the checks run: a bad [measures] section or bad
    spot-check options must still stop the run before any file is written."""
    from click.testing import CliRunner

    from fourcard_excel.cli import main
    from fourcard_excel.rules.ruleset import load_rules
    from rosters import write_member_roster

    batch = tmp_path / "in"
    batch.mkdir()
    write_member_roster(batch / "白沙镇.xlsx", "白沙镇")
    write_member_roster(batch / "清水乡.xlsx", "清水乡")
    rules = tmp_path / "规则.toml"
    rules.write_text(load_rules().text.replace("dividend_rate_min = 0.15", "dividend_rate_min = -1"),
                     encoding="utf-8")
    monkeypatch.setenv(background.ENV_WORKERS, "2")
    for args, message in ((["--rules", str(rules)], "dividend_rate_min"), (["--team-size", "1"], "至少2人")):
        out = tmp_path / ("out" + args[0])
        res = CliRunner().invoke(main, ["process", str(batch), "-o", str(out), "--no-db", "--as-of", "2024-03-18",
                                        *args])
        assert res.exit_code == 2, res.output
        assert message in res.output
        assert not out.exists() or not any(p.is_file() for p in out.rglob("*")), sorted(out.rglob("*"))


def test_a_fresh_worker_does_not_import_the_validation_library():
    """A spawned worker imports what its jobs need (``background._warm``), not pandera: each of the
    four workers a run starts would pay ~0.2 s for it, and only the main process validates."""
    import subprocess
    import sys

    code = ("import sys; from fourcard_excel import background; background._warm(); "
            "from fourcard_excel.documents import notice; from fourcard_excel.checks import measures, spotcheck; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandera'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
