"""background.start: a job's result or exception comes back the same with or without a worker."""

import os

import pytest

from fourcard_excel import background


def _square(x):
    return x * x


def _fail(message):
    raise ValueError(message)


def _write(path):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("done")
    return os.getpid()


@pytest.fixture(params=["worker", "inline"])
def mode(request, monkeypatch):
    if request.param == "inline":
        monkeypatch.setenv(background.ENV_WORKERS, "1")
    else:
        monkeypatch.delenv(background.ENV_WORKERS, raising=False)
    return request.param


def test_result_comes_back(mode):
    job = background.start(_square, 7)
    assert job() == 49
    assert job() == 49  # idempotent


def test_exception_is_raised_in_the_caller(mode):
    job = background.start(_fail, "坏了")
    with pytest.raises(ValueError, match="坏了"):
        job()


def test_worker_writes_files(mode, tmp_path):
    target = tmp_path / "a.txt"
    pid = background.start(_write, target)()
    assert target.read_text(encoding="utf-8") == "done"
    if mode == "inline" or not background.parallel_enabled():
        assert pid == os.getpid()


def test_inline_job_not_run_when_abandoned(monkeypatch, tmp_path):
    monkeypatch.setenv(background.ENV_WORKERS, "1")
    target = tmp_path / "never.txt"
    job = background.start(_write, target)
    job.finish_quietly()
    assert not target.exists()
