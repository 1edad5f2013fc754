"""Benchmark: reading a wide national export (180 columns) against the same rows with 30 columns.

Usage:
    python benchmarks/bench_wide.py [--rows 40000] [--repeat 3] [--json out.json]

Two workbooks with the same member rows are written once (xlsxwriter, constant_memory) into a temp
folder: one with the 30 roster columns the program reads, one with those 30 plus 150 irrelevant
columns filled as a monitoring export fills them (否/是/blank, small amounts, codes). Each is read
with ``pipeline.validate_inputs`` (file → raw table → typed members frame + validation, what a run
does before household facts) in a fresh subprocess, ``--repeat`` times; the median is reported.

Figure of merit: wide / narrow read time (target ≤ 1.3×). The irrelevant columns are carried to
members.csv as raw text, never coerced; the cells still have to be parsed from the sheet XML.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

NARROW = [
    "县", "乡", "村", "组", "户编号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "与户主关系", "户类型",
    "监测对象类别", "风险是否已消除", "致贫/返贫风险1", "致贫/返贫风险2", "在校生状况", "健康状况", "劳动技能",
    "当前家庭人口数", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "纯收入（元）",
    "人均纯收入（元）", "年收入（元）", "民族", "文化程度",
]
EXTRA = 150


def write(path: Path, rows: int, wide: bool, seed: int = 7) -> int:
    import xlsxwriter

    from fourcard_excel.ingest.ids import make_id

    r = random.Random(seed)
    headers = list(NARROW) + ([f"帮扶措施{i:03d}" if i % 3 else f"收入明细{i:03d}" for i in range(EXTRA)] if wide else [])
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("监测对象信息")
    ws.write_string(0, 0, "（自定义）监测对象信息")
    ws.write_string(1, 0, "导出时间：2024-03-15 10:22:31")
    for c, h in enumerate(headers):
        ws.write_string(2, c, h)
    row = 3
    hh = 0
    while row - 3 < rows:
        hh += 1
        size = r.choice((1, 2, 3, 4, 5))
        htype = r.choice(("脱贫户", "普通农户"))
        mclass = r.choice(("", "", "脱贫不稳定户", "边缘易致贫户"))
        incomes = [r.randint(0, 30000), r.randint(0, 5000), r.choice((0, 0, 800)), r.randint(0, 6000),
                   r.randint(0, 1000)]
        net = sum(incomes[:4]) - incomes[4]
        for n in range(size):
            birth = f"{r.randint(1940, 2015)}0{r.randint(1, 9)}1{r.randint(0, 9)}"
            female = n == 1
            pid = make_id("431299", birth, (hh * 7 + n) % 1000, female=female)
            rel = ("户主", "配偶", "之子", "之女", "之孙子")[n]
            values = ["云溪县", "金溪镇", f"村{hh % 20}", "一组", f"431299{hh:010d}", f"人{hh}-{n}", "居民身份证", pid,
                      "2" if female else "1", birth, rel, htype, mclass, "否" if mclass else "", r.choice(("", "因病")),
                      "", r.choice(("", "", "小学", "七年级", "学前教育")), r.choice(("健康", "健康", "长期慢性病")),
                      r.choice(("普通劳动力", "弱劳动力或半劳动力", "无劳动力")), size, *incomes, net,
                      round(net / size, 2), sum(incomes[:4]), "汉族", r.choice(("小学", "初中"))]
            if wide:
                values += [r.choice(("否", "否", "是", "")) if i % 3 else r.choice((0, "", r.randint(1, 3000)))
                           for i in range(EXTRA)]
            for c, v in enumerate(values):
                if v == "":
                    continue
                if isinstance(v, str):
                    ws.write_string(row, c, v)
                else:
                    ws.write_number(row, c, v)
            row += 1
    wb.close()
    return row - 3


FLOOR = """
import io, json, sys, time
import python_calamine as cal
t0 = time.perf_counter()
data = open(sys.argv[1], "rb").read()
wb = cal.CalamineWorkbook.from_filelike(io.BytesIO(data))
rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
print(json.dumps({"total": time.perf_counter() - t0, "read": time.perf_counter() - t0, "members": len(rows),
                  "columns": len(rows[0])}))
"""

CHILD = """
import datetime as dt, json, sys, time
from fourcard_excel.pipeline import validate_inputs
t0 = time.perf_counter()
v = validate_inputs(sys.argv[1], as_of=dt.date(2024, 3, 18))
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0, "read": v.timings["read"], "members": len(v.members),
                  "columns": len(v.members.columns)}))
"""


def measure(path: Path, code: str = CHILD) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=40000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default="")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        narrow, wide = Path(tmp) / "narrow.xlsx", Path(tmp) / "wide.xlsx"
        n = write(narrow, a.rows, False)
        write(wide, a.rows, True)
        runs = {"narrow": [], "wide": [], "floor_narrow": [], "floor_wide": []}
        for _ in range(a.repeat):  # interleaved, so load changes hit all of them
            runs["narrow"].append(measure(narrow))
            runs["wide"].append(measure(wide))
            runs["floor_narrow"].append(measure(narrow, FLOOR))
            runs["floor_wide"].append(measure(wide, FLOOR))
        med = {k: {s: statistics.median(r[s] for r in v) for s in ("total", "read")} for k, v in runs.items()}
        own = {k: med[k]["total"] - med[f"floor_{k}"]["total"] for k in ("narrow", "wide")}
        res = {
            "rows": n, "columns": {"narrow": len(NARROW), "wide": len(NARROW) + EXTRA},
            "file_mb": {"narrow": narrow.stat().st_size / 2**20, "wide": wide.stat().st_size / 2**20},
            "seconds": med, "ratio_total": med["wide"]["total"] / med["narrow"]["total"],
            "ratio_read": med["wide"]["read"] / med["narrow"]["read"],
            "ratio_floor": med["floor_wide"]["total"] / med["floor_narrow"]["total"],
            "own_seconds": own, "ratio_own": own["wide"] / own["narrow"],
            "members_columns": {k: v[0]["columns"] for k, v in runs.items()},
            "load": os.getloadavg(), "python": platform.python_version(), "date": time.strftime("%Y-%m-%d"),
        }
    print(f"rows {res['rows']:,}; columns {res['columns']['narrow']} vs {res['columns']['wide']}; "
          f"file {res['file_mb']['narrow']:.1f} MB vs {res['file_mb']['wide']:.1f} MB; load {res['load'][0]:.2f}")
    print(f"{'':10}{'30 cols':>10}{'180 cols':>10}{'ratio':>8}")
    for stage in ("read", "total"):
        print(f"{stage:10}{med['narrow'][stage]:>10.2f}{med['wide'][stage]:>10.2f}"
              f"{med['wide'][stage] / med['narrow'][stage]:>8.2f}")
    print(f"{'floor':10}{med['floor_narrow']['total']:>10.2f}{med['floor_wide']['total']:>10.2f}"
          f"{res['ratio_floor']:>8.2f}   (python-calamine: parse the sheet + rows as Python lists)")
    print(f"{'own':10}{own['narrow']:>10.2f}{own['wide']:>10.2f}{res['ratio_own']:>8.2f}   (total − floor)")
    if a.json:
        Path(a.json).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
