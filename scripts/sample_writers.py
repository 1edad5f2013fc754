"""Writers for the township roster layouts of sample_data/ (one function per layout).

Each writer records where every household/member landed (Household.file/sheet, Member.row) so the
answer key and 说明.md can name file, sheet and row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import xlsxwriter
from sample_county import AS_OF, COUNTY, FULLTIME, NOT_CARDED, Household, Member

CREATED = datetime(2024, 3, 20, 9, 30, 0)
WB_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

BASE_COLUMNS = (
    ("seq", "序号"), ("township", "乡镇"), ("village", "行政村"), ("group", "村民小组"), ("household_id", "户编号"),
    ("name", "姓名"), ("id_number", "证件号码"), ("relation", "与户主关系"), ("sex", "性别"), ("age", "年龄"),
    ("health", "健康状况"), ("disability_grade", "残疾等级"), ("labour", "劳动技能"), ("schooling", "在校生状况"),
    ("employment", "务工情况"), ("category", "户类别"), ("poverty_status", "脱贫属性"), ("monitored", "脱贫监测户"),
    ("size_declared", "家庭人口"), ("wage_income", "工资性收入"), ("business_income", "生产经营性收入"),
    ("property_income", "财产性收入"), ("transfer_income", "转移性收入"), ("business_cost", "生产经营性支出"),
    ("income_total_declared", "收入小计"), ("per_capita_declared", "人均纯收入"), ("education_cost", "教育支出"),
    ("main_cause", "主要致贫原因"), ("risk_types", "风险类型"), ("has_car", "有消费型汽车"),
    ("luxury_house", "房屋装修豪华"), ("parents_separate", "父母单独立户且子女有赡养能力"),
    ("policies_enjoyed", "已享受政策"), ("policies_eligible", "可享受政策"), ("card_visit", "上户核查建议"),
    ("card_review", "民主评议意见"), ("card_township", "乡镇复核意见"), ("card_county", "县级抽查意见"),
    ("card_final", "公示确定"), ("remark", "备注"),
)
MEMBER_KEYS = {"name", "id_number", "relation", "sex", "age", "health", "disability_grade", "labour", "schooling",
               "employment"}
MONEY_KEYS = ("wage_income", "business_income", "property_income", "transfer_income", "business_cost",
              "income_total_declared", "per_capita_declared", "education_cost")
CARD_KEYS = ("card_visit", "card_review", "card_township", "card_county", "card_final")

# Value spellings used by 双溪乡 (all accepted variants in the registry)
VARIANTS = {
    "category": {"建档立卡贫困户": "脱贫户", "边缘户": "边缘易致贫户", "一般农户": "一般户"},
    "relation": {"配偶": "妻子", "之子": "儿子", "之女": "女儿", "之儿媳": "儿媳", "之孙子": "孙子", "之孙女": "孙女",
                 "之父": "父亲", "之母": "母亲"},
    "labour": {"弱劳动力或半劳动力": "弱劳动力", "丧失劳动力": "丧失劳动能力"},
    "schooling": {"七至九年级": "初中", "普通高中": "高中", "高职高专": "大专", "本科": "大学"},
    "health": {"患有大病": "大病", "长期慢性病": "慢性病"},
}


@dataclass
class Style:
    rename: dict = field(default_factory=dict)
    drop: tuple = ()
    blank_zero: bool = False  # zero incomes left blank
    age_nominal: bool = False  # 年龄 = 2024 - birth year (off by at most one: not a warning)
    school_blank: bool = True  # 非在校生 written as blank
    yes: str = "是"
    no: str = "否"
    sep: str = "、"
    pc_digits: int = 2
    variants: bool = False
    lower_x: bool = False


_NO_CARDS = ("card_county", "card_final")
STYLES = {
    "城关镇": Style(drop=("household_id",) + _NO_CARDS),
    "白沙镇": Style(rename={"id_number": "身份证号码", "labour": "劳动力状况", "health": "身体状况",
                            "business_income": "经营性收入", "poverty_status": "脱贫状态"},
                    drop=("employment", "policies_eligible") + _NO_CARDS, blank_zero=True, pc_digits=0),
    "石门乡": Style(rename={"id_number": "公民身份号码", "labour": "劳动能力", "wage_income": "工资性收入（元）",
                            "business_income": "生产经营性收入（元）", "property_income": "财产性收入（元）",
                            "transfer_income": "转移性收入（元）", "business_cost": "生产经营性支出（元）",
                            "income_total_declared": "家庭总收入（元）", "per_capita_declared": "人均纯收入（元）",
                            "education_cost": "教育支出（元）", "size_declared": "家庭人口数"},
                    drop=("card_review", "card_township") + _NO_CARDS, age_nominal=True),
    "桃源镇": Style(rename={"id_number": "身份证号", "relation": "与户主的关系", "size_declared": "家庭人口数",
                            "monitored": "是否脱贫监测户"},
                    drop=("card_township",) + _NO_CARDS, age_nominal=True, pc_digits=0),
    "龙潭镇": Style(rename={"labour": "劳动力状况", "health": "身体状况", "employment": "务工及就业"},
                    drop=("household_id",), blank_zero=True, lower_x=True, school_blank=False),
    "黄土乡": Style(rename={"id_number": "身份证号码", "labour": "劳动力状况", "wage_income": "工资性收入（元）",
                            "business_income": "生产经营性收入（元）", "property_income": "财产性收入（元）",
                            "transfer_income": "转移性收入（元）", "business_cost": "生产经营性支出（元）",
                            "income_total_declared": "收入小计（元）", "per_capita_declared": "人均纯收入（元）",
                            "education_cost": "教育支出（元）", "risk_types": "返贫致贫风险"},
                    drop=("household_id", "employment") + _NO_CARDS, blank_zero=True, sep="，"),
    "青山乡": Style(rename={"id_number": "身份证号码", "has_car": "是否有消费型汽车"},
                    drop=("household_id", "card_township") + _NO_CARDS),
    "河口镇": Style(rename={"poverty_status": "脱贫状态", "monitored": "是否脱贫监测户", "card_final": "四卡类别",
                            "has_car": "是否有消费型汽车", "luxury_house": "是否房屋装修豪华"},
                    drop=("card_visit", "card_review", "card_township", "card_county")),
    "双溪乡": Style(rename={"relation": "关系", "category": "户属性"},
                    drop=("household_id", "disability_grade") + _NO_CARDS, yes="√", no="", variants=True),
}
DEFAULT_STYLE = Style(drop=_NO_CARDS)


def style_for(tw: str) -> Style:
    return STYLES.get(tw, DEFAULT_STYLE)


def roster_columns(tw: str) -> list[tuple[str, str]]:
    st = style_for(tw)
    return [(k, st.rename.get(k, lab)) for k, lab in BASE_COLUMNS if k not in st.drop]


def header_of(tw: str, key: str) -> str:
    for k, lab in roster_columns(tw) + HOUSEHOLD_COLUMNS:
        if k == key:
            return lab
    return key


# ----------------------------------------------------------------------------------------------
# Rendering: canonical facts -> cell values in a township's style

def household_values(h: Household, st: Style) -> dict:
    yn = lambda b: st.yes if b else st.no  # noqa: E731
    var = VARIANTS if st.variants else {}

    def money(x):
        return "" if (x == 0 and st.blank_zero) else x

    size = h.size if h.size_declared is None else h.size_declared
    pc = h.net / h.size
    pc = round(pc, st.pc_digits) if st.pc_digits else int(round(pc))
    v = {
        "township": h.township, "village": h.village, "group": h.group, "household_id": h.household_id,
        "category": var.get("category", {}).get(h.category, h.category), "poverty_status": h.status,
        "monitored": yn(h.monitored) if h.registered else st.no, "size_declared": size,
        "wage_income": money(h.wage), "business_income": money(h.business), "property_income": money(h.prop),
        "transfer_income": money(h.transfer), "business_cost": money(h.cost),
        "income_total_declared": h.total, "per_capita_declared": pc,
        "education_cost": h.education or "", "main_cause": h.main_cause, "risk_types": st.sep.join(h.risks),
        "has_car": yn(h.has_car), "luxury_house": yn(h.luxury), "parents_separate": yn(h.parents_sep),
        "policies_enjoyed": st.sep.join(h.enjoyed), "policies_eligible": st.sep.join(h.eligible),
        "remark": h.remark,
        # household-level roster counts
        "n_labour_able": h.n_able, "n_labour_weak": h.n_weak, "n_serious_ill": h.n_ill,
        "n_disabled": h.n_disabled, "n_severe_disabled": h.n_severe, "n_students": h.n_students,
        "n_chronic": h.n_chronic,
    }
    for k in CARD_KEYS:
        v[k] = h.declared.get(k, "")
    if h.out.get("blank_incomes"):
        for k in MONEY_KEYS:
            v[k] = ""
    v.update({k: x for k, x in h.out.items() if k != "blank_incomes"})
    return v


def member_values(m: Member, st: Style) -> dict:
    var = VARIANTS if st.variants else {}
    pid = m.id.lower() if (st.lower_x and m.id.endswith("X")) else m.id
    health = [var.get("health", {}).get(x, x) for x in m.health]
    v = {
        "name": m.name, "id_number": pid, "relation": var.get("relation", {}).get(m.relation, m.relation),
        "sex": m.sex, "age": (AS_OF.year - m.birth.year) if st.age_nominal else m.age,
        "health": st.sep.join(health), "disability_grade": m.grade,
        "labour": var.get("labour", {}).get(m.labour, m.labour),
        "schooling": "" if (m.schooling == "非在校生" and st.school_blank) else
        var.get("schooling", {}).get(m.schooling, m.schooling),
        "employment": m.employment,
    }
    v.update(m.out)
    return v


def rows_for(h: Household, cols, st: Style, seq: int):
    """One list of cell values per member (member-level roster)."""
    hv = household_values(h, st)
    out = []
    for m in h.members:
        mv = member_values(m, st)
        out.append([seq if k == "seq" else mv[k] if k in MEMBER_KEYS else hv.get(k, "") for k, _ in cols])
    return out


# ----------------------------------------------------------------------------------------------
# xlsx helpers

def new_workbook(path: Path, constant_memory: bool = False) -> xlsxwriter.Workbook:
    opts = dict(WB_OPTIONS)
    if constant_memory:
        opts["constant_memory"] = True
    else:
        opts["in_memory"] = True
    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"created": CREATED, "author": "乡镇扶贫办", "company": f"{COUNTY}"})
    return wb


class Fmts:
    def __init__(self, wb):
        self.title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                   "text_wrap": True, "bg_color": "#D9E1F2"})
        self.cell = wb.add_format({"border": 1})
        self.text = wb.add_format({"border": 1, "num_format": "@"})
        self.merged = wb.add_format({"border": 1, "valign": "vcenter"})
        self.left = wb.add_format({"align": "left"})


def put(ws, r, c, v, fmt=None):
    if v is None or v == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(v, str):
        ws.write_string(r, c, v, fmt)
    else:
        ws.write_number(r, c, v, fmt)


def title_text(tw: str, extra: str = "") -> str:
    return f"{COUNTY}{tw}{extra}2024年红黄绿蓝卡分类管理申报花名册"


def write_member_sheet(ws, f: Fmts, households, cols, st, rel_file, sheet, title_rows, start_seq=1):
    """Title rows, one header row, member rows. Returns next seq."""
    ncol = len(cols)
    r = 0
    for t in title_rows:
        if r == 0:
            ws.merge_range(0, 0, 0, ncol - 1, t, f.title)
        else:
            ws.write_string(r, 0, t, f.left)
        r += 1
    for c, (_, lab) in enumerate(cols):
        ws.write_string(r, c, lab, f.head)
    r += 1
    id_col = [k for k, _ in cols].index("id_number")
    seq = start_seq
    for h in households:
        h.file, h.sheet = rel_file, sheet
        for m, row in zip(h.members, rows_for(h, cols, st, seq)):
            m.row = r + 1
            for c, v in enumerate(row):
                put(ws, r, c, v, f.text if c == id_col and isinstance(v, str) else f.cell)
            r += 1
        seq += 1
    ws.set_column(0, ncol - 1, 10)
    ws.set_column(id_col, id_col, 20)
    ws.freeze_panes(len(title_rows) + 1, 0)
    return seq


# ----------------------------------------------------------------------------------------------
# Layouts

def write_clean(out: Path, tw: str, households, rel: str, big: bool = False) -> list[str]:
    """城关镇: clean member-level .xlsx with one title row."""
    st = style_for(tw)
    cols = roster_columns(tw)
    wb = new_workbook(out / rel, constant_memory=big)
    f = Fmts(wb)
    ws = wb.add_worksheet("花名册")
    write_member_sheet(ws, f, households, cols, st, rel, "花名册", [title_text(tw)])
    wb.close()
    return [rel]


MERGED_GROUPS = (
    (None, ("seq", "township", "village", "group", "household_id")),
    ("家庭成员情况", ("name", "id_number", "relation", "sex", "age", "health", "disability_grade", "labour",
                    "schooling")),
    ("户基本情况", ("category", "poverty_status", "monitored", "size_declared")),
    ("收入情况（元）", ("wage_income", "business_income", "property_income", "transfer_income", "business_cost",
                      "income_total_declared", "per_capita_declared")),
    (None, ("education_cost", "main_cause", "risk_types")),
    ("排除情形", ("has_car", "luxury_house", "parents_separate")),
    (None, ("policies_enjoyed",)),
    ("分类意见", ("card_visit", "card_review", "card_township")),
    (None, ("remark",)),
)


def write_merged(out: Path, tw: str, households, rel: str) -> list[str]:
    """白沙镇: two-row header with merged group cells, household cells merged down over member rows,
    blank rows between villages, a 合计 row and notes rows."""
    st = style_for(tw)
    names = dict(roster_columns(tw))
    cols = [(k, names[k]) for _, keys in MERGED_GROUPS for k in keys if k in names]
    keys = [k for k, _ in cols]
    ncol = len(cols)
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    sheet = "Sheet1"
    ws = wb.add_worksheet(sheet)
    ws.merge_range(0, 0, 0, ncol - 1, title_text(tw), f.title)
    c = 0
    for group, gkeys in MERGED_GROUPS:
        gkeys = [k for k in gkeys if k in names]
        if group is None:
            for k in gkeys:
                ws.merge_range(1, c, 2, c, names[k], f.head)
                c += 1
        else:
            ws.merge_range(1, c, 1, c + len(gkeys) - 1, group, f.head)
            for k in gkeys:
                ws.write_string(2, c, names[k], f.head)
                c += 1
    r = 3
    seq = 1
    id_col = keys.index("id_number")
    totals = {k: 0 for k in ("size_declared", "wage_income", "business_income", "property_income",
                             "transfer_income", "business_cost", "income_total_declared")}
    prev_village = None
    for h in households:
        if prev_village is not None and h.village != prev_village and seq % 2 == 0:
            r += 1  # a blank row left between villages
        prev_village = h.village
        h.file, h.sheet = rel, sheet
        rows = rows_for(h, cols, st, seq)
        n = len(rows)
        for i, m in enumerate(h.members):
            m.row = r + i + 1
        for ci, k in enumerate(keys):
            if k in MEMBER_KEYS:
                for i, row in enumerate(rows):
                    put(ws, r + i, ci, row[ci], f.text if ci == id_col and isinstance(row[ci], str) else f.cell)
            elif n > 1:
                ws.merge_range(r, ci, r + n - 1, ci, "", f.merged)
                put(ws, r, ci, rows[0][ci], f.merged)
            else:
                put(ws, r, ci, rows[0][ci], f.merged)
        for k in totals:
            v = rows[0][keys.index(k)]
            totals[k] += v if isinstance(v, (int, float)) else 0
        r += n
        seq += 1
    ws.write_string(r, 0, "合计", f.head)
    ws.write_string(r, keys.index("name"), f"{seq - 1}户", f.cell)
    for k, v in totals.items():
        ws.write_number(r, keys.index(k), v, f.cell)
    r += 2
    ws.write_string(r, 0, "填表人：刘红梅", f.left)
    ws.write_string(r, 8, "审核人：周建国", f.left)
    ws.write_string(r, 16, "填报日期：2024年3月22日", f.left)
    ws.write_string(r + 1, 0, "注：收入为2023年度家庭收入，单位为元；合并单元格内为户信息。", f.left)
    ws.set_column(0, ncol - 1, 9)
    ws.set_column(id_col, id_col, 20)
    ws.freeze_panes(3, 0)
    wb.close()
    return [rel]


HOUSEHOLD_COLUMNS = [
    ("seq", "序号"), ("township", "乡镇"), ("village", "行政村"), ("group", "村民小组"), ("name", "户主姓名"),
    ("id_number", "户主证件号码"), ("age", "户主年龄"), ("size_declared", "家庭人口数"),
    ("n_labour_able", "有劳动能力人数"), ("n_labour_weak", "弱劳动力人数"), ("n_serious_ill", "患大病人数"),
    ("n_disabled", "残疾人数"), ("n_severe_disabled", "重残人数"), ("n_chronic", "慢性病人数"),
    ("n_students", "全日制在校生人数"), ("category", "户类别"), ("poverty_status", "脱贫属性"),
    ("monitored", "脱贫监测户"), ("wage_income", "工资性收入"), ("business_income", "生产经营性收入"),
    ("property_income", "财产性收入"), ("transfer_income", "转移性收入"), ("business_cost", "生产经营性支出"),
    ("income_total_declared", "收入小计"), ("per_capita_declared", "人均纯收入"), ("education_cost", "教育支出"),
    ("main_cause", "主要致贫原因"), ("risk_types", "风险类型"), ("has_car", "有消费型汽车"),
    ("luxury_house", "房屋装修豪华"), ("parents_separate", "父母单独立户且子女有赡养能力"),
    ("policies_enjoyed", "已享受政策"), ("card_visit", "上户核查建议"), ("card_township", "乡镇复核意见"),
    ("remark", "备注"),
]


def write_household_level(out: Path, tw: str, households, rel: str) -> list[str]:
    """清水乡: one row per household with member counts and the head's ID."""
    st = style_for(tw)
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    sheet = "分类户表"
    ws = wb.add_worksheet(sheet)
    ncol = len(HOUSEHOLD_COLUMNS)
    ws.merge_range(0, 0, 0, ncol - 1, f"{COUNTY}{tw}2024年红黄绿蓝卡分类管理申报户表（以户为单位）", f.title)
    for c, (_, lab) in enumerate(HOUSEHOLD_COLUMNS):
        ws.write_string(1, c, lab, f.head)
    r = 2
    for seq, h in enumerate(households, start=1):
        h.file, h.sheet = rel, sheet
        hv = household_values(h, st)
        mv = member_values(h.head, st)
        h.head.row = r + 1
        for c, (k, _) in enumerate(HOUSEHOLD_COLUMNS):
            v = seq if k == "seq" else mv[k] if k in ("name", "id_number", "age") else hv.get(k, "")
            put(ws, r, c, v, f.text if k == "id_number" else f.cell)
        r += 1
    ws.set_column(0, ncol - 1, 9)
    ws.set_column(5, 5, 20)
    ws.freeze_panes(2, 0)
    wb.close()
    return [rel]


def write_csv(out: Path, tw: str, households, rel: str) -> list[str]:
    """石门乡: GBK CSV with a title line (as saved by Excel "CSV (逗号分隔)")."""
    st = style_for(tw)
    cols = roster_columns(tw)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([title_text(tw)] + [""] * (len(cols) - 1))
    w.writerow([lab for _, lab in cols])
    line = 3
    for seq, h in enumerate(households, start=1):
        h.file, h.sheet = rel, ""
        for m, row in zip(h.members, rows_for(h, cols, st, seq)):
            m.row = line
            w.writerow(["" if v is None else str(v) for v in row])
            line += 1
    (out / rel).write_bytes(buf.getvalue().encode("gbk"))
    return [rel]


def write_xls(out: Path, tw: str, households, rel: str) -> list[str]:
    """桃源镇: legacy .xls (BIFF8) written with xlwt."""
    import xlwt

    st = style_for(tw)
    cols = roster_columns(tw)
    wb = xlwt.Workbook(encoding="utf-8")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    head = xlwt.easyxf("font: bold on; borders: left thin, right thin, top thin, bottom thin; "
                       "align: horiz center, wrap on")
    text = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="@")
    cell = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin")
    limit = 65000
    sheet_no, ws, r = 0, None, 0
    seq = 1
    id_col = [k for k, _ in cols].index("id_number")

    def new_sheet():
        nonlocal sheet_no, ws, r
        sheet_no += 1
        name = "Sheet1" if sheet_no == 1 else f"Sheet{sheet_no}"
        ws = wb.add_sheet(name)
        ws.write_merge(0, 0, 0, len(cols) - 1, title_text(tw), title)
        for c, (_, lab) in enumerate(cols):
            ws.write(1, c, lab, head)
        ws.col(id_col).width = 20 * 256
        r = 2
        return name

    sheet = new_sheet()
    for h in households:
        if r + h.size > limit:
            sheet = new_sheet()
        h.file, h.sheet = rel, sheet
        for m, row in zip(h.members, rows_for(h, cols, st, seq)):
            m.row = r + 1
            for c, v in enumerate(row):
                if v == "" or v is None:
                    ws.write(r, c, "", cell)
                else:
                    ws.write(r, c, v, text if c == id_col else cell)
            r += 1
        seq += 1
    wb.save(str(out / rel))
    return [rel]


INSTRUCTIONS = (
    "填表说明",
    "1. 本表以人为单位填写，每户户主填在第一行，家庭成员依次填在户主下方。",
    "2. 身份证号码一律设置为文本格式后再录入，共18位，末位x请写大写X。",
    "3. 收入为2023年全年家庭收入（元），没有的填0或空白；人均纯收入=（四项收入合计-生产经营性支出）÷家庭人口。",
    "4. 健康状况填：健康/长期慢性病/患有大病/残疾，多项用“、”分隔；残疾的须填残疾等级。",
    "5. 劳动力状况填：普通劳动力/技能劳动力/弱劳动力或半劳动力/丧失劳动力/无劳动力。",
    "6. 风险类型可多选：因病/因残/因学/因灾/因意外事故/因产业失败/因务工就业不稳/其他。",
    "7. 上户核查建议、民主评议意见、乡镇复核意见填：红卡/黄卡/绿卡/蓝卡，不纳入的留空。",
    "8. 请勿修改表头，勿在表中插入合计行。3月22日前报乡镇扶贫办。",
)
DROPDOWNS = {
    "劳动力状况": ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"),
    "身体状况": ("健康", "长期慢性病", "患有大病", "残疾"),
    "户类别": ("建档立卡贫困户", "边缘户", "一般农户"),
    "脱贫属性": ("已脱贫", "未脱贫", "返贫"),
    "卡别": ("红卡", "黄卡", "绿卡", "蓝卡"),
}


def write_instructions(out: Path, tw: str, households, rel: str) -> list[str]:
    """龙潭镇: first sheet 填表说明, then the roster, then a hidden 下拉选项 sheet (data validation lists)."""
    st = style_for(tw)
    cols = roster_columns(tw)
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    wi = wb.add_worksheet("填表说明")
    for i, line in enumerate(INSTRUCTIONS):
        wi.write_string(i, 0, line, f.title if i == 0 else f.left)
    wi.set_column(0, 0, 100)
    sheet = f"{tw}花名册"
    ws = wb.add_worksheet(sheet)
    wh = wb.add_worksheet("下拉选项")
    for c, (name, vals) in enumerate(DROPDOWNS.items()):
        wh.write_string(0, c, name)
        for i, v in enumerate(vals, start=1):
            wh.write_string(i, c, v)
    wh.hide()
    write_member_sheet(ws, f, households, cols, st, rel, sheet, [title_text(tw)])
    n = sum(h.size for h in households)
    keys = [k for k, _ in cols]
    ci = keys.index("labour")
    ws.data_validation(2, ci, n + 1, ci, {"validate": "list", "source": "=下拉选项!$A$2:$A$6"})
    ws.activate()
    wb.close()
    return [rel]


def write_numeric_ids(out: Path, tw: str, households, rel: str) -> list[str]:
    """黄土乡: two title rows, aliases with units, some IDs typed as numbers (float cells)."""
    st = style_for(tw)
    cols = roster_columns(tw)
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    ws = wb.add_worksheet("Sheet1")
    write_member_sheet(ws, f, households, cols, st, rel, "Sheet1",
                       [title_text(tw), f"填报单位：{tw}人民政府（盖章）          单位：元、人          "
                                        f"统计时点：2024年3月18日"])
    wb.close()
    return [rel]


def write_two_files(out: Path, tw: str, households, rel: str) -> list[str]:
    """青山乡: two files in a subfolder (上片/下片 villages), money strings in some cells."""
    st = style_for(tw)
    cols = roster_columns(tw)
    villages = list(dict.fromkeys(h.village for h in households))
    half = set(villages[: (len(villages) + 1) // 2])
    (out / tw).mkdir(parents=True, exist_ok=True)
    files = []
    seq = 1
    for part, pred in (("上片", lambda h: h.village in half), ("下片", lambda h: h.village not in half)):
        r = f"{tw}/{tw}（{part}）.xlsx"
        wb = new_workbook(out / r)
        f = Fmts(wb)
        ws = wb.add_worksheet(f"{tw}{part}")
        seq = write_member_sheet(ws, f, [h for h in households if pred(h)], cols, st, r, f"{tw}{part}",
                                 [title_text(tw, f"（{part}）")], seq)
        wb.close()
        files.append(r)
    return files


def write_per_village(out: Path, tw: str, households, rel: str) -> list[str]:
    """河口镇: one sheet per village (with 户编号), and a 汇总 sheet that is not a roster."""
    st = style_for(tw)
    cols = roster_columns(tw)
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    villages = list(dict.fromkeys(h.village for h in households))
    summary = []
    for v in villages:
        hs = [h for h in households if h.village == v]
        ws = wb.add_worksheet(v)
        write_member_sheet(ws, f, hs, cols, st, rel, v, [f"{COUNTY}{tw}{v}2024年红黄绿蓝卡分类管理申报花名册"])
        summary.append((v, len(hs), sum(h.size for h in hs)))
    ws = wb.add_worksheet("汇总")
    for c, lab in enumerate(("行政村", "户数", "人数")):
        ws.write_string(0, c, lab, f.head)
    for i, (v, nh, nm) in enumerate(summary, start=1):
        ws.write_string(i, 0, v, f.cell)
        ws.write_number(i, 1, nh, f.cell)
        ws.write_number(i, 2, nm, f.cell)
    i = len(summary) + 1
    ws.write_string(i, 0, "合计", f.head)
    ws.write_number(i, 1, sum(x[1] for x in summary), f.cell)
    ws.write_number(i, 2, sum(x[2] for x in summary), f.cell)
    wb.close()
    return [rel]


LAYOUTS = {
    "clean": (write_clean, "{tw}.xlsx"),
    "merged": (write_merged, "{tw}2024年四卡申报表.xlsx"),
    "household": (write_household_level, "{tw}四卡分类户表.xlsx"),
    "csv": (write_csv, "{tw}四卡花名册.csv"),
    "xls": (write_xls, "{tw}四卡申报花名册.xls"),
    "instructions": (write_instructions, "{tw}四卡申报花名册.xlsx"),
    "numeric_ids": (write_numeric_ids, "{tw}四卡花名册.xlsx"),
    "money_strings": (write_two_files, ""),
    "per_village": (write_per_village, "{tw}四卡花名册（分村）.xlsx"),
    "variants": (write_clean, "{tw}四卡花名册.xlsx"),
}


def write_township(out: Path, tw: str, layout: str, households, big: bool = False) -> list[str]:
    fn, pattern = LAYOUTS[layout]
    rel = pattern.format(tw=tw)
    if fn is write_clean:
        return fn(out, tw, households, rel, big)
    return fn(out, tw, households, rel)


def write_lock_file(out: Path, target: str) -> str:
    """An Excel owner/lock file as left behind while a workbook is open (must be skipped)."""
    owner = "zhangwei"
    data = bytes([len(owner)]) + owner.encode("ascii").ljust(53, b" ") + b"\x00\x00"
    data += owner.encode("utf-16-le") + " ".encode("utf-16-le") * (55 - len(owner))
    data = data[:165].ljust(165, b"\x00")
    rel = f"~${target}"
    (out / rel).write_bytes(data)
    return rel


def write_corrupt(out: Path, tw: str) -> str:
    """A text file renamed to .xlsx (the township saved a notepad list with the wrong extension)."""
    rel = f"{tw}补报名单.xlsx"
    text = (f"{tw}补报名单\r\n姓名\t身份证号码\t行政村\r\n（此文件为记事本文本，被改名为.xlsx，无法作为Excel打开）\r\n")
    (out / rel).write_bytes(text.encode("gbk"))
    return rel


def card_of(h: Household) -> str:
    return h.card if h.card != NOT_CARDED else ""


__all__ = ["write_township", "write_lock_file", "write_corrupt", "roster_columns", "header_of", "FULLTIME"]
