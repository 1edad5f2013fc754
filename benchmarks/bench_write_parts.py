"""Benchmark: CPU seconds of each part of ``process``'s writing, in one process.

Usage:
    python benchmarks/bench_write_parts.py --batch /path/to/batch            # this checkout
    python benchmarks/bench_write_parts.py --batch B --baseline-src OLD/src  # and an older one
    options: --repeat N (default 2, the best of N is kept), --json FILE

The batch is classified once (read, validate, classify, then the checks as ``process`` runs them:
spot-check with seed 2024, quotas, contacts, history without a database, measures), then each
writer runs on its own into a scratch folder, timed with ``time.process_time`` (this process only:
``FOURCARD_WORKERS=1``): township books, public notices, the spot-check book (+ spotcheck.csv),
the measures books (+ measures.csv), households/members/issues CSVs, 全县汇总, 问题清单.

``--baseline-src`` runs the same measurement in a child process whose ``PYTHONPATH`` puts that
``src`` folder first (e.g. ``git archive <commit> src | tar -x -C /tmp/old``), so the two are
measured minutes apart on the same batch; the ratio new/old is printed per part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2024, 3, 18)
SEED = 2024


def measure(batch: Path, repeat: int) -> dict[str, float]:
    os.environ["FOURCARD_WORKERS"] = "1"
    from fourcard_excel import pipeline
    from fourcard_excel.checks import contacts, history, measures, quotas, spotcheck
    from fourcard_excel.documents import notice
    from fourcard_excel.write.county import write_county
    from fourcard_excel.write.csvs import write_csvs
    from fourcard_excel.write.issues_book import write_issue_book
    from fourcard_excel.write.township import write_townships

    r = pipeline.classify_inputs(batch, as_of=AS_OF)
    spotcheck.run(r, seed=SEED)
    quotas.run(r)
    contacts.run(r)
    history.run(r, db_path=False)
    measures.run(r)
    parts = {
        "township books": lambda out: write_townships(r, out),
        "notices": lambda out: notice.write(r, out),
        "spot-check book": lambda out: spotcheck.write(r, out),
        "measures books": lambda out: measures.write(r, out),
        "CSVs": lambda out: write_csvs(r.households, r.members, r.issues, out),
        "county book": lambda out: write_county(r, out),
        "issue book": lambda out: write_issue_book(r.issues, out / "问题清单.xlsx", created=r.as_of),
    }
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench_parts_") as tmp:
        for _ in range(repeat):
            for name, write in parts.items():
                out = Path(tmp) / "out"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                start = time.process_time()
                write(out)
                spent = time.process_time() - start
                best[name] = min(best.get(name, spent), spent)
    best["sum"] = sum(best.values())
    return {k: round(v, 3) for k, v in best.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", required=True, type=Path)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--baseline-src", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.batch, args.repeat)))
        return
    runs = {}
    for label, src in (("baseline", args.baseline_src), ("this checkout", None)):
        if label == "baseline" and src is None:
            continue
        env = dict(os.environ, FOURCARD_WORKERS="1")
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join([str(src.resolve()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        cmd = [sys.executable, __file__, "--child", "--batch", str(args.batch), "--repeat", str(args.repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        runs[label] = json.loads(proc.stdout.strip().splitlines()[-1])
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    names = list(runs["this checkout"])
    print(f"CPU seconds, best of {args.repeat}, load average {', '.join(f'{x:.1f}' for x in load)}")
    print(f"{'part':<18}" + "".join(f"{label:>16}" for label in runs) + ("  new/old" if len(runs) == 2 else ""))
    for name in names:
        row = f"{name:<18}" + "".join(f"{runs[label][name]:>16.2f}" for label in runs)
        if len(runs) == 2 and runs["baseline"][name]:
            row += f"  {runs['this checkout'][name] / runs['baseline'][name]:7.2f}"
        print(row)
    if args.json:
        args.json.write_text(json.dumps({"batch": str(args.batch), "load": load, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
