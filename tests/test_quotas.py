"""公益岗位: quota minimums, PV income share, holders and candidates (library, synthetic frames)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fourcard_excel import issues as iss
from fourcard_excel.checks import quotas
from fourcard_excel.ingest.ids import make_id
from fourcard_excel.result import RunResult

# The [quotas] section of the rules file (docs/ARCHITECTURE.md, contract 4).
QUOTAS = {
    "county_total": 520,
    "county_level": 60,
    "township_supervised": 30,
    "township_other": 20,
    "village_poor_pv": 3,
    "village_poor_or_supervised": 2,
    "village_other": 1,
    "pv_share_min": 0.80,
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英桂兰志强红梅德华春生玉兰海燕国庆"


def person(i: int) -> tuple[str, str]:
    """A realistic name and a valid ID, distinct per i."""
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 2) % len(GIVEN)] + GIVEN[(i * 2 + 1) % len(GIVEN)]
    year = 1960 + i % 40
    return name, make_id("431021", f"{year}0{1 + i % 9}1{i % 9}", i % 1000)


def posts_frame(rows: list[tuple[str, str, str]], start: int = 0, name: str = "环境卫生保洁员") -> pd.DataFrame:
    """Posts roster with registry keys: rows of (设岗层级, 乡镇, 行政村)."""
    out = []
    for k, (level, town, village) in enumerate(rows):
        nm, pid = person(start + k)
        out.append({"post_name": name, "post_level": level, "township": town, "village": village,
                    "name": nm, "id_number": pid, "monthly_wage": 500.0, "fund_source": "财政",
                    "source_file": "公益岗位花名册.xlsx", "source_sheet": "Sheet1", "source_row": k + 3})
    return pd.DataFrame(out)


def village_row(town: str, village: str, poor=False, sup_village=False, pv=False, sup_town=False,
                pv_income=float("nan"), pv_used=float("nan")) -> dict:
    return {"township": town, "village": village, "poor_village": poor, "supervised_village": sup_village,
            "has_pv": pv, "supervised_township": sup_town, "pv_income": pv_income,
            "pv_to_yellow_wages": pv_used, "source_file": "村情表.xlsx", "source_sheet": "村情表",
            "source_row": 2}


def villages_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["source_row"] = range(2, len(df) + 2)
    return df


def row(frame: pd.DataFrame, level: str, town: str = "", village: str = "") -> pd.Series:
    hit = frame[(frame["层级"] == level) & (frame["乡镇"] == town) & (frame["行政村"] == village)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def assert_row(r: pd.Series, required: int, actual: int) -> None:
    assert r["要求"] == required
    assert r["实际"] == actual
    assert r["缺口"] == max(required - actual, 0)
    assert r["是否达标"] == ("是" if actual >= required else "否")


# ------------------------------------------------------------------ minimums at/below/above

@pytest.mark.parametrize("n", [519, 520, 521])
def test_county_total_all_levels(n):
    # mix of levels: all count toward the county total
    levels = [("县级", "", ""), ("乡镇级", "城关镇", ""), ("村级", "城关镇", "东风村")]
    posts = posts_frame([levels[i % 3] for i in range(n)])
    vill = villages_frame([village_row("城关镇", "东风村")])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert_row(row(out, "全县"), 520, n)


@pytest.mark.parametrize("n", [59, 60, 61])
def test_county_level_posts(n):
    posts = posts_frame([("县级", "", "")] * n + [("乡镇级", "城关镇", "")] * 5)
    out = quotas.check_quotas(posts, None, QUOTAS)
    assert_row(row(out, "县级"), 60, n)
    assert_row(row(out, "全县"), 520, n + 5)


@pytest.mark.parametrize("n", [29, 30, 31])
def test_supervised_township(n):
    posts = posts_frame([("乡镇级", "白马镇", "")] * n + [("村级", "白马镇", "青山村")] * 4)
    vill = villages_frame([village_row("白马镇", "青山村", sup_town=True)])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    r = row(out, "乡镇", "白马镇")
    assert_row(r, 30, n)  # village-level posts do not count toward the township minimum
    assert r["依据"] == "挂牌督战乡镇"


@pytest.mark.parametrize("n", [19, 20, 21])
def test_ordinary_township(n):
    posts = posts_frame([("乡镇级", "城关镇", "")] * n)
    vill = villages_frame([village_row("城关镇", "东风村")])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    r = row(out, "乡镇", "城关镇")
    assert_row(r, 20, n)
    assert r["依据"] == "一般乡镇"


VILLAGE_KINDS = [
    # (flags, minimum, basis)
    (dict(poor=True, pv=True), 3, "有光伏电站的贫困村"),
    (dict(poor=True), 2, "贫困村"),
    (dict(sup_village=True), 2, "挂牌督战村"),
    (dict(), 1, "非贫困村"),
]


@pytest.mark.parametrize("flags,minimum,basis", VILLAGE_KINDS)
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_village_minimums(flags, minimum, basis, delta):
    n = minimum + delta
    posts = posts_frame([("村级", "城关镇", "石门村")] * n + [("乡镇级", "城关镇", "石门村")] * 3)
    vill = villages_frame([village_row("城关镇", "石门村", **flags)])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    r = row(out, "村", "城关镇", "石门村")
    assert_row(r, minimum, n)  # township-level posts placed in the village do not count for it
    assert r["依据"] == basis


def test_village_with_no_posts_is_checked():
    posts = posts_frame([("村级", "城关镇", "东风村")] * 2)
    vill = villages_frame([village_row("城关镇", "东风村", poor=True),
                           village_row("城关镇", "柳树村", poor=True, pv=True),
                           village_row("城关镇", "杨家村")])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert_row(row(out, "村", "城关镇", "柳树村"), 3, 0)
    assert_row(row(out, "村", "城关镇", "杨家村"), 1, 0)
    assert_row(row(out, "村", "城关镇", "东风村"), 2, 2)


def test_supervised_township_takes_precedence():
    # one village row marks the township 挂牌督战: the whole township needs 30, not 20
    posts = posts_frame([("乡镇级", "龙潭乡", "")] * 25)
    vill = villages_frame([village_row("龙潭乡", "上坪村"), village_row("龙潭乡", "下坪村", sup_town=True)])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert_row(row(out, "乡镇", "龙潭乡"), 30, 25)
    # 挂牌督战 village that is also poor with PV takes the higher (first) minimum
    vill2 = villages_frame([village_row("龙潭乡", "上坪村", poor=True, pv=True, sup_village=True),
                            village_row("龙潭乡", "下坪村", poor=True, sup_village=True)])
    out2 = quotas.check_quotas(posts_frame([("村级", "龙潭乡", "上坪村")] * 2), vill2, QUOTAS)
    assert_row(row(out2, "村", "龙潭乡", "上坪村"), 3, 2)
    assert row(out2, "村", "龙潭乡", "下坪村")["依据"] == "贫困村、挂牌督战村"


def test_ordinary_vs_supervised_township_same_count():
    posts = posts_frame([("乡镇级", "城关镇", "")] * 25 + [("乡镇级", "白马镇", "")] * 25)
    vill = villages_frame([village_row("城关镇", "东风村"), village_row("白马镇", "青山村", sup_town=True)])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert row(out, "乡镇", "城关镇")["是否达标"] == "是"
    assert row(out, "乡镇", "白马镇")["是否达标"] == "否"


def test_township_lists_union_and_order():
    posts = posts_frame([("乡镇级", "白马镇", ""), ("县级", "", "")])
    vill = villages_frame([village_row("城关镇", "东风村"), village_row("城关镇", "柳树村")])
    out = quotas.check_quotas(posts, vill, QUOTAS, townships=["龙潭乡", "城关镇", ""])
    towns = out.loc[out["层级"] == "乡镇", "乡镇"].tolist()
    assert towns == sorted(["白马镇", "城关镇", "龙潭乡"])
    assert_row(row(out, "乡镇", "龙潭乡"), 20, 0)  # from the rosters only, no posts
    assert out["层级"].tolist() == ["全县", "县级", "乡镇", "乡镇", "乡镇", "村", "村"]
    assert out.loc[out["层级"] == "村", "行政村"].tolist() == sorted(["东风村", "柳树村"])
    assert list(out.columns[:7]) == quotas.QUOTA_COLUMNS


def test_names_normalised_and_township_filled_from_table():
    posts = posts_frame([("村级", " 城关镇", "东风村 "), ("村级", "", "东风村"), ("村级", "", "柳树村")])
    vill = villages_frame([village_row("城关镇", "东风村"), village_row("城关镇", "柳树村"),
                           village_row("白马镇", "柳树村")])  # 柳树村 is ambiguous
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert row(out, "村", "城关镇", "东风村")["实际"] == 2
    assert row(out, "村", "城关镇", "柳树村")["实际"] == 0
    un = quotas.unplaced_posts(posts, vill)
    assert len(un) == 1 and un.iloc[0]["unplaced_reason"] == "所在村不在村情表中"


def test_unplaced_posts_count_in_total_only():
    posts = posts_frame([("村级", "城关镇", "不存在村"), ("乡镇级", "", ""), ("村级", "城关镇", "东风村"),
                         ("其他", "城关镇", "")])
    vill = villages_frame([village_row("城关镇", "东风村")])
    out = quotas.check_quotas(posts, vill, QUOTAS)
    assert row(out, "全县")["实际"] == 4
    assert row(out, "乡镇", "城关镇")["实际"] == 0
    assert row(out, "村", "城关镇", "东风村")["实际"] == 1
    un = quotas.unplaced_posts(posts, vill)
    assert sorted(un["unplaced_reason"]) == sorted(["所在村不在村情表中", "乡镇级岗位未填写乡镇", "设岗层级无法识别"])
    # without a village table, village-level posts are not listed as unplaced
    assert "所在村不在村情表中" not in quotas.unplaced_posts(posts, None)["unplaced_reason"].tolist()


def test_text_yes_no_flags_accepted():
    vill = pd.DataFrame([{"township": "白马镇", "village": "青山村", "poor_village": "是", "has_pv": "是",
                          "supervised_village": "否", "supervised_township": "是"}])
    out = quotas.check_quotas(posts_frame([]), vill, QUOTAS)
    assert row(out, "村", "白马镇", "青山村")["要求"] == 3
    assert row(out, "乡镇", "白马镇")["要求"] == 30


def test_configured_minimums_used():
    cfg = {**QUOTAS, "village_other": 2, "township_other": 5}
    posts = posts_frame([("乡镇级", "城关镇", "")] * 5)
    out = quotas.check_quotas(posts, villages_frame([village_row("城关镇", "东风村")]), cfg)
    assert_row(row(out, "乡镇", "城关镇"), 5, 5)
    assert row(out, "村", "城关镇", "东风村")["要求"] == 2


# ------------------------------------------------------------------ PV share

@pytest.mark.parametrize("used,met", [(7999.0, "否"), (8000.0, "是"), (8001.0, "是")])
def test_pv_share_at_below_above(used, met):
    vill = villages_frame([village_row("白马镇", "青山村", poor=True, pv=True, pv_income=10000.0, pv_used=used)])
    out = quotas.pv_share(vill, 0.80)
    assert len(out) == 1
    r = out.iloc[0]
    assert r["是否达标"] == met
    assert r["比例（%）"] == pytest.approx(used / 100)
    assert r["要求（%）"] == 80


def test_pv_share_only_where_given():
    vill = villages_frame([
        village_row("白马镇", "青山村", pv=True),  # no figures
        village_row("白马镇", "石桥村", pv=True, pv_income=0.0, pv_used=0.0),  # no income
        village_row("白马镇", "红岩村", pv=True, pv_income=20000.0),  # use not given
        village_row("白马镇", "金竹村", pv=True, pv_income=20000.0, pv_used=0.0),  # given as 0
    ])
    out = quotas.pv_share(vill, 0.80)
    assert out["行政村"].tolist() == ["金竹村"]
    assert out.iloc[0]["是否达标"] == "否"
    assert len(quotas.pv_share(None)) == 0


# ------------------------------------------------------------------ holders and candidates

def household_data():
    """Members and classified households (contracts 1-3, the columns quotas reads)."""
    fam = {
        # hh_key: (card, [(name, id, labour)], priority_score)
        "城关镇|001": ("黄卡", [("王建国", make_id("431021", "19700312", 11), "普通劳动力"),
                                ("李秀英", make_id("431021", "19720508", 12, female=True), "普通劳动力")], 1),
        "城关镇|002": ("黄卡", [("张志强", make_id("431021", "19650101", 21), "弱劳动力或半劳动力")], 2),
        "城关镇|003": ("黄卡", [("刘德华", make_id("431021", "19400101", 31), "丧失劳动力")], 3),
        "城关镇|004": ("绿卡", [("陈春生", make_id("431021", "19800101", 41), "普通劳动力")], 0),
        "白马镇|005": ("黄卡", [("杨海燕", make_id("431021", "19850707", 51, female=True), "技能劳动力")], 0),
        "白马镇|006": ("黄卡", [("赵国庆", make_id("431021", "19791001", 61), "普通劳动力")], 2),
        "白马镇|007": ("红卡", [("吴玉兰", make_id("431021", "19500202", 72, female=True), "无劳动力")], 0),
    }
    mem_rows, hh_rows = [], []
    for key, (card, people, score) in fam.items():
        town = key.split("|")[0]
        able = sum(p[2] in ("普通劳动力", "技能劳动力") for p in people)
        weak = sum(p[2] == "弱劳动力或半劳动力" for p in people)
        for j, (nm, pid, lab) in enumerate(people):
            mem_rows.append({"hh_key": key, "township": town, "village": "东风村", "name": nm,
                             "id_number": pid, "labour": lab, "is_head": j == 0})
        hh_rows.append({"hh_key": key, "township": town, "village": "东风村", "household_id": key[-3:],
                        "head_name": people[0][0], "head_id": people[0][1], "size": len(people),
                        "labour_able": able, "labour_weak": weak, "no_labour_household": able + weak == 0,
                        "per_capita": 4200.0, "card": card, "priority_score": score,
                        "priority_factors": "有大病或残疾成员" if score else "",
                        "source_file": f"{town}.xlsx", "source_sheet": "花名册", "source_row": 4})
    return pd.DataFrame(mem_rows), pd.DataFrame(hh_rows), fam


def holder_posts(fam) -> pd.DataFrame:
    spouse_id = fam["城关镇|001"][1][1][1].replace("X", "x")  # a non-head member, lowercase x
    rows = [
        ("村级", "城关镇", "东风村", "李秀英", spouse_id),  # 黄卡 via a member: ok
        ("村级", "城关镇", "东风村", "陈春生", fam["城关镇|004"][1][0][1]),  # 绿卡: not priority
        ("乡镇级", "白马镇", "", "杨海燕", fam["白马镇|005"][1][0][1]),  # 黄卡 head: ok
        ("村级", "城关镇", "东风村", "孙红梅", make_id("431021", "19900909", 99, female=True)),  # unknown
        ("县级", "", "", "周志强", ""),  # no ID
    ]
    out = posts_frame([r[:3] for r in rows], name="护林防火员")
    out["name"] = [r[3] for r in rows]
    out["id_number"] = [r[4] for r in rows]
    return out


def test_match_holders():
    members, households, fam = household_data()
    m = quotas.match_holders(holder_posts(fam), households, members)
    h = m.holders.set_index("姓名")
    assert h.loc["李秀英", "核对结果"] == "黄卡户" and h.loc["李秀英", "家庭识别码"] == "城关镇|001"
    assert h.loc["陈春生", "核对结果"] == "非黄卡户" and h.loc["陈春生", "所在户卡别"] == "绿卡"
    assert h.loc["孙红梅", "核对结果"] == "花名册中找不到" and h.loc["孙红梅", "所在户卡别"] == ""
    assert h.loc["周志强", "核对结果"] == "证件号码为空"
    assert sorted(m.flagged["姓名"]) == sorted(["陈春生", "孙红梅", "周志强"])
    assert list(m.flagged.columns) == quotas.HOLDER_COLUMNS
    s = m.summary
    assert (s["posts"], s["matched"], s["priority"], s["not_priority"], s["not_found"]) == (5, 3, 2, 1, 2)
    assert s["share"] == pytest.approx(2 / 5)


def test_candidates_sorted_by_priority():
    members, households, fam = household_data()
    m = quotas.match_holders(holder_posts(fam), households, members)
    # 001 and 005 hold posts, 003 has no labour, 004/007 are not 黄卡; 002 has weak labour only
    assert m.candidates["家庭识别码"].tolist() == ["城关镇|002", "白马镇|006"]
    assert m.candidates["优先分"].tolist() == [2, 2]
    assert m.candidates["弱劳动力人数"].tolist() == [1, 0]
    # a higher score comes first regardless of township order
    households.loc[households["hh_key"] == "白马镇|006", "priority_score"] = 3
    m2 = quotas.match_holders(holder_posts(fam), households, members)
    assert m2.candidates["家庭识别码"].tolist() == ["白马镇|006", "城关镇|002"]


def test_no_posts_share_is_none():
    members, households, _ = household_data()
    m = quotas.match_holders(None, households, members)
    assert m.summary["share"] is None and m.summary["posts"] == 0
    assert len(m.candidates) == 4  # every 黄卡 household with labour


# ------------------------------------------------------------------ run / write

class FakeRules:
    def __init__(self, section: dict):
        self._section = section

    def section(self, name: str) -> dict:
        return self._section if name == "quotas" else {}


def make_result(tables: dict, rules=None) -> RunResult:
    members, households, _ = household_data()
    return RunResult(members=members, households=households, issues=iss.empty_frame(),
                     files=pd.DataFrame(), rules=rules or FakeRules(QUOTAS), as_of=dt.date(2024, 3, 18),
                     input_root=Path("."), tables=tables)


def test_run_without_posts_only_hints():
    res = make_result({})
    quotas.run(res)
    assert res.sheets == {} and "quotas" not in res.outputs
    assert res.issues["级别"].tolist() == ["提示"]
    assert quotas.write(res, Path("/nonexistent-never-written")) == []


def test_run_full(tmp_path):
    _, _, fam = household_data()
    posts = pd.concat([holder_posts(fam), posts_frame([("村级", "城关镇", "无名村")], start=500)],
                      ignore_index=True)
    vill = villages_frame([
        village_row("城关镇", "东风村", poor=True, pv=True, pv_income=10000.0, pv_used=5000.0),
        village_row("白马镇", "青山村", sup_town=True, pv=True, pv_income=8000.0, pv_used=7000.0),
    ])
    res = make_result({"posts": posts, "villages": vill})
    quotas.run(res)

    q = res.outputs["quotas"]
    assert list(q.columns) == quotas.QUOTA_COLUMNS
    assert q["层级"].tolist() == ["全县", "县级", "乡镇", "乡镇", "村", "村"]
    sheet = res.sheets["公益岗位"]
    fills = dict(zip(sheet.frame["层级"] + sheet.frame["乡镇"] + sheet.frame["行政村"], sheet.row_fill))
    assert fills["全县"] == "#FFC7CE"  # 6 < 520
    assert fills["村城关镇东风村"] == "#C6EFCE"  # 3 village posts, 有光伏电站的贫困村 needs 3
    assert fills["村白马镇青山村"] == "#FFC7CE"  # 0 < 1
    assert set(sheet.row_fill) <= {"#FFC7CE", "#C6EFCE"}
    assert "黄卡户聘用2个" in sheet.title

    codes = res.issues["代码"].value_counts().to_dict()
    assert codes["Q001"] == len(q[q["是否达标"] == "否"])
    assert codes["Q002"] == 1 and codes["Q003"] == 3  # unknown, no ID, the extra post's holder
    assert codes["Q004"] == 2 and codes["Q005"] == 1 and codes["Q007"] == 1
    q2 = res.issues[res.issues["代码"] == "Q002"].iloc[0]
    assert "绿卡" in q2["说明"] and q2["文件"] == "公益岗位花名册.xlsx" and q2["行号"] == 4
    q5 = res.issues[res.issues["代码"] == "Q005"].iloc[0]
    assert "东风村" in q5["说明"] and "50%" in q5["说明"]
    assert set(res.issues["级别"]) <= {"警告", "提示"}

    assert res.outputs["pv_share"]["是否达标"].tolist() == ["否", "是"]  # 城关镇 < 白马镇 in code order
    assert res.sheets["光伏收益使用"].row_fill.tolist() == ["#FFC7CE", "#C6EFCE"]
    assert len(res.outputs["post_holders"]) == 4
    assert res.outputs["post_candidates"]["家庭识别码"].tolist() == ["城关镇|002", "白马镇|006"]
    assert res.outputs["post_summary"]["unplaced"] == 1

    paths = quotas.write(res, tmp_path)
    assert paths == [tmp_path / "quotas.csv"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["层级", "乡镇", "行政村", "要求", "实际", "缺口", "是否达标"]
    assert back["层级"].tolist() == q["层级"].tolist()
    assert set(back["是否达标"]) == {"是", "否"}
    assert back.iloc[0].tolist() == ["全县", "", "", "520", "6", "514", "否"]


def test_run_reads_rules_section():
    posts = posts_frame([("县级", "", "")] * 3)
    res = make_result({"posts": posts}, rules=FakeRules({**QUOTAS, "county_total": 3, "county_level": 3}))
    quotas.run(res)
    q = res.outputs["quotas"]
    assert q.iloc[0]["是否达标"] == "是" and q.iloc[1]["是否达标"] == "是"
    assert "Q006" in set(res.issues["代码"])  # no village table: said so


def test_write_is_deterministic_and_formula_safe(tmp_path):
    posts = posts_frame([("乡镇级", "=HYPERLINK(1)", ""), ("乡镇级", "白马镇", "")])
    res = make_result({"posts": posts})
    quotas.run(res)
    quotas.write(res, tmp_path / "a")
    # same input in reverse order gives the same file
    res2 = make_result({"posts": posts.iloc[::-1].reset_index(drop=True)})
    quotas.run(res2)
    quotas.write(res2, tmp_path / "b")
    a = (tmp_path / "a" / "quotas.csv").read_bytes()
    assert a == (tmp_path / "b" / "quotas.csv").read_bytes()
    text = a.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
