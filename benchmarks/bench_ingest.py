"""Benchmark: the read and validate stages' own work, in CPU time, against the parser in the same run.

Usage:
    python benchmarks/bench_ingest.py [--batch DIR] [--repeat 3] [--json out.json]

Every input file of a batch (default: the scale-1 batch ``bench_process.py`` generates,
``benchmarks/_batch_s1``) is parsed once with python-calamine (``read.load_sheets``: the parser
floor, timed). Then, ``--repeat`` times on fresh copies of the parsed sheets, in one process:
``read.sheet_to_table`` (header, merges, non-data rows, shared texts), ``members.build_members``
(typing, households, IDs) and ``validate.validate_members``. CPU time (``time.process_time``), not
wall time: the machine is shared and the stages are single-threaded; the fastest run is reported.

Figure of merit: (parse + sheet_to_table) / parse, the reader's cost over python-calamine alone
(issue 15: ≤ 1.5×). To compare two versions of the code, run this script with ``PYTHONPATH``
pointing at an exported copy of the other version's ``src`` (same batch, same minute).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse_all(batch: Path) -> tuple[list, float, int]:
    """(file, sheets) of every readable input file, the parser's CPU time, and the bytes read."""
    from fourcard_excel.ingest import read
    from fourcard_excel.ingest.discover import find_inputs, fingerprint, sniff
    from fourcard_excel.issues import IssueLog

    _, files = find_inputs(batch)
    parsed, cpu, size = [], 0.0, 0
    for f in files:
        if f.status == "已跳过":
            continue
        data = fingerprint(f)
        sniff(f, data)
        if f.status == "失败" or (f.fmt == "txt" and not read.text_table_like(data)):
            continue
        size += len(data)
        t = time.process_time()
        sheets = read.load_sheets(f, data, IssueLog())
        cpu += time.process_time() - t
        parsed.append((f.rel, sheets))
    return parsed, cpu, size


def stages(parsed: list) -> dict[str, float]:
    """CPU seconds of sheet_to_table, build_members and validate_members on one copy of the sheets."""
    from fourcard_excel.ingest import read
    from fourcard_excel.ingest.members import build_members
    from fourcard_excel.ingest.validate import validate_members
    from fourcard_excel.issues import IssueLog
    from fourcard_excel.rules.facts import read_columns
    from fourcard_excel.rules.ruleset import load_rules

    rules = load_rules()
    log = IssueLog()
    out = {}
    t = time.process_time()
    tables = [table for rel, sheets in parsed for sheet in sheets
              if (table := read.sheet_to_table(sheet, rel, log)) is not None]
    out["sheet_to_table"] = time.process_time() - t
    t = time.process_time()
    members, headers = build_members(tables, dt.date(2024, 3, 18), tuple(rules.card_names), log,
                                     read_columns(rules))
    out["build_members"] = time.process_time() - t
    t = time.process_time()
    validate_members(members, log, headers)
    out["validate_members"] = time.process_time() - t
    out["member_rows"] = len(members)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="fourcard-excel 读取与校验阶段 CPU 时间（对照 calamine 解析）")
    ap.add_argument("--batch", type=Path, default=ROOT / "benchmarks" / "_batch_s1",
                    help="输入批次目录（默认 bench_process.py 生成的 scale-1 批次）")
    ap.add_argument("--repeat", type=int, default=3, help="各阶段运行次数（取最快一次）")
    ap.add_argument("--json", type=Path, help="结果 JSON 文件")
    args = ap.parse_args()
    if not args.batch.is_dir():
        sys.exit(f"批次目录不存在：{args.batch}（先运行 benchmarks/bench_process.py 生成，或用 --batch 指定）")

    import pandera.pandas  # noqa: F401  (its first validation imports its backends: not our cost)

    parsed, parse_cpu, size = parse_all(args.batch)
    runs = [stages(copy.deepcopy(parsed)) for _ in range(args.repeat)]
    best = {k: min(r[k] for r in runs) for k in ("sheet_to_table", "build_members", "validate_members")}
    rows = runs[0]["member_rows"]
    result = {"batch": str(args.batch), "input_bytes": size, "member_rows": rows, "repeat": args.repeat,
              "machine": platform.platform(), "started": dt.datetime.now(dt.timezone.utc).isoformat(),
              "parse_cpu": parse_cpu, **best,
              "reader_over_parser": (parse_cpu + best["sheet_to_table"]) / parse_cpu}
    print(f"批次 / batch: {args.batch}  成员行 member rows {rows:,}，输入 {size / 1e6:.1f} MB")
    print(f"{'阶段 / stage (CPU)':32s} {'秒 / s':>8s} {'行/秒 / rows/s':>16s}")
    for key, label in (("parse", "calamine 解析 / parse (floor)"), ("sheet_to_table", "sheet_to_table"),
                       ("build_members", "build_members"), ("validate_members", "validate_members")):
        cpu = parse_cpu if key == "parse" else best[key]
        print(f"{label:32s} {cpu:8.2f} {rows / cpu:16,.0f}")
    print(f"读取 / parser = (parse + sheet_to_table) / parse: {result['reader_over_parser']:.2f}×")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
