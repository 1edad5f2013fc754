"""Benchmark: ``process`` on a county-scale batch, per stage, against an I/O floor.

Usage:
    python benchmarks/bench_process.py                 # 20 townships, ~200k member rows
    python benchmarks/bench_process.py --scale 0.05    # quick run (~10k rows)
    python benchmarks/bench_process.py --scale 5       # 1M-row stress run
    options: --out DIR (batch folder, cached), --json FILE, --repeat N, --skip-floor,
             --cores 1,2 (also run pinned to 1 and to 2 cores, Linux: how the run scales)

The batch is the sample county generator (scripts/make_sample_data.py) with 20 townships and
``scale × 9`` households per sample unit, i.e. about ``scale × 200,000`` member rows in every layout
the sample has (merged headers, household-level, GBK CSV, .xls, numeric IDs, money as text...).
It is generated once per (scale, seed) under benchmarks/_batch_s<scale>/ (git-ignored) and reused.

Measured in the same run, each in a fresh subprocess (peak RSS = the child's ru_maxrss):

- process: ``pipeline.process(batch, out, use_db=False)`` with ``result.timings`` per stage
  (read, validate, classify, checks, write_checks, write, total);
- floor: every roster file read into DataFrames with the fastest reader available (fastexcel if it
  and pyarrow are importable, else python-calamine; CSV with pandas), plus one workbook written with
  plain xlsxwriter (constant_memory, no formats) holding as many rows and cells as process wrote to
  all its .xlsx outputs. Nothing else: no header search, typing, checks, styles or CSV.
  The same rows are also written in xlsxwriter's in_memory mode (shared strings; what the writers
  use, 1.5x faster than constant_memory): reported as a second, stricter floor. And once more with
  rvgsrust-xlsxwriter (the writer ``process`` now uses): the new floor = read + Rust write.

Prints seconds and rows/s per stage, the ratio process/floor (wall and CPU), and writes JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 2024
AS_OF = dt.date(2024, 3, 18)
TOWNSHIPS = 20
GEN_PER_SCALE = 9.0  # generator scale per benchmark scale 1.0 (≈ 10,000 member rows per township)
INPUT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


# ---------------------------------------------------------------- batch


def batch_dir(scale: float) -> Path:
    return HERE / f"_batch_s{scale:g}"


def ensure_batch(out: Path, scale: float) -> dict:
    """Generate the batch unless ``out`` already holds one for this scale and seed."""
    key_file = out / "预期结果.json"
    if key_file.exists():
        head = json.loads(key_file.read_text(encoding="utf-8"))
        if head.get("seed") == SEED and abs(float(head.get("scale", -1)) - scale * GEN_PER_SCALE) < 1e-9:
            return {"generated": False, "seconds": 0.0, "households": head["totals"]["households"],
                    "members": head["totals"]["members"]}
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_sample_data import generate

    t0 = time.perf_counter()
    print(f"生成测试批次 / generating batch: {out} (scale {scale:g}) ...", flush=True)
    key = generate(out, seed=SEED, scale=scale * GEN_PER_SCALE, n_townships=TOWNSHIPS)
    seconds = time.perf_counter() - t0
    return {"generated": True, "seconds": round(seconds, 1), "households": key["totals"]["households"],
            "members": key["totals"]["members"]}


def roster_files(batch: Path) -> list[Path]:
    """The input files process reads (lock files ~$ and hidden files excluded)."""
    return sorted(p for p in batch.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                  and not p.name.startswith(("~$", ".")))


# ---------------------------------------------------------------- children (run in subprocesses)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return 0.0


def _children_rss_mb() -> float:
    """RSS of this process's child processes (the spawned workers) right now, summed (Linux)."""
    total = 0.0
    try:
        kids = set()
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as fh:
                kids.update(fh.read().split())
    except OSError:
        return 0.0
    for pid in kids:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
        except OSError:
            pass
    return total


def _stage_peaks(samples: list[tuple[float, float]], timings: dict) -> dict:
    """Highest sampled RSS of this process within each stage (stages run in this order)."""
    peaks, start = {}, 0.0
    for stage in ("read", "validate", "classify", "checks", "write_checks", "write"):
        end = start + float(timings.get(stage, 0.0))
        if stage == "checks":  # side tables between classify and checks are not timed
            end = max(end, float(timings.get("total", 0)) - float(timings.get("write", 0))
                      - float(timings.get("write_checks", 0)))
        inside = [rss for t, rss in samples if start <= t <= end]
        peaks[stage] = round(max(inside), 1) if inside else None
        start = end
    return peaks


def pin_cores(cores: int) -> None:
    """Run this process, and the workers it spawns (they inherit the mask), on the first ``cores``
    usable CPUs, with as many workers (Linux: ``sched_setaffinity``)."""
    usable = sorted(os.sched_getaffinity(0))
    if cores > len(usable):
        raise SystemExit(f"--cores {cores}: this machine has {len(usable)} usable cores")
    os.sched_setaffinity(0, set(usable[:cores]))
    os.environ["FOURCARD_WORKERS"] = str(cores)


def child_process(batch: str, out: str, cores: int = 0) -> dict:
    import threading

    if cores:
        pin_cores(cores)
    from fourcard_excel import pipeline

    samples: list[tuple[float, float]] = []
    totals: list[float] = []  # this process + its workers, at the same instant
    stop = threading.Event()
    c0, t0 = _cpu(), time.perf_counter()

    def sample() -> None:  # RSS of this process every 50 ms, to find the stage that peaks
        while not stop.wait(0.05):
            own = _current_rss_mb()
            samples.append((time.perf_counter() - t0, own))
            totals.append(own + _children_rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = pipeline.process(batch, out, as_of=AS_OF, seed=SEED, use_db=False, command="bench")
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    from fourcard_excel import background

    background.shutdown_workers()  # reaped now, so their CPU time and peak RSS are counted below
    stop.set()
    sampler.join()
    return {"timings": {k: round(float(v), 3) for k, v in result.timings.items()},
            "wall": round(wall, 3), "cpu": round(cpu, 3), "peak_rss_mb": round(_rss_mb(), 1),
            # the largest worker; a spawned worker is forked then exec'd, so this can include the
            # parent's pages at the fork instant (then it equals the parent's peak)
            "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "worker_cpu": round(os.times().children_user + os.times().children_system, 3),
            "peak_rss_by_stage_mb": _stage_peaks(samples, result.timings),
            # what the machine must hold: this process and all its workers, sampled together
            "peak_total_rss_mb": round(max(totals, default=0.0), 1),
            "member_rows": int(len(result.members)), "households": int(len(result.households)),
            "issues": int(len(result.issues))}


def _fast_reader():
    try:
        import fastexcel  # noqa: F401
        import pyarrow  # noqa: F401  (fastexcel → pandas goes through Arrow)
        return "fastexcel"
    except ImportError:
        return "python-calamine"


def _read_all(files: list[str], reader: str):
    import io

    import pandas as pd
    import python_calamine as calamine

    frames = []
    for name in files:
        path = Path(name)
        if path.suffix.lower() == ".csv":
            data = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = data.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                continue
            frames.append(pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False))
            continue
        if reader == "fastexcel" and path.suffix.lower() != ".xls":
            try:
                import fastexcel

                book = fastexcel.read_excel(str(path))
                loaded = [book.load_sheet(sheet, header_row=None, dtypes="string").to_pandas()
                          for sheet in book.sheet_names]
                frames.extend(loaded)
                continue
            except Exception:  # noqa: BLE001 - read this file with calamine below
                pass
        try:
            wb = calamine.CalamineWorkbook.from_path(str(path))
            for sheet in wb.sheet_names:
                rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                frames.append(pd.DataFrame(rows, dtype=object))
        except Exception:  # the batch holds a deliberately broken file
            continue
    return frames


def child_floor(files_json: str, out: str, rows: int, cells: int) -> dict:
    import xlsxwriter

    files = json.loads(files_json)
    reader = _fast_reader()
    c0, t0 = _cpu(), time.perf_counter()
    frames = _read_all(files, reader)
    t1 = time.perf_counter()
    read_rows = sum(len(f) for f in frames)

    # the write: ``rows`` rows with ``cells`` cells in all, values taken from the input rows in order
    # (real strings: as many distinct values as the rosters have, which matters for shared strings)
    width = max(1, round(cells / max(rows, 1)))
    sample: list[list] = []
    for f in frames:
        if len(sample) >= rows:
            break
        if f.shape[1] >= width:
            sample += f.iloc[: rows - len(sample), :width].to_numpy(dtype=object).tolist()
    sample = [[v if isinstance(v, (int, float)) and not isinstance(v, bool) else ("" if v is None else str(v))
               for v in r] for r in sample] or [["样例"] * width]

    def write(mode: str) -> tuple[float, int]:
        t = time.perf_counter()
        if mode == "rust":  # the new writer (write/rustbook.py), per cell, no formats
            import rvgsrust_xlsxwriter as rx

            wb = rx.Workbook()
            written, k, ws = 0, len(sample), None
            while written < rows:
                if written % 1_000_000 == 0:
                    ws = wb.add_worksheet()
                    w = ws.write
                r = written % 1_000_000
                for c, v in enumerate(sample[written % k]):
                    w(r, c, v)
                written += 1
            wb.close(out)
            return time.perf_counter() - t, written
        opts = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        opts["constant_memory" if mode == "constant_memory" else "in_memory"] = True
        wb = xlsxwriter.Workbook(out, opts)
        per_sheet = 1_000_000
        written, k, ws = 0, len(sample), None
        while written < rows:
            if written % per_sheet == 0:
                ws = wb.add_worksheet()
            r = written % per_sheet
            for c, v in enumerate(sample[written % k]):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
            written += 1
        wb.close()
        return time.perf_counter() - t, written

    write_s, written = write("constant_memory")  # the floor as defined (issue 9)
    cpu = _cpu() - c0
    wall = time.perf_counter() - t0
    write_mem_s, _ = write("in_memory")  # xlsxwriter's faster mode (what the writers used)
    write_rust_s, _ = write("rust")  # the writer process now uses: the new floor
    return {"write_rust": round(write_rust_s, 3), "wall_rust": round(t1 - t0 + write_rust_s, 3),
            "reader": reader, "read": round(t1 - t0, 3), "write": round(write_s, 3), "wall": round(wall, 3),
            "cpu": round(cpu, 3), "write_in_memory": round(write_mem_s, 3),
            "wall_in_memory": round(t1 - t0 + write_mem_s, 3), "read_rows": read_rows,
            "written_rows": written, "written_cells": written * width, "peak_rss_mb": round(_rss_mb(), 1)}


def _run_child(args: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child failed: {' '.join(args[:1])}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- measuring outputs

_DIM = re.compile(rb'<dimension ref="[A-Z]+(\d+)(?::([A-Z]+)(\d+))?"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def xlsx_output_size(out: Path) -> dict:
    """Rows and cells (bounding boxes) written to every .xlsx under ``out`` (from <dimension>)."""
    rows = cells = books = sheets = 0
    for path in out.rglob("*.xlsx"):
        books += 1
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not (name.startswith("xl/worksheets/sheet") and name.endswith(".xml")):
                    continue
                with z.open(name) as fh:
                    head = fh.read(4096)
                m = _DIM.search(head)
                sheets += 1
                if not m or not m.group(2):
                    continue
                n_rows = int(m.group(3))
                rows += n_rows
                cells += n_rows * _col_number(m.group(2))
    csv_rows = 0
    csv_bytes = 0
    for path in out.rglob("*.csv"):
        csv_bytes += path.stat().st_size
        with open(path, "rb") as fh:
            csv_rows += sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))
    return {"workbooks": books, "sheets": sheets, "rows": rows, "cells": cells, "csv_files": len(list(
        out.rglob("*.csv"))), "csv_rows": csv_rows, "csv_bytes": csv_bytes}


# ---------------------------------------------------------------- report


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        info["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    import pandas
    import python_calamine
    import xlsxwriter

    from importlib.metadata import version

    info["versions"] = {"pandas": pandas.__version__, "xlsxwriter": xlsxwriter.__version__,
                        "rvgsrust-xlsxwriter": version("rvgsrust-xlsxwriter"),
                        "python-calamine": getattr(python_calamine, "__version__", "?")}
    return info


def scaling(by_cores: dict[int, dict]) -> dict | None:
    """Amdahl's law fitted to the runs on 1 core and on the most cores measured: the serial share
    ``s`` solves ``T(n) = T(1) * (s + (1 - s) / n)``; with it, the time on 4 and 8 cores is
    *estimated* (an extrapolation, not a measurement: spawning and pickling cost more with more
    workers, and the main process's serial work bounds the time whatever the cores)."""
    if 1 not in by_cores or len(by_cores) < 2:
        return None
    n = max(by_cores)
    t1, tn = by_cores[1]["wall"], by_cores[n]["wall"]
    serial = min(1.0, max(0.0, (tn / t1 - 1 / n) / (1 - 1 / n)))
    return {"measured_cores": n, "serial_share": round(serial, 3),
            "estimated_wall": {k: round(t1 * (serial + (1 - serial) / k), 2) for k in (4, 8)},
            "limit_wall": round(t1 * serial, 2)}


def rate(n: float, s: float) -> str:
    return f"{n / s:,.0f}" if s > 0 else "-"


def report(res: dict) -> str:
    p, f, out = res["process"], res.get("floor"), res["outputs"]
    t = p["timings"]
    rows_in, hh = p["member_rows"], p["households"]
    lines = [f"批次 / batch: {res['batch']}  成员行 member rows {rows_in:,}，户 households {hh:,}，"
             f"输出 xlsx {out['workbooks']} 个 / {out['rows']:,} 行，CSV {out['csv_rows']:,} 行",
             "", f"{'阶段 / stage':<26}{'秒 / s':>10}{'行/秒 / rows/s':>18}  rows counted",
             "-" * 72]
    stages = [("读取 / read", t.get("read", 0), rows_in, "input rows"),
              ("校验 / validate", t.get("validate", 0), rows_in, "input rows"),
              ("分类 / classify", t.get("classify", 0), hh, "households"),
              ("检查 / checks", t.get("checks", 0), hh, "households"),
              ("检查输出 / write_checks", t.get("write_checks", 0), hh, "households"),
              ("写出 / write", t.get("write", 0), out["rows"], "xlsx rows (all books)"),
              ("合计 / total", t.get("total", 0), rows_in, "input rows")]
    for name, s, n, what in stages:
        lines.append(f"{name:<26}{s:>10.2f}{rate(n, s):>18}  {what}")
    lines.append(f"{'峰值内存 / peak RSS':<26}{p['peak_rss_mb']:>10.0f} MB"
                 + (f"  (+ worker {p['worker_peak_rss_mb']:.0f} MB)" if p.get("worker_peak_rss_mb") else ""))
    if p.get("peak_total_rss_mb"):
        lines.append(f"{'峰值内存（含工作进程）/ peak RSS, all processes':<26}{p['peak_total_rss_mb']:>10.0f} MB"
                     "  (sampled every 50 ms, main + workers at the same instant)")
    if p.get("peak_rss_by_stage_mb"):
        lines.append("峰值内存按阶段 / peak RSS by stage (MB): " + ", ".join(
            f"{k} {v:.0f}" for k, v in p["peak_rss_by_stage_mb"].items() if v is not None))
    lines.append(f"{'CPU 时间 / CPU time':<26}{p['cpu'] + p.get('worker_cpu', 0):>10.2f} s"
                 + (f"  (worker {p['worker_cpu']:.2f} s)" if p.get("worker_cpu") else ""))
    if f:
        lines += ["", f"下限 / floor (reader: {f['reader']} + xlsxwriter constant_memory, no formats)",
                  f"{'读取 / read':<26}{f['read']:>10.2f}{rate(f['read_rows'], f['read']):>18}  input sheet rows",
                  f"{'写出 / write':<26}{f['write']:>10.2f}{rate(f['written_rows'], f['write']):>18}  "
                  f"rows ({f['written_cells']:,} cells)",
                  f"{'合计 / total':<26}{f['wall']:>10.2f}{'':>18}  CPU {f['cpu']:.2f} s, peak {f['peak_rss_mb']:.0f} MB",
                  f"{'写出（内存模式）/ write in_memory':<26}{f['write_in_memory']:>10.2f}"
                  f"{rate(f['written_rows'], f['write_in_memory']):>18}  same rows, xlsxwriter in_memory",
                  f"{'写出（Rust）/ write rust':<26}{f['write_rust']:>10.2f}"
                  f"{rate(f['written_rows'], f['write_rust']):>18}  same rows, rvgsrust-xlsxwriter",
                  f"{'新下限 / new floor':<26}{f['wall_rust']:>10.2f}{'':>18}  read + Rust write",
                  "", f"process / xlsxwriter floor = {res['ratio_wall']:.2f}× (wall), {res['ratio_cpu']:.2f}× (CPU); "
                  f"vs the in_memory floor {res['ratio_wall_in_memory']:.2f}× (wall); "
                  f"vs the new floor (read + Rust write) {res['ratio_wall_rust']:.2f}× (wall)",
                  *cores_report(res),
                  f"load average at start {res['machine'].get('loadavg_start')}, "
                  f"at end {res['machine'].get('loadavg_end')}; workers {res.get('workers')}"]
    if not f:
        lines += cores_report(res)
    return "\n".join(lines)


def cores_report(res: dict) -> list[str]:
    """The runs pinned to N cores (``--cores``) and the Amdahl estimate, against the floor if measured."""
    by = res.get("by_cores")
    if not by:
        return []
    floor = (res.get("floor") or {}).get("wall")
    vs = (lambda w: f"  = {w / floor:.2f}× floor") if floor else (lambda w: "")
    lines = ["", "按核数 / pinned to N cores (N workers):"]
    for n, run in sorted(by.items(), key=lambda kv: int(kv[0])):
        lines.append(f"  {int(n)} 核 / cores: {run['wall']:.2f} s wall, CPU {run['cpu'] + run.get('worker_cpu', 0):.2f} s"
                     + vs(run["wall"]))
    sc = res.get("scaling")
    if sc:
        est = sc["estimated_wall"]
        lines.append(f"  Amdahl (1 vs {sc['measured_cores']} cores): serial share {sc['serial_share']:.2f}; "
                     f"ESTIMATED 4 cores {est[4]:.2f} s{vs(est[4])}, 8 cores {est[8]:.2f} s{vs(est[8])}, "
                     f"limit {sc['limit_wall']:.2f} s{vs(sc['limit_wall'])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child-process":
        print(json.dumps(child_process(argv[1], argv[2], int(argv[3]) if len(argv) > 3 else 0)))
        return 0
    if argv and argv[0] == "--child-floor":
        print(json.dumps(child_floor(argv[1], argv[2], int(argv[3]), int(argv[4]))))
        return 0
    ap = argparse.ArgumentParser(description="fourcard-excel process 性能基准（含 I/O 下限对照）")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="1.0 = 20 个乡镇 × 约 10,000 成员行（约 20 万行）；0.05 快速；5 约 100 万行")
    ap.add_argument("--out", type=Path, default=None, help="批次目录（缓存，默认 benchmarks/_batch_s<scale>）")
    ap.add_argument("--json", type=Path, default=None, help="结果 JSON 文件")
    ap.add_argument("--repeat", type=int, default=1, help="process 与下限各运行次数（取最快一次）")
    ap.add_argument("--skip-floor", action="store_true", help="不测下限")
    ap.add_argument("--keep-output", type=Path, default=None, help="保留 process 的输出到此目录")
    ap.add_argument("--cores", default="",
                    help="另外把 process 限定在前 N 个核上运行（N 个工作进程；仅 Linux），如 1,2：报告随核数的变化和"
                         "按 Amdahl 定律估算的更多核时的时间")
    a = ap.parse_args(argv)
    cores = [int(c) for c in a.cores.split(",") if c.strip()]
    if cores and not hasattr(os, "sched_setaffinity"):
        ap.error("--cores 需要 Linux（os.sched_setaffinity）")

    batch = (a.out or batch_dir(a.scale)).resolve()
    gen = ensure_batch(batch, a.scale)
    files = [str(p) for p in roster_files(batch)]
    res: dict = {"scale": a.scale, "seed": SEED, "as_of": AS_OF.isoformat(), "batch": str(batch),
                 "generation": gen, "input_files": len(files),
                 "input_bytes": sum(Path(p).stat().st_size for p in files), "machine": machine(),
                 "started": dt.datetime.now().isoformat(timespec="seconds")}

    work = Path(tempfile.mkdtemp(prefix="fourcard_bench_"))
    try:
        runs = []
        for i in range(a.repeat):
            out = work / f"out{i}"
            runs.append(_run_child(["--child-process", str(batch), str(out)]))
            if i == 0:
                res["outputs"] = xlsx_output_size(out)
                if a.keep_output:
                    shutil.rmtree(a.keep_output, ignore_errors=True)
                    shutil.copytree(out, a.keep_output)
            shutil.rmtree(out, ignore_errors=True)
        res["process"] = min(runs, key=lambda r: r["wall"])
        res["process_runs"] = runs
        if cores:
            res["by_cores"] = {}
            for n in cores:
                best = None
                for i in range(a.repeat):
                    out = work / f"cores{n}_{i}"
                    run = _run_child(["--child-process", str(batch), str(out), str(n)])
                    shutil.rmtree(out, ignore_errors=True)
                    best = run if best is None or run["wall"] < best["wall"] else best
                res["by_cores"][n] = best
            res["scaling"] = scaling(res["by_cores"])
        if not a.skip_floor:
            fl = []
            for _ in range(a.repeat):
                fl.append(_run_child(["--child-floor", json.dumps(files), str(work / "floor.xlsx"),
                                      str(res["outputs"]["rows"]), str(res["outputs"]["cells"])]))
            res["floor"] = min(fl, key=lambda r: r["wall"])
            res["floor_runs"] = fl
            res["ratio_wall"] = round(res["process"]["wall"] / res["floor"]["wall"], 2)
            res["ratio_cpu"] = round((res["process"]["cpu"] + res["process"].get("worker_cpu", 0))
                                     / res["floor"]["cpu"], 2)
            res["ratio_wall_in_memory"] = round(res["process"]["wall"] / res["floor"]["wall_in_memory"], 2)
            res["ratio_wall_rust"] = round(res["process"]["wall"] / res["floor"]["wall_rust"], 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    from fourcard_excel import background
    from fourcard_excel.write import styles

    res["workers"] = f"{background.worker_count()} ({background.start_method()}), writer {styles.writer_engine()}"
    print(report(res))
    if a.json:
        a.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nJSON: {a.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
