"""City roll-up over three counties' real `process` outputs."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from rollup_fixtures import build_counties

from fourcard_excel.cli import main


@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    return build_counties(tmp_path_factory.mktemp("rollup"))


@pytest.fixture(scope="module")
def rolled(counties, tmp_path_factory):
    """`rollup 各县结果 -o 全市汇总 --db ...` over the folder holding the three counties."""
    root = next(iter(counties.values())).out.parent
    out = tmp_path_factory.mktemp("city") / "全市汇总"
    db = out.parent / "全市.duckdb"
    res = CliRunner().invoke(main, ["rollup", str(root), "-o", str(out), "--name", "某某市", "--db", str(db)])
    assert res.exit_code == 0, res.output
    return out, db, res.output


def read_csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_process_writes_typed_parquet_and_county_in_manifest(counties):
    out = counties["云溪县"].out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["county"] == "云溪县"
    assert manifest["parquet"] == {"households": "households.parquet", "members": "members.parquet",
                                   "issues": "issues.parquet"}
    listed = {o["file"] for o in manifest["outputs"]}
    assert {"households.parquet", "members.parquet", "issues.parquet"} <= listed
    # the default county is the input folder's name
    assert json.loads((counties["石门县"].out / "manifest.json").read_text(encoding="utf-8"))["county"] == "石门县"

    members = pq.read_table(out / "members.parquet")
    types = {f.name: str(f.type) for f in members.schema}
    assert types["id_number"] == "string" and types["household_id"] == "string"
    assert types["id_ok"] == "bool" and types["source_row"] == "int64" and types["county"] == "string"
    assert members.schema.field("id_number").metadata[b"label"].decode() == "证件号码"
    hh = pq.read_table(out / "households.parquet").to_pandas()
    csv = read_csv(out / "households.csv")
    assert len(hh) == len(csv) and set(hh["county"]) == {"云溪县"}
    assert hh["per_capita"].dtype == "float64" and hh["monitored"].dtype == bool
    assert hh["household_id"].tolist() == csv["户编号"].tolist()  # leading digits and zeros kept as text
    assert hh["card"].tolist() == csv["卡别"].tolist()


def test_card_counts_equal_each_countys_households_csv(counties, rolled):
    out, _, output = rolled
    summary = read_csv(out / "汇总.csv")
    for name in ("汇总.csv", "跨县重复人员.csv", "跨县重复户主.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    assert list(summary.columns) == ["县", "乡镇", "卡别", "户数", "人数"]
    assert set(summary["县"]) == set(counties)
    for name, county in counties.items():
        hh = read_csv(county.out / "households.csv")
        expected = (hh.assign(人=hh["家庭人口"].astype(int)).groupby(["乡镇", "卡别"])
                    .agg(户数=("卡别", "size"), 人数=("人", "sum")).reset_index())
        got = summary[summary["县"] == name].drop(columns="县").astype({"户数": int, "人数": int})
        pd.testing.assert_frame_equal(got.sort_values(["乡镇", "卡别"]).reset_index(drop=True),
                                      expected.sort_values(["乡镇", "卡别"]).reset_index(drop=True))
    assert "县：3 个" in output


def test_every_repeated_person_is_listed_with_both_places(counties, rolled):
    out, _, output = rolled
    dup = read_csv(out / "跨县重复人员.csv")
    assert list(dup.columns) == ["证件号码", "姓名", "县", "乡镇", "行政村", "户编号", "卡别"]
    repeated = counties["云溪县"].repeated_ids
    assert set(dup["证件号码"]) == repeated
    assert dup["证件号码"].tolist() == sorted(dup["证件号码"])
    assert len(dup) == 2 * len(repeated)
    yx = read_csv(counties["云溪县"].out / "members.csv")
    qs = read_csv(counties["青山县"].out / "members.csv")
    yx_hh = read_csv(counties["云溪县"].out / "households.csv").set_index("家庭识别码")["卡别"]
    qs_hh = read_csv(counties["青山县"].out / "households.csv").set_index("家庭识别码")["卡别"]
    for pid, rows in dup.groupby("证件号码"):
        a = yx[yx["证件号码"] == pid].iloc[0]
        b = qs[qs["证件号码"] == pid].iloc[0]
        got = rows.sort_values("县")[["姓名", "县", "乡镇", "行政村", "户编号", "卡别"]].values.tolist()
        assert got == [[a["姓名"], "云溪县", "清水乡", a["行政村"], a["户编号"], yx_hh[a["家庭识别码"]]],
                       [b["姓名"], "青山县", "西河镇", "西河村", b["户编号"], qs_hh[b["家庭识别码"]]]]
    heads = read_csv(out / "跨县重复户主.csv")
    assert len(heads) == 6 and heads["县"].value_counts().to_dict() == {"云溪县": 3, "青山县": 3}
    assert set(heads["证件号码"]) < repeated
    assert f"跨县重复人员：{len(repeated)} 人（{2 * len(repeated)} 条记录）" in output


def test_city_workbook_sheets_and_rules_warning(counties, rolled):
    out, _, output = rolled
    wb = openpyxl.load_workbook(out / "全市汇总.xlsx")
    assert wb.sheetnames == ["总览", "图表", "乡镇明细", "问题统计", "县级抽查", "公益岗位", "帮扶措施",
                             "跨县重复人员", "跨县重复户主", "数据说明"]
    ws = wb["总览"]
    header = [c.value for c in ws[2]]
    assert header[:5] == ["县", "红卡", "黄卡", "绿卡", "蓝卡"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, max_row=6, values_only=True)}
    for name, county in counties.items():
        hh = read_csv(county.out / "households.csv")
        assert rows[name][header.index("合计")] == len(hh)
        assert rows[name][header.index("红卡")] == int((hh["卡别"] == "红卡").sum())
    assert rows["合计"][header.index("合计")] == sum(len(read_csv(c.out / "households.csv"))
                                                   for c in counties.values())
    dup = wb["跨县重复人员"]
    assert [c.value for c in dup[2]] == ["证件号码", "姓名", "县", "乡镇", "行政村", "户编号", "卡别"]
    assert dup.max_row == 2 + 2 * len(counties["云溪县"].repeated_ids)
    notes = [r for r in wb["数据说明"].iter_rows(values_only=True)]
    text = "\n".join(str(v) for r in notes for v in r if v is not None)
    assert "各县使用的规则文件不同" in text and "石门县" in text and "2024-03-18" in text
    assert "警告：各县使用的规则文件不同" in output
    spot = pd.DataFrame(list(wb["县级抽查"].iter_rows(min_row=3, values_only=True)),
                        columns=[c.value for c in wb["县级抽查"][2]])
    assert set(spot["县"]) == set(counties) and (spot["覆盖率"] >= 0.3).all()
    for name, county in counties.items():
        sampled = read_csv(county.out / "spotcheck.csv")
        assert spot.loc[spot["县"] == name, "抽查户数"].iloc[0] == len(sampled)
    quota = pd.DataFrame(list(wb["公益岗位"].iter_rows(min_row=3, values_only=True)),
                         columns=[c.value for c in wb["公益岗位"][2]]).set_index("县")
    for name, county in counties.items():
        if (county.out / "quotas.csv").is_file():
            assert quota.loc[name, "未达标项合计"] == int((read_csv(county.out / "quotas.csv")["是否达标"] == "否").sum())
        else:
            assert "未提供" in quota.loc[name, "说明"]
    import zipfile

    with zipfile.ZipFile(out / "全市汇总.xlsx") as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_sql_on_the_kept_database_prints_a_table(counties, rolled):
    _, db, _ = rolled
    res = CliRunner().invoke(main, ["rollup", "--db", str(db), "--sql",
                                    "SELECT county, COUNT(*) AS n FROM members GROUP BY county ORDER BY county"])
    assert res.exit_code == 0, res.output
    for name, county in counties.items():
        n = len(read_csv(county.out / "members.csv"))
        assert any(line.split() == [name, str(n)] for line in res.output.splitlines()), res.output
    assert "（共 3 行）" in res.output
    res = CliRunner().invoke(main, ["rollup", "--db", str(db), "--sql", "SELECT COUNT(*) AS n FROM cross_county_people"])
    assert res.exit_code == 0 and str(2 * len(counties["云溪县"].repeated_ids)) in res.output
    bad = CliRunner().invoke(main, ["rollup", "--db", str(db), "--sql", "SELECT * FROM 不存在的表"])
    assert bad.exit_code == 1 and "SQL 执行出错" in bad.output


def test_sql_on_the_kept_database_fetches_only_the_rows_it_prints(rolled):
    from fourcard_excel.rollup import query

    _, db, _ = rolled
    all_members = query(db, "SELECT DISTINCT id_number FROM members ORDER BY id_number")
    assert len(all_members) > 3
    head = query(db, "SELECT DISTINCT id_number FROM members ORDER BY id_number", limit=3)
    assert head["id_number"].tolist() == all_members["id_number"].head(3).tolist()
    res = CliRunner().invoke(main, ["rollup", "--db", str(db), "--max-rows", "2", "--sql",
                                    "SELECT DISTINCT id_number FROM members ORDER BY id_number"])
    assert res.exit_code == 0, res.output
    shown = [line.strip() for line in res.output.splitlines()[1:3]]
    assert shown == all_members["id_number"].head(2).tolist()
    assert all_members["id_number"].iat[2] not in res.output
    assert "超过 2 行，只显示前 2 行" in res.output


def test_csv_fallback_for_a_run_without_parquet_gives_the_same_answers(counties, rolled, tmp_path):
    out, _, _ = rolled
    old = tmp_path / "青山县旧版结果"
    shutil.copytree(counties["青山县"].out, old)
    for p in old.glob("*.parquet"):
        p.unlink()
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["parquet"]
    (old / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(main, ["rollup", str(counties["云溪县"].out), str(old), str(counties["石门县"].out),
                                    "-o", str(tmp_path / "汇总")])
    assert res.exit_code == 0, res.output
    assert "读 CSV 1 个" in res.output
    for name in ("汇总.csv", "跨县重复人员.csv", "跨县重复户主.csv"):
        assert (tmp_path / "汇总" / name).read_bytes() == (out / name).read_bytes(), name


def test_usage_errors(counties, tmp_path):
    res = CliRunner().invoke(main, ["rollup", "-o", str(tmp_path / "x")])
    assert res.exit_code == 2 and "各县结果文件夹" in res.output
    res = CliRunner().invoke(main, ["rollup", str(counties["云溪县"].out), "--memory-limit", "很多"])
    assert res.exit_code == 2 and "内存上限写法不对" in res.output
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    res = CliRunner().invoke(main, ["rollup", str(empty), "-o", str(tmp_path / "x")])
    assert res.exit_code == 1 and "没有找到各县的结果文件夹" in res.output
    twin = tmp_path / "又一个云溪县"
    shutil.copytree(counties["云溪县"].out, twin)
    res = CliRunner().invoke(main, ["rollup", str(counties["云溪县"].out), str(twin), "-o", str(tmp_path / "y")])
    assert res.exit_code == 1 and "县名重复" in res.output and "--county" in res.output


def test_readme_shows_the_duplicate_search_sql_that_runs():
    from pathlib import Path

    from fourcard_excel.rollup import queries

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "```sql" + queries.DUPLICATE_PEOPLE_SQL + "```" in readme
    assert "```sql" + queries.MEASURES_COVERAGE_SQL + "```" in readme


def test_measures_findings_go_to_parquet_and_the_city_book(counties, tmp_path):
    import datetime as dt

    from fourcard_excel.pipeline import classify_inputs
    from fourcard_excel.write.parquet import write_parquet

    src = counties["云溪县"].out.parents[1] / "输入" / "云溪县花名册"
    result = classify_inputs(src, as_of=dt.date(2024, 3, 18))
    result.outputs["county"] = "云溪县"
    assert [p.name for p in write_parquet(result, tmp_path / "无措施")] == [
        "households.parquet", "members.parquet", "issues.parquet"]
    carded = result.households[result.households["card"].isin(["红卡", "黄卡", "绿卡", "蓝卡"])]
    findings = pd.DataFrame({"层级": "户", "乡镇": carded["township"], "户主证件号码": carded["head_id"],
                             "卡别": carded["card"],
                             "检查项": ["红卡产业分红未覆盖" if c == "红卡" else "兜底保障未覆盖" for c in carded["card"]],
                             "代码": "M001", "年度": 2024, "hh_key": carded["hh_key"]})
    result.outputs["measures"] = findings
    written = write_parquet(result, tmp_path / "有措施")
    assert written[-1].name == "measures.parquet"
    table = pq.read_table(written[-1]).to_pandas()
    assert set(table["county"]) == {"云溪县"} and len(table) == len(findings)
    assert str(pq.read_schema(written[-1]).field("年度").type) == "int64"
    assert str(pq.read_schema(written[-1]).field("户主证件号码").type) == "string"

    city = tmp_path / "市"
    yx = city / "云溪县"
    shutil.copytree(counties["云溪县"].out, yx)
    shutil.copy(written[-1], yx / "measures.parquet")
    manifest = json.loads((yx / "manifest.json").read_text(encoding="utf-8"))
    manifest["parquet"]["measures"] = "measures.parquet"
    (yx / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(counties["石门县"].out, city / "石门县")  # no ledger: no coverage block either
    res = CliRunner().invoke(main, ["rollup", str(city), "-o", str(tmp_path / "汇总")])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "汇总" / "全市汇总.xlsx")
    ws = wb["帮扶措施"]
    header = [c.value for c in ws[2]]
    rows = pd.DataFrame(list(ws.iter_rows(min_row=3, values_only=True)), columns=header)
    assert header[:2] == ["县", "检查项"] and set(rows["县"]) == {"云溪县"}
    assert set(rows["检查项"]) == set(findings["检查项"])
    assert rows["条数"].sum() == len(findings)
    assert rows["涉及户数"].sum() == carded["hh_key"].nunique()


def test_engine_settings(tmp_path):
    from fourcard_excel.rollup import engine

    con = engine.connect(None, memory_limit="512MB", threads=1, temp_dir=tmp_path)
    settings = dict(con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                "('memory_limit', 'threads', 'enable_progress_bar', 'temp_directory')").fetchall())
    assert settings["threads"] == "1" and settings["enable_progress_bar"] == "false"
    assert settings["memory_limit"].replace(" ", "").startswith(("512", "488")) and str(tmp_path) in settings["temp_directory"]


def test_warnings_for_different_dates_and_a_short_read(tmp_path):
    from fourcard_excel.rollup import county_notes
    from fourcard_excel.rollup.discover import CountyRun

    def run(name, as_of, households):
        return CountyRun(folder=tmp_path / name, county=name, manifest={
            "as_of": as_of, "rules": {"path": "rules.toml", "sha256": "ab" * 32},
            "counts": {"input_files": 3, "rows_read": 90, "member_rows": 88, "households": households}})

    totals = pd.DataFrame({"county": ["云溪县", "青山县"], "households": [30, 25], "members": [88, 70]})
    notes, warnings = county_notes([run("云溪县", "2024-03-18", 30), run("青山县", "2024-06-30", 27)], totals)
    assert notes["汇总户数"].tolist() == [30, 25]
    assert any("评定基准日不同" in w and "2024-06-30：青山县" in w for w in warnings)
    assert any(w.startswith("青山县：清单记录 27 户，汇总读到 25 户") for w in warnings)
    assert not any("规则文件不同" in w for w in warnings)


def test_manifest_parquet_names_outside_the_county_folder_are_ignored(tmp_path):
    from fourcard_excel.rollup.discover import load_county

    outside = tmp_path / "别处" / "households.parquet"
    outside.parent.mkdir()
    outside.write_bytes(b"PAR1")
    county = tmp_path / "云溪县"
    county.mkdir()
    (county / "members.parquet").write_bytes(b"PAR1")
    (county / "manifest.json").write_text(json.dumps({
        "program": "fourcard-excel", "county": "云溪县", "counts": {},
        "parquet": {"households": str(outside), "issues": "../别处/households.parquet",
                    "members": "members.parquet"}}, ensure_ascii=False), encoding="utf-8")
    run = load_county(county)
    assert run.parquet == {"members": (county / "members.parquet").resolve()}


def test_csv_fallback_undoes_every_escape_the_csv_writer_makes():
    import duckdb

    from fourcard_excel.rollup.engine import _unescape
    from fourcard_excel.write.csvs import escape_text

    values = ["-500", "=A1", "@张三", "\t李四", "+86 138", "'王五", "赵六", ""]
    written = escape_text(pd.Series(values))
    assert written.tolist()[3] == "'\t李四"
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"x": written}))
    assert [r[0] for r in con.execute(f"SELECT {_unescape('x')} FROM t").fetchall()] == values


# --- #13's measures coverage in the roll-up (青山县 keeps a 帮扶措施台账; the others do not) ---

ENTITLEMENTS = [("红卡", "产业分红"), ("红卡", "兜底保障A类"), ("黄卡", "兜底保障B类")]  # required in rules.toml


def county_coverage_sheet(out):
    """The 帮扶措施 sheet of a county's 全县汇总.xlsx (#13): per township + 全县, wide."""
    ws = openpyxl.load_workbook(out / "全县汇总.xlsx")["帮扶措施"]
    header = [c.value for c in ws[2]]
    return pd.DataFrame(list(ws.iter_rows(min_row=3, values_only=True)), columns=header).set_index("乡镇")


def city_coverage_block(path):
    """(coverage rows with their fill colours, findings rows) of 全市汇总.xlsx's 帮扶措施 sheet."""
    ws = openpyxl.load_workbook(path)["帮扶措施"]
    rows = list(ws.iter_rows(min_row=2))
    header = [c.value for c in rows[0]]
    cov, fills, i = [], [], 1
    while i < len(rows) and rows[i][0].value is not None:
        cov.append([c.value for c in rows[i]])
        fills.append(rows[i][0].fill.fgColor.rgb if rows[i][0].fill.fill_type == "solid" else "")
        i += 1
    cov = pd.DataFrame(cov, columns=header).assign(fill=fills)
    findings_header = [c.value for c in rows[i + 2] if c.value is not None]
    findings = pd.DataFrame([[c.value for c in r][:len(findings_header)] for r in rows[i + 3:] if r[0].value],
                            columns=findings_header)
    return cov, findings, [c.number_format for c in rows[1]][header.index("覆盖率")]


def test_process_writes_measures_coverage_parquet(counties):
    out = counties["青山县"].out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parquet"]["measures_coverage"] == "measures_coverage.parquet"
    assert "measures_coverage.parquet" in {o["file"] for o in manifest["outputs"]}
    schema = pq.read_schema(out / "measures_coverage.parquet")
    assert [(f.name, str(f.type)) for f in schema] == [
        ("county", "string"), ("township", "string"), ("card", "string"), ("measure", "string"),
        ("due", "int64"), ("done", "int64")]
    assert [schema.field(k).metadata[b"label"].decode() for k in ("due", "done", "measure")] == [
        "应享户数", "已落实户数", "措施"]
    cov = pq.read_table(out / "measures_coverage.parquet").to_pandas()
    sheet = county_coverage_sheet(out)
    towns = sorted(set(read_csv(out / "households.csv")["乡镇"]))
    assert set(cov["county"]) == {"青山县"} and sorted(set(cov["township"])) == towns  # no 全县 row
    assert sorted(zip(cov["township"], cov["card"], cov["measure"])) == sorted(
        (t, c, m) for c, m in ENTITLEMENTS for t in towns)
    for row in cov.itertuples():
        label = f"{row.card}{row.measure}"
        assert (row.due, row.done) == (sheet.loc[row.township, f"{label}应享户数"],
                                       sheet.loc[row.township, f"{label}已落实户数"])
    # a county that kept no ledger writes none
    for name in ("云溪县", "石门县"):
        assert not (counties[name].out / "measures_coverage.parquet").exists()
        assert "measures_coverage" not in json.loads(
            (counties[name].out / "manifest.json").read_text(encoding="utf-8"))["parquet"]


def test_city_sheet_shows_measures_coverage_per_county(counties, rolled):
    out, db, _ = rolled
    cov, findings, pct = city_coverage_block(out / "全市汇总.xlsx")
    assert list(cov.columns[:6]) == ["县", "卡别", "措施", "应享户数", "已落实户数", "覆盖率"] and pct == "0.0%"
    assert set(cov["县"]) == {"青山县", "合计"}  # 云溪县 and 石门县 kept no ledger: absent
    mine = cov[cov["县"] == "青山县"]
    assert list(zip(mine["卡别"], mine["措施"])) == ENTITLEMENTS
    whole = county_coverage_sheet(counties["青山县"].out).loc["全县"]
    parquet = pq.read_table(counties["青山县"].out / "measures_coverage.parquet").to_pandas()
    sums = parquet.groupby(["card", "measure"])[["due", "done"]].sum()
    for row in mine.itertuples():
        label = f"{row.卡别}{row.措施}"
        assert row.应享户数 == whole[f"{label}应享户数"] == sums.loc[(row.卡别, row.措施), "due"]
        assert row.已落实户数 == whole[f"{label}已落实户数"] == sums.loc[(row.卡别, row.措施), "done"]
        if row.应享户数:
            assert row.覆盖率 == pytest.approx(row.已落实户数 / row.应享户数) == pytest.approx(whole[f"{label}覆盖率"])
        else:
            assert pd.isna(row.覆盖率)  # nothing due: an empty cell, not 0 %
    # red exactly where below 100 % (兜底保障A类: one of three 红卡 households), nothing for 0 due
    below = cov["覆盖率"].notna() & (cov["覆盖率"].fillna(1) < 1)
    assert below.any() and (~below).any()
    assert (cov.loc[below, "fill"] == "FFF4CCCC").all() and (cov.loc[~below, "fill"] == "").all()
    # the findings per 检查项 stay below, from measures.csv
    measures = read_csv(counties["青山县"].out / "measures.csv")
    got = findings.set_index("检查项")["条数"].to_dict()
    assert set(findings["县"]) == {"青山县"} and got == measures["检查项"].value_counts().to_dict()
    # the kept database has the view
    res = CliRunner().invoke(main, ["rollup", "--db", str(db), "--sql",
                                    "SELECT county, SUM(due) AS due FROM measures_coverage GROUP BY county"])
    assert res.exit_code == 0 and "青山县" in res.output and str(int(parquet["due"].sum())) in res.output


def test_city_coverage_sums_each_county_and_the_city(counties, tmp_path):
    """Two counties with a ledger: each county's rows are its own townships' sums, 合计 the city's."""
    city = tmp_path / "市"
    shutil.copytree(counties["青山县"].out, city / "青山县")
    twin = city / "北岭县"
    shutil.copytree(counties["青山县"].out, twin)
    manifest = json.loads((twin / "manifest.json").read_text(encoding="utf-8"))
    manifest["county"] = "北岭县"  # its Parquet files still say 青山县: the roll-up maps them by file
    (twin / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    table = pq.read_table(twin / "measures_coverage.parquet").to_pandas()
    table["done"] = table["due"]  # 北岭县 covered everyone
    from fourcard_excel.write.parquet import COVERAGE_KEYS, frame_table, write_table

    write_table(frame_table(table, "measures_coverage", list(COVERAGE_KEYS), "青山县"),
                twin / "measures_coverage.parquet")
    shutil.copytree(counties["石门县"].out, city / "石门县")
    res = CliRunner().invoke(main, ["rollup", str(city), "-o", str(tmp_path / "汇总")])
    assert res.exit_code == 0, res.output
    cov, _, _ = city_coverage_block(tmp_path / "汇总" / "全市汇总.xlsx")
    assert cov["县"].drop_duplicates().tolist() == ["北岭县", "青山县", "合计"]
    by = {c: g.set_index("措施") for c, g in cov.groupby("县")}
    sums = table.groupby("measure")[["due"]].sum()["due"]
    own = pq.read_table(counties["青山县"].out / "measures_coverage.parquet").to_pandas().groupby("measure")["done"].sum()
    for measure, due in sums.items():
        assert by["北岭县"].loc[measure, "已落实户数"] == due == by["青山县"].loc[measure, "应享户数"]
        assert by["青山县"].loc[measure, "已落实户数"] == own[measure]
        assert by["合计"].loc[measure, "应享户数"] == 2 * due
        assert by["合计"].loc[measure, "已落实户数"] == due + own[measure]
    assert (by["北岭县"]["fill"] == "").all()  # 100 % everywhere: no red
    assert (by["合计"].loc["兜底保障A类", "fill"]) == "FFF4CCCC"


def test_coverage_long_takes_card_and_measure_from_the_entitlements():
    from types import SimpleNamespace

    from fourcard_excel.checks.measures.aggregates import coverage_long
    from fourcard_excel.rules.ruleset import load_rules
    from fourcard_excel.write.parquet import coverage_frame

    wide = pd.DataFrame({"乡镇": ["城关镇", "白沙镇", "全县"],
                         "红卡兜底保障A类应享户数": [6, 1, 7], "红卡兜底保障A类已落实户数": [5, 1, 6],
                         "红卡兜底保障A类覆盖率": [5 / 6, 1.0, 6 / 7],
                         "蓝卡其他应享户数": [1, 0, 1], "蓝卡其他已落实户数": [0, 0, 0], "蓝卡其他覆盖率": [0.0, None, 0.0]})
    # no measures_entitlements in the outputs: the required entitlements of the rules file name them
    long = coverage_frame(SimpleNamespace(outputs={"measures_coverage": wide}, rules=load_rules()))
    assert long.to_dict("list") == {
        "township": ["城关镇", "白沙镇", "城关镇", "白沙镇"], "card": ["红卡", "红卡", "", ""],
        "measure": ["兜底保障A类", "兜底保障A类", "蓝卡其他", "蓝卡其他"], "due": [6, 1, 1, 0], "done": [5, 1, 0, 0]}
    assert str(long["due"].dtype) == "int64"
    assert coverage_long(wide, [("蓝卡", "其他")])["card"].tolist() == ["", "", "蓝卡", "蓝卡"]
    assert coverage_frame(SimpleNamespace(outputs={"measures_coverage": None}, rules=None)) is None
