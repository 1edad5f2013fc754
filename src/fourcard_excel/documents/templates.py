"""Blank roster and side-table templates generated from the column registry.

A template has three parts:

- the data sheet (花名册 / 公益岗位花名册 / 村情表 / 联系走访记录): one header row with an input message
  on every header cell, a frozen header, text format and an 18-character rule on ID columns,
  dropdowns for every enumerated field, whole numbers / amounts >= 0;
- 填表说明: general instructions and one line per column (必填, 说明, 可选值, examples) laid out
  vertically, so a reader never mistakes it for a roster header;
- a hidden 下拉选项 sheet, only when a dropdown list is longer than Excel's 255-character limit.

Files are written with xlsxwriter and a fixed created date, so the same registry always produces
the same XML parts: the committed files in ``templates/`` are checked against this module by a test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from .. import registry as reg
from ..ingest.ids import make_id
from ..registry import Column
from ..write.atomic import atomic_path

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
# Fixed document date: templates are committed and must not drift between runs.
FIXED_CREATED = dt.datetime(2024, 1, 1, 0, 0, 0)

KINDS = ("roster", "posts", "villages", "contacts", "ledger")
LEVELS = ("member", "household")
KIND_NAMES = {"roster": "花名册", "posts": "公益岗位花名册", "villages": "村情表", "contacts": "联系走访记录",
              "ledger": "帮扶措施台账"}

DATA_ROWS = 5000  # rows below the header that carry the validations
LIST_LIMIT = 255  # Excel's limit for an inline list ("a,b,c")
LIST_SHEET = "下拉选项"
HELP_SHEET = "填表说明"

# Member-only fields a household-level roster does not have (one row per household).
MEMBER_ONLY_KEYS = ("relation", "sex", "health", "disability_grade", "labour", "schooling", "employment")
# In a household-level roster the person columns describe the head of household.
HOUSEHOLD_LABELS = {"name": "户主姓名", "id_number": "户主证件号码", "age": "户主年龄"}
MULTI_HINT = "可从下拉选择一项；有多项时直接输入，多项之间用“、”分隔，如“{example}”"

# Default file names (also the names committed in templates/).
TEMPLATE_FILES: dict[tuple[str, str], str] = {
    ("roster", "member"): "四卡花名册模板（成员）.xlsx",
    ("roster", "household"): "四卡花名册模板（家庭）.xlsx",
    ("posts", "member"): "公益岗位花名册模板.xlsx",
    ("villages", "member"): "村情表模板.xlsx",
    ("contacts", "member"): "联系走访记录模板.xlsx",
    ("ledger", "member"): "帮扶措施台账模板.xlsx",
}

# Help texts for side-table columns (the registry has none for them).
_SIDE_HELP = {
    ("posts", "post_name"): "公益岗位名称，如“护林员”“保洁员”",
    ("posts", "post_level"): "县级/乡镇级/村级",
    ("posts", "township"): "岗位所在乡镇",
    ("posts", "village"): "岗位所在行政村（县级、乡镇级岗位可空）",
    ("posts", "name"): "聘用人员姓名",
    ("posts", "id_number"): "聘用人员18位身份证号码，单元格须为文本格式",
    ("posts", "monthly_wage"): "元/月",
    ("posts", "fund_source"): "如“光伏收益”“财政专项资金”",
    ("villages", "township"): "乡镇名称",
    ("villages", "village"): "行政村名称",
    ("villages", "poor_village"): "是/否",
    ("villages", "supervised_village"): "是/否",
    ("villages", "has_pv"): "是/否",
    ("villages", "supervised_township"): "是/否",
    ("villages", "pv_income"): "元/年，空白按0计",
    ("villages", "pv_to_yellow_wages"): "元/年，用于黄卡户公益岗位工资的光伏收益",
    ("contacts", "date"): "联系或走访日期，如“2024-04-15”",
    ("contacts", "cadre"): "帮扶干部姓名",
    ("contacts", "cadre_level"): "市直/县/乡/村",
    ("contacts", "id_number"): "被联系户户主的18位身份证号码，文本格式",
    ("contacts", "way"): "上户走访/电话/微信",
    ("ledger", "township"): "农户所在乡镇",
    ("ledger", "village"): "农户所在行政村",
    ("ledger", "head_name"): "户主姓名",
    ("ledger", "head_id"): "户主18位身份证号码，文本格式；没有时填户编号",
    ("ledger", "household_id"): "户编号（文本）；与乡镇一起对应农户",
    ("ledger", "project"): "如“茶叶加工厂股份合作”（可空）",
    ("ledger", "principal"): "产业分红填入股（委托帮扶）金额，元",
    ("ledger", "amount"): "分红、补助或救助金额，元",
    ("ledger", "year"): "如“2024”；也可只填发放日期",
    ("ledger", "date"): "如“2024-05-10”（可空）",
    ("ledger", "covered"): "兜底保障、低保、特困供养的保障人数",
    ("ledger", "note"): "可空",
}


@dataclass(frozen=True)
class TemplateColumn:
    """A registry column as it appears in a template (label may be the head-of-household form)."""

    column: Column
    label: str
    help: str
    required: bool

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def kind(self) -> str:
        return self.column.kind


def _default_help(col: Column) -> str:
    if col.kind == reg.YESNO:
        return "是/否"
    if col.kind in (reg.ENUM, reg.CARD, reg.MULTI) and col.allowed:
        return "/".join(col.allowed)
    if col.kind == reg.MONEY:
        return "元，空白按0计"
    if col.kind == reg.INT:
        return "整数"
    if col.kind == reg.ID:
        return "18位身份证号码，文本格式"
    return col.label


def template_columns(kind: str = "roster", level: str = "member") -> list[TemplateColumn]:
    """The columns of a template, in registry order."""
    if kind not in KINDS:
        raise ValueError(f"未知的模板类型：{kind}（可选：{'/'.join(KINDS)}）")
    if level not in LEVELS:
        raise ValueError(f"未知的花名册层级：{level}（可选：member/household）")
    if kind == "roster":
        out = []
        for col in reg.COLUMNS:
            if col.key in reg.NATIONAL_KEYS:  # read from the national exports, not asked for
                continue
            if level == "member":
                if col.key in reg.HOUSEHOLD_COUNT_KEYS:
                    continue
                out.append(TemplateColumn(col, col.label, col.help or _default_help(col), col.required))
            else:
                if col.key in MEMBER_ONLY_KEYS:
                    continue
                label = HOUSEHOLD_LABELS.get(col.key, col.label)
                help_ = col.help or _default_help(col)
                if col.key in HOUSEHOLD_LABELS:
                    help_ = f"户主的{help_}" if not help_.startswith("户主") else help_
                out.append(TemplateColumn(col, label, help_, col.required_household))
        return out
    columns = {"posts": reg.POST_COLUMNS, "villages": reg.VILLAGE_COLUMNS, "contacts": reg.CONTACT_COLUMNS,
               "ledger": reg.LEDGER_COLUMNS}[kind]
    return [TemplateColumn(c, c.label, c.help or _SIDE_HELP.get((kind, c.key)) or _default_help(c), c.required)
            for c in columns]


def dropdown_values(col: Column) -> tuple[str, ...]:
    """Values offered in a column's dropdown ("" when the column has none)."""
    if col.kind == reg.YESNO:
        return (reg.YES, reg.NO)
    if col.kind in (reg.ENUM, reg.CARD, reg.MULTI):
        return tuple(col.allowed)
    return ()


def header_text(tc: TemplateColumn) -> str:
    """Header cell text: the label, with （元） for amounts (the reader strips units)."""
    return f"{tc.label}（元）" if tc.kind == reg.MONEY else tc.label


def default_filename(kind: str = "roster", level: str = "member") -> str:
    return TEMPLATE_FILES.get((kind, level if kind == "roster" else "member"),
                              f"{KIND_NAMES.get(kind, kind)}模板.xlsx")


# --- examples shown in 填表说明 -------------------------------------------------------------

def _examples(kind: str, level: str) -> tuple[list[str], dict[str, list[str]]]:
    """Example captions and key -> example values (one value per example row)."""
    head_id = make_id("522401", "19680512", 31, female=False)
    wife_id = make_id("522401", "19700308", 42, female=True)
    son_id = make_id("522401", "20070921", 15, female=False)
    if kind == "roster" and level == "member":
        shared = {
            "township": "城关镇", "village": "红旗村", "group": "三组", "household_id": "522401100201000015",
            "category": "建档立卡贫困户", "poverty_status": "已脱贫", "monitored": "是",
            "size_declared": "3", "wage_income": "18000", "business_income": "3500", "property_income": "",
            "transfer_income": "2400", "business_cost": "1200", "income_total_declared": "23900",
            "per_capita_declared": "7566.67", "education_cost": "3000", "main_cause": "因病",
            "risk_types": "因病、因学", "has_car": "否", "luxury_house": "否", "parents_separate": "否",
            "policies_enjoyed": "健康扶贫、教育扶贫", "policies_eligible": "产业扶贫、就业扶贫",
            "card_visit": "黄卡", "card_review": "", "card_township": "", "card_county": "", "card_final": "",
        }
        rows = {
            "name": ["王建国", "李秀英", "王小明"],
            "id_number": [head_id, wife_id, son_id],
            "relation": ["户主", "配偶", "之子"],
            "sex": ["男", "女", "男"],
            "age": ["", "", ""],
            "health": ["长期慢性病", "残疾", "健康"],
            "disability_grade": ["", "三级", ""],
            "labour": ["普通劳动力", "弱劳动力或半劳动力", "无劳动力"],
            "schooling": ["", "", "普通高中"],
            "employment": ["县内务工", "", ""],
        }
        values = {k: [v, "", ""] for k, v in shared.items()}
        values.update(rows)
        return ["示例（户主行）", "示例（配偶行）", "示例（子女行）"], values
    if kind == "roster":
        values = {
            "township": "城关镇", "village": "红旗村", "group": "三组", "household_id": "522401100201000015",
            "name": "王建国", "id_number": head_id, "age": "", "category": "建档立卡贫困户",
            "poverty_status": "已脱贫", "monitored": "是", "size_declared": "3", "wage_income": "18000",
            "business_income": "3500", "property_income": "", "transfer_income": "2400",
            "business_cost": "1200", "income_total_declared": "23900", "per_capita_declared": "7566.67",
            "education_cost": "3000", "main_cause": "因病", "risk_types": "因病、因学", "has_car": "否",
            "luxury_house": "否", "parents_separate": "否", "policies_enjoyed": "健康扶贫、教育扶贫",
            "policies_eligible": "产业扶贫、就业扶贫", "card_visit": "黄卡", "card_review": "",
            "card_township": "", "card_county": "", "card_final": "", "n_labour_able": "1",
            "n_labour_weak": "1", "n_serious_ill": "0", "n_disabled": "1", "n_severe_disabled": "0",
            "n_students": "1", "n_chronic": "1",
        }
        return ["示例（一户一行）"], {k: [v] for k, v in values.items()}
    if kind == "posts":
        values = {"post_name": "护林员", "post_level": "村级", "township": "城关镇", "village": "红旗村",
                  "name": "王建国", "id_number": head_id, "monthly_wage": "800", "fund_source": "光伏收益"}
    elif kind == "villages":
        values = {"township": "城关镇", "village": "红旗村", "poor_village": "是", "supervised_village": "否",
                  "has_pv": "是", "supervised_township": "否", "pv_income": "120000",
                  "pv_to_yellow_wages": "96000"}
    elif kind == "ledger":
        values = {"township": "城关镇", "village": "红旗村", "head_name": "王建国", "head_id": head_id,
                  "household_id": "", "measure": "产业分红", "project": "茶叶加工厂股份合作",
                  "principal": "6072", "amount": "910.80", "covered": "", "year": "2024", "date": "",
                  "note": ""}
    else:
        values = {"date": "2024-04-15", "cadre": "张华", "cadre_level": "乡", "id_number": head_id,
                  "way": "上户走访"}
    return ["示例"], {k: [v] for k, v in values.items()}


def _instructions(kind: str, level: str) -> list[str]:
    name = KIND_NAMES[kind]
    lines = [f"{name}填表说明"]
    if kind == "roster" and level == "member":
        lines += [
            "1. 一行填写一名家庭成员，户主行在前，同户其他成员紧随其后。",
            "2. 户类别、收入、致贫原因、风险类型、政策等户级信息填在户主行；其他成员行可留空（或合并单元格）。",
            "3. 有户编号的请填写户编号（文本），没有户编号时以户主证件号码识别家庭。",
        ]
    elif kind == "roster":
        lines += [
            "1. 一行填写一户：户主姓名、户主证件号码，加上家庭人口和各类人数。",
            "2. 有劳动能力人数＝普通劳动力＋技能劳动力人数；残疾人数含一、二级重残人数。",
            "3. 有户编号的请填写户编号（文本），没有户编号时以户主证件号码识别家庭。",
        ]
    else:
        lines += [f"1. 一行填写一条{name}记录。"]
    n = len(lines)
    lines += [
        f"{n}. 证件号码列已设为文本格式，请直接输入18位号码（末位x写作X），不要改为数字格式，否则后几位会丢失。",
        f"{n + 1}. 带下拉箭头的列请从下拉列表选择；“可选值”一列列出全部选项。",
    ]
    multi = [tc.label for tc in template_columns(kind, level) if tc.kind == reg.MULTI]
    if multi:
        lines.append(f"{n + 2}. {'、'.join(multi)}可填多项：先从下拉选一项，或直接输入，多项之间用“、”分隔，"
                     "如“长期慢性病、残疾”。")
    lines += [
        f"{len(lines)}. 金额单位为元/年，空白按0计；人数、年龄填整数，不能为负。",
        f"{len(lines) + 1}. 请勿修改或删除表头行；表头上方可以加标题行，表格下方可写填表人、审核人、填报日期。",
        f"{len(lines) + 2}. 填好后可先运行“fourcard-excel validate 文件名”自查，再报送。",
    ]
    return lines


# --- writing --------------------------------------------------------------------------------

def _col_width(tc: TemplateColumn) -> float:
    if tc.kind == reg.ID:
        return 22
    if tc.kind == reg.MULTI:
        return 20
    width = 2.2 * len(header_text(tc)) + 2
    return max(9.0, min(width, 30.0))


def write_template(path: Path | str, kind: str = "roster", level: str = "member",
                   columns: list[TemplateColumn] | None = None) -> Path:
    """Write a blank template for ``kind`` (roster/posts/villages/contacts) and ``level``.

    ``columns`` overrides the registry's column list (tests, other schemes).
    """
    path = Path(path)
    cols = template_columns(kind, level) if columns is None else columns
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties({
            "title": f"{KIND_NAMES[kind]}模板",
            "subject": "红黄绿蓝卡分类帮扶",
            "author": "fourcard-excel",
            "created": FIXED_CREATED,
        })
        data_ws = wb.add_worksheet(KIND_NAMES[kind])
        help_ws = wb.add_worksheet(HELP_SHEET)
        list_ws = None
        if any(_needs_list_sheet(dropdown_values(tc.column)) for tc in cols):
            list_ws = wb.add_worksheet(LIST_SHEET)
            list_ws.hide()
        _write_data_sheet(wb, data_ws, list_ws, cols)
        _write_help_sheet(wb, help_ws, kind, level, cols)
        wb.close()
    return path


def _needs_list_sheet(values: tuple[str, ...]) -> bool:
    return bool(values) and (len(",".join(values)) > LIST_LIMIT or any("," in v for v in values))


def _write_data_sheet(wb, ws, list_sheet, cols: list[TemplateColumn]) -> None:
    ws.activate()
    head_required = wb.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True})
    head_optional = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True})
    text_fmt = wb.add_format({"num_format": "@"})
    int_fmt = wb.add_format({"num_format": "0"})
    money_fmt = wb.add_format({"num_format": "0.00"})
    ws.set_row(0, 36)
    ws.freeze_panes(1, 0)
    list_col = 0
    last = DATA_ROWS

    for j, tc in enumerate(cols):
        col = tc.column
        fmt = None
        if col.kind in (reg.ID, reg.CODE, reg.TEXT, reg.ENUM, reg.MULTI, reg.CARD, reg.YESNO):
            fmt = text_fmt  # everything typed is text; IDs and codes above all
        elif col.kind == reg.INT:
            fmt = int_fmt
        elif col.kind == reg.MONEY:
            fmt = money_fmt
        ws.set_column(j, j, _col_width(tc), fmt)
        ws.write_string(0, j, header_text(tc), head_required if tc.required else head_optional)
        title = _clip(tc.label + ("（必填）" if tc.required else ""), 32)
        message = tc.help
        if col.kind == reg.MULTI:
            message = f"{tc.help}。" + MULTI_HINT.format(example="、".join(col.allowed[1:3] or col.allowed[:2]))
        ws.data_validation(0, j, 0, j, {"validate": "any", "input_title": title,
                                        "input_message": _clip(message, 255)})

        values = dropdown_values(col)
        if values:
            if not _needs_list_sheet(values):
                source: object = list(values)
            else:
                list_sheet.write_string(0, list_col, tc.label)
                for i, v in enumerate(values, start=1):
                    list_sheet.write_string(i, list_col, v)
                letter = xlsxwriter.utility.xl_col_to_name(list_col)
                source = f"='{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
                list_col += 1
            options = {"validate": "list", "source": source, "ignore_blank": True,
                       "input_title": title, "input_message": _clip(message, 255)}
            if col.kind == reg.MULTI:
                # several values are typed as "a、b": the list only helps, it cannot forbid
                options.update({"error_type": "information", "error_title": "多项填写",
                                "error_message": _clip("多项之间用“、”分隔，每一项须为：" + "/".join(values), 255)})
            else:
                options.update({"error_type": "stop", "error_title": "取值不在下拉列表中",
                                "error_message": _clip("请从下拉列表选择：" + "/".join(values), 255)})
            ws.data_validation(1, j, last, j, options)
        elif col.kind == reg.ID:
            ws.data_validation(1, j, last, j, {
                "validate": "length", "criteria": "==", "value": 18, "ignore_blank": True,
                "input_title": title, "input_message": _clip(message, 255),
                "error_type": "stop", "error_title": "证件号码应为18位",
                "error_message": "证件号码应为18位（末位可为X），请检查是否多输、漏输或被改成了数字格式。",
            })
        elif col.kind == reg.INT:
            minimum = 1 if col.key == "size_declared" else 0
            ws.data_validation(1, j, last, j, {
                "validate": "integer", "criteria": ">=", "value": minimum, "ignore_blank": True,
                "input_title": title, "input_message": _clip(message, 255),
                "error_type": "stop", "error_title": "应填整数",
                "error_message": f"请填写不小于{minimum}的整数。",
            })
        elif col.kind == reg.MONEY:
            ws.data_validation(1, j, last, j, {
                "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                "input_title": title, "input_message": _clip(message, 255),
                "error_type": "stop", "error_title": "金额不能为负",
                "error_message": "请填写不小于0的金额（元），没有收入可留空或填0。",
            })
        else:
            ws.data_validation(1, j, last, j, {"validate": "any", "input_title": title,
                                               "input_message": _clip(message, 255)})
    ws.autofilter(0, 0, 0, len(cols) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _write_help_sheet(wb, ws, kind: str, level: str, cols: list[TemplateColumn]) -> None:
    title = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                          "align": "center", "valign": "vcenter"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "num_format": "@"})
    lines = _instructions(kind, level)
    ws.write_string(0, 0, lines[0], title)
    row = 1
    for line in lines[1:]:
        ws.merge_range(row, 0, row, 5, line, wrap)
        ws.set_row(row, 30)
        row += 1
    row += 1
    captions, examples = _examples(kind, level)
    headers = ["序号", "列名", "是否必填", "填写说明", "可选值", *captions]
    for j, h in enumerate(headers):
        ws.write_string(row, j, h, head)
    for i, tc in enumerate(cols, start=1):
        r = row + i
        ws.write_number(r, 0, i, cell)
        ws.write_string(r, 1, header_text(tc), cell)
        ws.write_string(r, 2, "必填" if tc.required else "", cell)
        ws.write_string(r, 3, tc.help, cell)
        ws.write_string(r, 4, "、".join(dropdown_values(tc.column)), cell)
        for k, value in enumerate(examples.get(tc.key, [""] * len(captions))):
            ws.write_string(r, 5 + k, value, cell)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 9)
    ws.set_column(3, 3, 40)
    ws.set_column(4, 4, 36)
    ws.set_column(5, 4 + len(captions), 20)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_all_templates(out_dir: Path | str) -> list[Path]:
    """Write every committed template (``TEMPLATE_FILES``) into ``out_dir``."""
    out_dir = Path(out_dir)
    return [write_template(out_dir / name, kind, level) for (kind, level), name in TEMPLATE_FILES.items()]
