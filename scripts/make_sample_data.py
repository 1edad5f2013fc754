"""Generate sample_data/: the township rosters and side tables of a fictional county (云溪县).

    python scripts/make_sample_data.py [--out sample_data] [--seed 2024] [--scale 1.0] [--townships N]

Deterministic: the same seed gives byte-identical files (fixed workbook dates, xlsxwriter's fixed zip
timestamps, xlwt and CSV have none). ``generate(out_dir, seed, scale)`` is importable for benchmarks:
``generate(dir, scale=9, n_townships=20)`` gives about 200,000 member rows in 20 townships.

Besides the inputs it writes 说明.md (what each file holds and its deliberate problems, with rows)
and 预期结果.json (answer key: every household's file/sheet/row and expected card under the SPEC
rules at as_of 2024-03-18, the boundary cases, the deliberate problems and side-table findings).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sample_county as sc  # noqa: E402
import sample_national as sn  # noqa: E402
import sample_tables as stab  # noqa: E402
import sample_writers as sw  # noqa: E402

sw.LAYOUTS.update(sn.LAYOUTS)

KEY_FILE = "预期结果.json"
README_FILE = "说明.md"
CARD_ORDER = ("红卡", "黄卡", "绿卡", "蓝卡", sc.NOT_CARDED)


def _clean_previous(out: Path) -> None:
    """Remove the files a previous run listed in its key (never anything else)."""
    key = out / KEY_FILE
    if not key.exists():
        return
    try:
        old = json.loads(key.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for rel in old.get("files", []) + [KEY_FILE, README_FILE]:
        p = out / rel
        if p.is_file():
            p.unlink()


def generate(out_dir, seed: int = 2024, scale: float = 1.0, n_townships: int | None = None,
             national: bool | None = None) -> dict:
    """Write the sample county to ``out_dir``; return the answer key (also written as 预期结果.json).

    ``national`` adds the two townships laid out like the national exports (sample_national.py);
    by default only for the ordinary sample (scale ≤ 1.5, default township count)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clean_previous(out)
    c = sc.County(seed, scale, n_townships)
    sc.add_boundary_cases(c)
    sc.plan_problems(c)
    sc.classify_all(c)
    sc.declare_cards(c)
    if national is None:
        national = scale <= 1.5 and n_townships is None
    if national:
        sn.add_national(c, seed)

    files: list[str] = []
    file_notes: dict[str, str] = {}
    big = scale > 1.5
    household_level = set()
    for t in c.townships:
        tw, layout = t["name"], t["layout"]
        hs = [h for h in c.households if h.township == tw]
        if layout == "household":
            household_level.add(tw)
        written = sw.write_township(out, tw, layout, hs, big=big)
        files += written
        for f in written:
            file_notes[f] = tw
        if tw == "城关镇":
            files.append(sw.write_lock_file(out, written[0]))
        if tw == "双溪乡":
            files.append(sw.write_corrupt(out, tw))
    side = stab.write_side_tables(out, c, household_level)
    files += [f"附表/{n}" for n in ("村情表.xlsx", "公益岗位花名册.xlsx", "联系走访记录.xlsx", "抽查人员名单.xlsx",
                                           "帮扶措施台账.xlsx")]
    # keep git from touching line endings (the hashes are checked against a fresh generation)
    (out / ".gitattributes").write_text("* -text\n", encoding="ascii")
    files.append(".gitattributes")
    key = build_key(c, seed, scale, files, side)
    (out / KEY_FILE).write_text(dump_key(key), encoding="utf-8")
    (out / README_FILE).write_text(readme(c, key), encoding="utf-8")
    return key


def dump_key(key: dict) -> str:
    """JSON with one household per line (small and diff-friendly)."""
    head = {k: v for k, v in key.items() if k != "households"}
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    rows = ",\n  ".join(json.dumps(h, ensure_ascii=False, separators=(",", ":")) for h in key["households"])
    return text + ',\n "households": [\n  ' + rows + "\n ]\n}\n"


def _row_of(h: sc.Household, m: sc.Member | None = None) -> int:
    return (m.row if m is not None and m.row else h.head.row)


def build_key(c: sc.County, seed, scale, files, side) -> dict:
    cards = {}
    for t in c.townships:
        hs = [h for h in c.households if h.township == t["name"]]
        cards[t["name"]] = {
            "households": dict(Counter(h.card for h in hs)),
            "persons": dict(Counter(h.card for h in hs for _ in h.members)),
        }
    cases = []
    for case in sc.CASES:
        for h in c.households:
            if h.case == case.id:
                cases.append({"case": case.id, "desc": case.desc, "card": h.card, "rule": h.rule,
                              "exclusions": h.exclusions, "township": h.township, "village": h.village,
                              "file": h.file, "sheet": h.sheet, "row": h.head.row, "rows": [m.row for m in h.members],
                              "head_name": h.head.name, "head_id": h.head.id, "size": h.size,
                              "per_capita": round(h.per_capita, 2), "total_income": h.total,
                              "economic_income": h.economic})
    problems = []
    for p in c.problems:
        h, m = p["hh"], p["member"]
        problems.append({"code": p["code"], "level": p["level"], "desc": p["desc"], "township": h.township,
                         "file": h.file, "sheet": h.sheet, "row": _row_of(h, m),
                         "column": sw.header_of(h.township, p["column"]) if p["column"] else "",
                         "value": p["value"], "head_id": h.head.id, "name": (m or h.head).name})
    lower_x = []
    for h in c.households:
        if sw.style_for(h.township).lower_x:
            for m in h.members:
                if m.id.endswith("X") and "id_number" not in m.out:
                    lower_x.append({"file": h.file, "sheet": h.sheet, "row": m.row, "id": m.id})
    households = [[h.township, h.village, h.file, h.sheet, h.head.row, h.head.name, h.head.id, h.size,
                   round(h.per_capita, 2), h.card, h.rule, "、".join(h.exclusions), h.declared_latest,
                   h.case, "、".join(h.problems)] for h in c.households]
    disagree = sum(1 for h in c.households if h.declared and h.declared_latest != (h.card if h.card != sc.NOT_CARDED
                                                                                 else ""))
    return {
        "seed": seed, "scale": scale, "as_of": sc.AS_OF.isoformat(), "county": sc.COUNTY, "area_code": sc.AREA,
        "files": sorted(files),
        "townships": [{"name": t["name"], "supervised": t["supervised"], "layout": t["layout"],
                       "villages": [v["name"] for v in t["villages"]],
                       "households": sum(1 for h in c.households if h.township == t["name"]),
                       "members": sum(h.size for h in c.households if h.township == t["name"])}
                      for t in c.townships],
        "totals": {"households": len(c.households), "members": sum(h.size for h in c.households),
                   "cards": dict(Counter(h.card for h in c.households)),
                   "declared_latest_disagrees": disagree},
        "cards_by_township": cards,
        "boundary_cases": cases,
        "problems": problems,
        "lowercase_x_ids": lower_x,
        "side_tables": side,
        "household_columns": ["乡镇", "行政村", "文件", "工作表", "户主行号", "户主姓名", "户主证件号码", "家庭人口",
                              "人均纯收入", "预期卡别", "判定规则", "排除情形", "申报卡别（最后环节）", "边界用例",
                              "故意问题"],
        "households": households,
    }


LAYOUT_DESC = {
    "clean": "成员级花名册（每人一行），第1行标题、第2行表头，户信息在每个成员行重复；规范表头（证件号码、劳动技能）",
    "merged": "两行表头（“家庭成员情况”“收入情况（元）”“排除情形”“分类意见”等分组单元格横向合并，其余列上下合并），"
              "户信息单元格按户纵向合并覆盖成员行，村与村之间有空行，末尾有“合计”行和填表人/审核人/填报日期、注释行；"
              "别名表头：身份证号码、劳动力状况、身体状况、经营性收入、脱贫状态；收入为0的单元格留空",
    "household": "户级花名册（每户一行）：户主姓名、户主证件号码、户主年龄、家庭人口数，以及有劳动能力人数、弱劳动力人数、"
                 "患大病人数、残疾人数、重残人数、慢性病人数、全日制在校生人数；无“与户主关系”列",
    "csv": "GBK编码CSV（Excel另存为“CSV(逗号分隔)”的样子），第1行标题、第2行表头；别名表头：公民身份号码、劳动能力、"
           "工资性收入（元）、家庭总收入（元）、家庭人口数；年龄按“2024－出生年”填写（与周岁最多差1岁）",
    "xls": "旧版 .xls（BIFF8，xlwt写出），第1行合并标题；别名表头：身份证号、与户主的关系、家庭人口数、是否脱贫监测户；"
           "年龄按“2024－出生年”填写；人均纯收入取整",
    "instructions": "第1个工作表是“填表说明”，第2个是花名册，第3个“下拉选项”为隐藏工作表（数据有效性下拉列表来源）；"
                    "末位X的身份证号全部写成小写x；在校生状况写“非在校生”；收入为0留空",
    "numeric_ids": "两行标题（标题、填报单位/单位/统计时点）后是表头；别名表头带单位：身份证号码、劳动力状况、工资性收入（元）……、"
                   "返贫致贫风险；多选项用全角逗号“，”分隔；收入为0留空；部分身份证号以数值存储、校验位错误、出生日期无效",
    "money_strings": "同一乡镇两个文件，放在子文件夹“青山乡/”中（上片/下片按村划分，序号连续）；部分金额单元格为文本："
                     "“12,340”千分位、“3600元”带单位、全角数字",
    "per_village": "每个行政村一个工作表（工作表名即村名），每表有标题行；有户编号列（文本数字）；最后一个“汇总”工作表"
                   "（行政村/户数/人数，不是花名册）；卡别只有一列“四卡类别”（对应公示确定）；别名：脱贫状态、是否脱贫监测户、"
                   "是否有消费型汽车、是否房屋装修豪华",
    "variants": "取值用各种写法（均为允许的变体）：户属性“脱贫户/边缘易致贫户/一般户”，关系“妻子/儿子/女儿/母亲”，"
                "劳动技能“弱劳动力/丧失劳动能力”，在校生“初中/高中/大专/大学”，健康“慢性病/大病”，是否用“√”、否留空；"
                "无残疾等级列",
    "monitoring": "按全国防返贫监测信息系统2021年后“（自定义）监测对象信息”导出表的样子：第1行标题、第2行“导出时间”、"
                  "第3行表头，约130列（大部分与分类无关，原样保留到 members.csv）；户信息在每个成员行重复；乡/村/组；"
                  "户类型（脱贫户/普通农户/监测户）＋监测对象类别＋风险是否已消除；致贫/返贫风险1…5（因自然灾害、因产业项目失败等）；"
                  "在校生状况按年级（学前教育、七年级、普通高中一年级……，部分前有空格）；性别为代码1/2；出生日期YYYYMMDD；"
                  "部分残疾人的证件号码为20位残疾人证号（1个为22位）；没有排除情形、教育支出和申报卡别列",
    "jdlk2016": "按2016–2020年建档立卡系统花名册的样子：只含建档立卡户；县(市、区、旗)/乡(镇)/行政村/自然村、户编号、人编号、"
                "身份证号；无户类别列，有贫困户属性；脱贫属性用当时的写法（脱贫、预脱贫、已脱贫(享受政策)、"
                "已脱贫（不再享受政策）……）；在校生状况写“非在校生/学前教育/七年级/高中一年级/中职一年级/大专及以上”；"
                "户信息只在户主行；没有风险、排除情形、教育支出和申报卡别列",
}


def _md_row(cells) -> str:
    return "| " + " | ".join(str(x).replace("|", "／") for x in cells) + " |"


def readme(c: sc.County, key: dict) -> str:
    L = []
    a = L.append
    tot = key["totals"]
    a("# 样例数据说明（云溪县，虚构）\n")
    a("本目录由 `python scripts/make_sample_data.py --out sample_data --seed 2024` 生成，请勿手工修改；"
      "重新生成得到逐字节相同的文件。所有人名、身份证号、村名均为虚构（行政区划代码431299不对应真实县）。\n")
    a(f"- 评定日（as_of）：**{key['as_of']}**（年龄、60周岁单人户排除均按此日的周岁计算）")
    a(f"- 乡镇 {len(key['townships'])} 个（挂牌督战：" +
      "、".join(t["name"] for t in key["townships"] if t["supervised"]) + f"），户数 {tot['households']}，"
      f"人数 {tot['members']}")
    a("- 按SPEC默认规则的预期卡别（户）：" + "，".join(f"{k} {tot['cards'].get(k, 0)}" for k in CARD_ORDER)
      + f"；最后申报环节卡别与规则不一致的户：{tot['declared_latest_disagrees']}")
    a("- “城关镇”与“河口镇”各有一个“新华村”（同名村，须按乡镇+村区分）。")
    a(f"- 完整答案见 `{KEY_FILE}`：每户的文件/工作表/户主行号/预期卡别、边界用例、故意设置的问题及附表的不达标项。\n")
    a("## 文件\n")
    a(_md_row(("文件", "乡镇", "版式与特点")))
    a(_md_row(("---",) * 3))
    for t in key["townships"]:
        tw = t["name"]
        fs = sorted({h.file for h in c.households if h.township == tw})
        a(_md_row(("<br>".join(fs), f"{tw}（{t['households']}户/{t['members']}人，{len(t['villages'])}个村）",
                   LAYOUT_DESC[t["layout"]])))
    lock = [f for f in key["files"] if f.startswith("~$")]
    for f in lock:
        a(_md_row((f, "—", "Excel 打开文件时留下的锁文件（165字节），读取时应跳过")))
    for f in key["files"]:
        if f.endswith("补报名单.xlsx"):
            a(_md_row((f, "—", "损坏文件：记事本文本改名为 .xlsx（不是zip），应报告为无法读取且不影响其他文件")))
    a(_md_row(("附表/公益岗位花名册.xlsx", "全县", "公益岗位（第1行标题）：岗位名称、设岗层级、乡镇、行政村、姓名、证件号码、月工资、资金来源")))
    a(_md_row(("附表/村情表.xlsx", "全县", "每个行政村一行：是否贫困村、是否挂牌督战村、是否有光伏电站、所在乡镇是否挂牌督战、光伏年收益、"
                                        "光伏收益用于黄卡公益岗位工资")))
    a(_md_row(("附表/联系走访记录.xlsx", "部分村", "2023-04-01至2024-03-15帮扶干部联系记录：日期（文本yyyy-mm-dd）、帮扶干部、"
                                          "干部层级、户主证件号码、方式")))
    a(_md_row(("附表/抽查人员名单.xlsx", "全县", "县级抽查人员：姓名、单位、所在乡镇（县直单位人员为空）")))
    a(_md_row(("附表/帮扶措施台账.xlsx", "全县", f"{key['side_tables']['ledger_year']}年帮扶措施台账（第1行标题）：乡镇、行政村、户主姓名、"
                                           "户主证件号码、户编号、措施类别（含同义写法）、项目名称、入股金额（元）、金额（元）、"
                                           "保障人数、年度（部分为“2024年”或空白并填发放日期）、发放日期、备注")))
    a(_md_row((README_FILE + "、" + KEY_FILE, "—", "本说明与答案（不是花名册）")))
    a("")
    a("## 边界用例（均在城关镇.xlsx“花名册”工作表）\n")
    a(_md_row(("编号", "户主行", "户主", "人数", "人均纯收入", "预期卡别", "说明")))
    a(_md_row(("---",) * 7))
    for b in key["boundary_cases"]:
        a(_md_row((b["case"], b["row"], b["head_name"], b["size"], f"{b['per_capita']:.2f}", b["card"], b["desc"])))
    a("")
    a("## 故意设置的问题\n")
    a("级别为预期的大致级别（错误＝该户应被阻断判定；警告/提示＝可继续）。行号为Excel行号（CSV为行号，从1计）。\n")
    a(_md_row(("文件", "工作表", "行", "列", "值", "级别", "说明")))
    a(_md_row(("---",) * 7))
    for p in key["problems"]:
        a(_md_row((p["file"], p["sheet"] or "—", p["row"], p["column"], p["value"], p["level"], p["desc"])))
    if key["lowercase_x_ids"]:
        lx = key["lowercase_x_ids"]
        a(_md_row((lx[0]["file"], lx[0]["sheet"], "、".join(str(x["row"]) for x in lx[:12]) +
                   ("……" if len(lx) > 12 else ""), "证件号码", "…x", "提示",
                   f"末位小写x（共{len(lx)}个，规范化为X后有效）")))
    a("\n另外：各乡镇约3.5%的户最后申报环节的卡别与规则不一致，约3.5%的户前一环节与后一环节不同（后一环节已更正）；"
      "少数成员劳动技能与年龄不太相符（如70岁以上填普通劳动力），属真实数据中的常见情况。\n")
    side = key["side_tables"]
    a("## 附表中的不达标项\n")
    lv = side["posts_by_level"]
    a(f"- 公益岗位共 {side['posts_total']} 个（县级 {lv.get('县级', 0)}、乡镇级 {lv.get('乡镇级', 0)}、"
      f"村级 {lv.get('村级', 0)}）；岗位人员多数为黄卡户成员（按证件号码对应花名册）。")
    for f in side["post_findings"]:
        where = f"{f['township']}{f['village']}" or "全县"
        a(f"- 公益岗位：{where}：{f['detail']}")
    for f in side["village_pv_findings"]:
        a(f"- 村情表：{f['township']}{f['village']}：{f['detail']}（年收益{f['pv_income']}元，用于黄卡岗位工资"
          f"{f['pv_to_yellow']}元）")
    a(f"- 联系走访记录：{side['contact_households']} 户、{side['contact_rows']} 条；不达标：")
    for f in side["contact_findings"]:
        a(f"  - {f['township']}{f['village']} {f['name']}（{f['card']}，{f['id']}，帮扶干部{f['cadre']}）：{f['detail']}")
    a(f"- 抽查人员名单：{side['inspectors']} 人。")
    a(f"- 帮扶措施台账：{side['ledger_rows']} 行；故意设置的不符合工作方案之处（measures.csv 应逐条报出）：")
    for f in side["measures_findings"]:
        who = f"{f['name']}（{f['card']}，{f['id']}）" if f["id"] else (f["name"] or "")
        a(f"  - {f['check']}：{f['township']}{f['village']} {who}：{f['detail']}")
    a("- 帮扶措施台账中恰在标准上的（不应报出）：" + "；".join(
        f"{x['case']}（{x['id']}）" for x in side["measures_clean_cases"]) + "\n")
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="生成云溪县（虚构）四卡样例数据")
    ap.add_argument("--out", default=str(HERE.parent / "sample_data"))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scale", type=float, default=1.0, help="户数倍数（1.0约3,400户）")
    ap.add_argument("--townships", type=int, default=None, help="乡镇数（默认10；scale≥2时20）")
    a = ap.parse_args(argv)
    key = generate(a.out, a.seed, a.scale, a.townships)
    t = key["totals"]
    print(f"{a.out}: {len(key['townships'])} townships, {t['households']} households, {t['members']} members, "
          f"{len(key['files'])} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
