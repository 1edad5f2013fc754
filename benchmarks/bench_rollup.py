"""Benchmark: ``rollup`` of N synthetic county folders (DuckDB over Parquet), against pandas.

Usage:
    python benchmarks/bench_rollup.py                              # 100 counties × 200k people = 20M rows
    python benchmarks/bench_rollup.py --counties 5 --people 20000  # quick run
    options: --out DIR (cached batch), --memory-limit 4GB, --threads N, --baseline-counties K,
             --dup-share 0.005, --json FILE, --keep-output DIR

The batch: N county folders as ``process`` leaves them for the roll-up (households.parquet,
members.parquet, issues.parquet written with pyarrow through ``write.parquet.frame_table``, so with
the same schema; spotcheck.csv, quotas.csv, manifest.json), generated with numpy (no Excel).
People have valid IDs (GB 11643 check digit), ~3.1 per household, 20 townships per county.
Cross-county duplicates: whole households of county c-1 registered again in county c, ``dup_share``
of each county's people (default 0.5%); the answer is known, and the run checks it.
Generated once into benchmarks/_batch_rollup_c<N>_p<people>/ (git-ignored) and reused.

Measured in the same run, each in a fresh subprocess (peak RSS = the child's ru_maxrss):

- rollup: ``fourcard_excel.rollup.run`` over all N counties (everything: views, counts, duplicate
  search, CSVs, 全市汇总.xlsx), DuckDB memory_limit and threads as given;
- baseline on the first K counties (default 10): the core questions (汇总 counts, cross-county
  people, cross-county heads) with pandas (read_parquet of the needed columns, groupby, merge)
  against the same questions with the roll-up's DuckDB SQL on the same K counties.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

SEED = 2024
TOWNSHIPS = 20
VILLAGES = 12
CARDS = ["红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定"]
CARD_P = [0.03, 0.10, 0.35, 0.05, 0.46, 0.01]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("建国秀英伟丽强芳军敏静磊洋艳勇杰娟涛明超霞平刚桂兰福财珍斌德华红梅玉凤成林海燕志文")
ISSUE_CODES = [("警告", "H003"), ("警告", "V005"), ("提示", "F010"), ("错误", "I003"), ("警告", "V006"),
               ("提示", "C001"), ("警告", "D003"), ("错误", "V001")]
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.array(list("10X98765432"))
EPOCH = np.datetime64("1935-01-01")
DAYS = 30_000  # birth dates 1935-01-01 … 2017-02
RULES_SHA = "dd565f53d859889a4f48db761a2a3f32bc71a3c8f31e07bb5e1242f9e5350cd5"


# ---------------------------------------------------------------- batch


def ids_for(area: int, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Valid 18-character IDs for unique ``index`` values (day × 1000 + sequence) and birth dates."""
    day, seq = index // 1000, index % 1000
    dates = EPOCH + day.astype("timedelta64[D]")
    y = dates.astype("M8[Y]").astype(np.int64) + 1970
    m = dates.astype("M8[M]").astype(np.int64) % 12 + 1
    d = (dates - dates.astype("M8[M]")).astype(np.int64) + 1
    first17 = np.int64(area) * 10**11 + (y * 10000 + m * 100 + d) * 1000 + seq
    digits = np.empty((len(index), 17), dtype=np.int64)
    rest = first17.copy()
    for k in range(16, -1, -1):
        digits[:, k] = rest % 10
        rest //= 10
    check = CHECK[(digits * WEIGHTS).sum(axis=1) % 11]
    ids = np.char.add(first17.astype("U17"), check)
    return ids.astype(object), dates


def county_people(c: int, people: int) -> pd.DataFrame:
    """County c's own people (deterministic): one row per person with household number."""
    rng = np.random.default_rng(SEED + c)
    sizes = rng.choice([1, 2, 3, 4, 5, 6], p=[0.14, 0.22, 0.25, 0.22, 0.12, 0.05], size=people // 2)
    ends = np.cumsum(sizes)
    sizes = sizes[: np.searchsorted(ends, people) + 1]
    hh_of = np.repeat(np.arange(len(sizes)), sizes)[:people]
    space = DAYS * 1000
    stride = 7_919_423  # coprime to space: unique IDs
    index = (rng.integers(space) + np.arange(people, dtype=np.int64) * stride) % space
    area = 110000 + c * 97
    ids, births = ids_for(area, index)
    names = (np.array(SURNAMES, dtype=object)[rng.integers(len(SURNAMES), size=people)]
             + np.array(GIVEN, dtype=object)[rng.integers(len(GIVEN), size=people)]
             + np.where(rng.random(people) < 0.6, np.array(GIVEN, dtype=object)[rng.integers(len(GIVEN), size=people)], ""))
    return pd.DataFrame({"hh": hh_of, "id_number": ids, "name": names, "birth": births})


def county_frames(c: int, people: int, dup_share: float, prev: pd.DataFrame | None):
    """(households, members, copied IDs) of county c; ``prev`` = county c-1's own people."""
    own = county_people(c, people)
    rng = np.random.default_rng(SEED * 7 + c)
    copied = np.array([], dtype=object)
    if prev is not None and dup_share > 0:
        n_hh = int(prev["hh"].max()) + 1
        take = max(1, int(n_hh * dup_share))
        start = int(rng.integers(0, max(n_hh - take, 1)))
        extra = prev[(prev["hh"] >= start) & (prev["hh"] < start + take)].copy()
        extra["hh"] = extra["hh"] - start + int(own["hh"].max()) + 1
        copied = extra["id_number"].to_numpy()
        own = pd.concat([own, extra], ignore_index=True)
    n = len(own)
    hh = own["hh"].to_numpy()
    n_hh = int(hh.max()) + 1
    first = np.r_[True, hh[1:] != hh[:-1]]
    town_of_hh = np.sort(rng.integers(0, TOWNSHIPS, size=n_hh))
    village_of_hh = rng.integers(0, VILLAGES, size=n_hh)
    county = f"第{c + 1:03d}县"
    towns = np.array([f"{county[1:4]}号{t + 1:02d}镇" for t in range(TOWNSHIPS)], dtype=object)
    township = towns[town_of_hh]
    village = np.array([f"{v + 1:02d}村" for v in range(VILLAGES)], dtype=object)[village_of_hh]
    hid = np.char.add(f"{110000 + c * 97:06d}", np.char.zfill(np.arange(n_hh).astype("U9"), 9)).astype(object)
    hh_key = township + "|" + hid
    size = np.bincount(hh, minlength=n_hh)
    card = np.array(CARDS, dtype=object)[rng.choice(len(CARDS), p=CARD_P, size=n_hh)]
    age = ((np.datetime64("2024-03-18") - own["birth"].to_numpy()).astype("timedelta64[D]").astype(np.int64)
           // 365).astype(np.int64)
    heads = np.flatnonzero(first)
    wage = np.round(rng.gamma(2.0, 6000, size=n_hh), 2)
    transfer = np.round(rng.gamma(1.5, 2000, size=n_hh), 2)
    households = pd.DataFrame({
        "township": township, "village": village, "group": "一组", "household_id": hid, "hh_key": hh_key,
        "head_name": own["name"].to_numpy()[heads], "head_id": own["id_number"].to_numpy()[heads],
        "head_age": pd.array(age[heads], dtype="Int64"), "size": size,
        "category": np.where(np.isin(card, ["红卡", "黄卡", "绿卡"]), "建档立卡贫困户", "一般农户"),
        "poverty_status": np.where(card == "黄卡", "未脱贫", np.where(np.isin(card, ["红卡", "绿卡"]), "已脱贫", "")),
        "monitored": rng.random(n_hh) < 0.05, "wage_income": wage, "transfer_income": transfer,
        "total_income": wage + transfer, "net_income": wage + transfer, "per_capita": np.round((wage + transfer) / size, 2),
        "economic_income": wage, "card": card, "rule": card, "reasons": "人均纯收入" + (wage // 100).astype(np.int64).astype(str).astype(object) + "00元",
        "priority_score": rng.integers(0, 3, size=n_hh), "agrees": pd.array(rng.random(n_hh) < 0.9, dtype="boolean"),
        "source_file": township + ".xlsx", "source_sheet": "花名册", "source_row": np.arange(n_hh) + 4,
    })
    members = pd.DataFrame({
        "hh_key": hh_key[hh], "township": township[hh], "village": village[hh], "group": "一组",
        "household_id": hid[hh], "name": own["name"].to_numpy(), "id_number": own["id_number"].to_numpy(),
        "relation": np.where(first, "户主", "之子"), "age": pd.array(age, dtype="Int64"),
        "health": np.where(rng.random(n) < 0.1, "长期慢性病", "健康"),
        "labour": np.where(age >= 16, "普通劳动力", "无劳动力"), "schooling": "",
        "id_ok": np.ones(n, dtype=bool), "age_calc": pd.array(age, dtype="Int64"),
        "sex_calc": np.where(rng.random(n) < 0.5, "男", "女"), "roster_level": "成员花名册",
        "source_file": township[hh] + ".xlsx", "source_sheet": "花名册", "source_row": np.arange(n) + 4,
        "is_head": first,
    })
    return households, members, copied


def write_county(folder: Path, c: int, households: pd.DataFrame, members: pd.DataFrame, people: int) -> None:
    from fourcard_excel.write.parquet import TABLES, frame_table, write_table

    folder.mkdir(parents=True, exist_ok=True)
    county = f"第{c + 1:03d}县"
    rng = np.random.default_rng(SEED * 13 + c)
    write_table(frame_table(households, "households", TABLES["households"], county), folder / "households.parquet")
    write_table(frame_table(members, "members", TABLES["members"], county), folder / "members.parquet")
    k = len(households) // 8
    pick = rng.integers(0, len(households), size=k)
    lv = rng.integers(0, len(ISSUE_CODES), size=k)
    issues = pd.DataFrame({
        "level": [ISSUE_CODES[i][0] for i in lv], "code": [ISSUE_CODES[i][1] for i in lv],
        "file": households["source_file"].to_numpy()[pick], "sheet": "花名册",
        "row": households["source_row"].to_numpy()[pick], "column": "", "value": "", "message": "核对",
        "township": households["township"].to_numpy()[pick], "hh_key": households["hh_key"].to_numpy()[pick],
    })
    write_table(frame_table(issues, "issues", TABLES["issues"], county), folder / "issues.parquet")
    carded = households[households["card"].isin(CARDS[:4])]
    order = carded.assign(_r=rng.random(len(carded))).sort_values(["township", "card", "_r"])
    rank = order.groupby(["township", "card"]).cumcount()
    need = np.ceil(order.groupby(["township", "card"])["_r"].transform("size") * 0.3)
    sample = order[rank < need]
    pd.DataFrame({"乡镇": sample["township"], "行政村": sample["village"], "户编号": sample["household_id"],
                  "户主姓名": sample["head_name"], "户主证件号码": sample["head_id"], "卡别": sample["card"],
                  "抽查组": "第1组", "抽查人": "甲、乙"}).to_csv(folder / "spotcheck.csv", index=False,
                                                           encoding="utf-8-sig")
    towns = sorted(households["township"].unique())
    rows = [["全县", "", "", 520, int(rng.integers(480, 600)), 0, ""], ["县级", "", "", 60, 60, 0, "是"]]
    rows += [["乡镇", t, "", 20, int(rng.integers(15, 25)), 0, ""] for t in towns]
    q = pd.DataFrame(rows, columns=["层级", "乡镇", "行政村", "要求", "实际", "缺口", "是否达标"])
    q["缺口"] = (q["要求"] - q["实际"]).clip(lower=0)
    q["是否达标"] = np.where(q["缺口"] == 0, "是", "否")
    q.to_csv(folder / "quotas.csv", index=False, encoding="utf-8-sig")
    manifest = {
        "program": "fourcard-excel", "version": "0.1.0", "command": "bench_rollup", "county": county,
        "as_of": "2024-03-18", "seed": SEED, "input_root": f"/data/{county}",
        "rules": {"path": "rules.toml", "sha256": RULES_SHA, "cards": CARDS[:4]},
        "inputs": [], "counts": {"input_files": TOWNSHIPS, "rows_read": len(members), "member_rows": len(members),
                                 "households": len(households)},
        "outputs": [], "parquet": {"households": "households.parquet", "members": "members.parquet",
                                   "issues": "issues.parquet"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def make_batch(out: Path, counties: int, people: int, dup_share: float) -> dict:
    stamp = out / "batch.json"
    params = {"counties": counties, "people": people, "dup_share": dup_share, "seed": SEED, "version": 1}
    if stamp.is_file():
        data = json.loads(stamp.read_text())
        if data.get("params") == params:
            return data
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    prev_own = None
    copied_total, member_rows, hh_rows = 0, 0, 0
    for c in range(counties):
        hh, mem, copied = county_frames(c, people, dup_share, prev_own)
        write_county(out / f"第{c + 1:03d}县", c, hh, mem, people)
        prev_own = county_people(c, people)  # the next county copies only this county's own people
        copied_total += len(copied)
        member_rows += len(mem)
        hh_rows += len(hh)
        print(f"\r生成 {c + 1}/{counties} 县", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    data = {"params": params, "member_rows": member_rows, "households": hh_rows,
            "expected_dup_people": copied_total, "seconds": round(time.perf_counter() - t, 1)}
    stamp.write_text(json.dumps(data))
    return data


# ---------------------------------------------------------------- measured children

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
mode, dirs, out, mem, threads = {mode!r}, {dirs!r}, {out!r}, {mem!r}, {threads!r}
t = time.perf_counter()
cpu0 = time.process_time()
info = {{}}
if mode == "rollup":
    from fourcard_excel.rollup import run
    r = run(dirs, out, name="全省", memory_limit=mem, threads=threads)
    info = {{"timings": r.timings, "member_rows": r.member_rows, "households": int(r.summary["户数"].sum()),
             "dup_ids": int(r.dup_people["证件号码"].nunique()), "dup_rows": len(r.dup_people),
             "dup_heads": len(r.dup_heads)}}
elif mode == "duckdb":
    from pathlib import Path
    from fourcard_excel.rollup import engine, queries
    from fourcard_excel.rollup.discover import find_counties
    con = engine.connect(None, memory_limit=mem, threads=threads, temp_dir=Path(out))
    engine.create_views(con, find_counties([Path(d) for d in dirs]))
    s = queries.summary(con); p = queries.duplicate_people(con); h = queries.duplicate_heads(con)
    info = {{"households": int(s["households"].sum()), "dup_ids": int(p["id_number"].nunique()),
             "dup_rows": len(p), "dup_heads": len(h)}}
else:
    import pandas as pd
    m = pd.concat([pd.read_parquet(f"{{d}}/members.parquet", columns=["county", "id_number", "name", "township",
                   "village", "household_id", "hh_key", "id_ok"]) for d in dirs], ignore_index=True)
    h = pd.concat([pd.read_parquet(f"{{d}}/households.parquet", columns=["county", "township", "card", "size",
                   "hh_key", "head_id", "head_name", "village", "household_id"]) for d in dirs], ignore_index=True)
    s = h.groupby(["county", "township", "card"]).agg(households=("card", "size"), persons=("size", "sum"))
    ok = m[m["id_ok"] & (m["id_number"] != "")]
    n = ok.groupby("id_number")["county"].nunique()
    rep = ok[ok["id_number"].isin(n.index[n > 1])].merge(h[["county", "hh_key", "card"]], on=["county", "hh_key"],
                                                           how="left").sort_values(["id_number", "county"])
    hn = h[h["head_id"].str.len() == 18].groupby("head_id")["county"].nunique()
    heads = h[h["head_id"].isin(hn.index[hn > 1])].sort_values(["head_id", "county"])
    info = {{"households": int(s["households"].sum()), "dup_ids": int(rep["id_number"].nunique()),
             "dup_rows": len(rep), "dup_heads": len(heads)}}
info["seconds"] = round(time.perf_counter() - t, 2)
info["cpu_seconds"] = round(time.process_time() - cpu0, 2)
info["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print("RESULT" + json.dumps(info, ensure_ascii=False))
"""


def measure(mode: str, dirs: list[str], out: str, mem: str, threads: int | None) -> dict:
    code = CHILD.format(src=str(ROOT / "src"), mode=mode, dirs=dirs, out=out, mem=mem, threads=threads)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-4000:]}")
    line = [x for x in proc.stdout.splitlines() if "RESULT{" in x][-1]
    return json.loads(line[line.index("RESULT{") + len("RESULT"):])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--people", type=int, default=200_000, help="member rows per county")
    ap.add_argument("--dup-share", type=float, default=0.005, help="share of households copied to the next county")
    ap.add_argument("--baseline-counties", type=int, default=10)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--keep-output", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    batch = args.out or HERE / f"_batch_rollup_c{args.counties}_p{args.people}"
    load_before = os.getloadavg()
    info = make_batch(batch, args.counties, args.people, args.dup_share)
    dirs = sorted(str(p) for p in batch.iterdir() if (p / "manifest.json").is_file())
    work = Path(tempfile.mkdtemp(prefix="bench_rollup_"))
    try:
        full = measure("rollup", dirs, str(args.keep_output or work / "全省汇总"), args.memory_limit, args.threads)
        k = min(args.baseline_counties, len(dirs))
        sub = dirs[:k]
        duck = measure("duckdb", sub, str(work), args.memory_limit, args.threads)
        pandas_ = measure("pandas", sub, str(work), args.memory_limit, args.threads)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    expected = info["expected_dup_people"]
    assert full["dup_ids"] == expected and full["dup_rows"] == 2 * expected, (full, expected)
    assert duck["dup_rows"] == pandas_["dup_rows"] and duck["households"] == pandas_["households"], (duck, pandas_)
    rows = full["member_rows"]
    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after], "batch": info, "memory_limit": args.memory_limit,
        "threads": args.threads or os.cpu_count(), "rollup": full,
        "rows_per_second": round(rows / full["seconds"]),
        "baseline": {"counties": k, "duckdb": duck, "pandas": pandas_,
                     "ratio_pandas_over_duckdb": round(pandas_["seconds"] / duck["seconds"], 2)},
    }
    print(f"批次：{args.counties} 县，{rows:,} 成员行，{full['households']:,} 户（生成用时 {info['seconds']} 秒，缓存于 {batch}）")
    print(f"负载（uptime）：开始 {report['load_before']}，结束 {report['load_after']}；CPU {os.cpu_count()} 核")
    print(f"rollup 全部 {args.counties} 县：{full['seconds']} 秒（CPU {full['cpu_seconds']} 秒），"
          f"峰值内存 {full['peak_rss_mb']} MB，{report['rows_per_second']:,} 成员行/秒")
    print(f"  分阶段：{full['timings']}")
    print(f"  跨县重复人员 {full['dup_ids']:,} 人 / {full['dup_rows']:,} 行（预期 {expected:,} 人），"
          f"跨县重复户主 {full['dup_heads']:,} 户")
    print(f"基线（前 {k} 县，汇总 + 跨县重复人员 + 跨县重复户主）：DuckDB {duck['seconds']} 秒 / "
          f"{duck['peak_rss_mb']} MB；pandas {pandas_['seconds']} 秒 / {pandas_['peak_rss_mb']} MB；"
          f"pandas / DuckDB = {report['baseline']['ratio_pandas_over_duckdb']}×")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
