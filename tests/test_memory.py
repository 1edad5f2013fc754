"""Freed memory goes back to the system between stages (``memory.release_freed``) and after every
worker job (``background._job``). Measured in a fresh interpreter: a heap of ~200 MB of 2 KB
blocks (the size of a CSV line or a pickled cell run) of which every 200th stays alive, so the C
allocator cannot give the space back by itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fourcard_excel import memory

FRAGMENT = """
import sys
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
kept = []
def fragment():
    blocks = [bytes(2000) + str(i).encode() for i in range(100_000)]
    kept.extend(blocks[::200])
"""


def _run(code: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", FRAGMENT + code], capture_output=True, text=True, check=True)
    return [float(x) for x in out.stdout.split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap: Linux only")
def test_freed_blocks_are_given_back_to_the_system():
    before, freed, released, trimmed = _run(
        "from fourcard_excel import memory\n"
        "r0 = rss(); fragment(); r1 = rss(); t = memory.release_freed(); r2 = rss()\n"
        "print(r0, r1, r2, int(t))")
    assert trimmed == 1
    assert freed - before > 150  # the allocator kept the freed blocks
    assert released - before < 50  # given back: only the kept blocks remain


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap: Linux only")
def test_a_worker_job_gives_back_what_it_freed():
    plain, wrapped = _run(
        "from fourcard_excel import background\n"
        "r0 = rss(); fragment(); plain = rss() - r0\n"
        "kept.clear(); from fourcard_excel import memory; memory.release_freed()\n"
        "r0 = rss(); background._job(fragment); wrapped = rss() - r0\n"
        "print(plain, wrapped)")
    assert plain > 150 and wrapped < 50


def test_elsewhere_only_arrows_pool_is_released(monkeypatch):
    monkeypatch.setattr(memory.sys, "platform", "win32")
    memory._malloc_trim.cache_clear()
    try:
        assert memory.release_freed() is False
    finally:
        memory._malloc_trim.cache_clear()
