"""Problems as data: every problem found is one Issue row with a stable code.

Stages append issues to an ``IssueLog``; nothing prints. ``IssueLog.frame()`` gives the table
written to issues.csv / 问题清单.xlsx. Codes are stable and documented in README (问题代码).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ERROR, WARNING, INFO = "错误", "警告", "提示"
LEVEL_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# Output columns of issues.csv, in order (Chinese, exactly as the spec asks).
ISSUE_COLUMNS = ["级别", "代码", "文件", "工作表", "行号", "列", "值", "说明"]
# Internal columns carried along (not written to issues.csv): household key and township.
EXTRA_COLUMNS = ["hh_key", "乡镇"]

# code -> (level, short Chinese title). Stable: never renumber, only add.
CODES: dict[str, tuple[str, str]] = {
    # files
    "F001": (INFO, "文件已跳过（临时文件、隐藏文件或非表格文件）"),
    "F002": (ERROR, "文件为空"),
    "F003": (ERROR, "文件格式与扩展名不符，无法读取"),
    "F004": (ERROR, "工作簿设有密码"),
    "F005": (ERROR, "文件损坏或不完整"),
    "F006": (ERROR, "网页文件冒充表格"),
    "F007": (ERROR, "压缩包异常（疑似压缩炸弹）"),
    "F008": (ERROR, "未找到花名册工作表或表头"),
    "F009": (ERROR, "缺少必填列"),
    "F010": (INFO, "未识别的列，已原样保留"),
    "F011": (INFO, "工作表已跳过（说明页、隐藏页或无表头）"),
    "F012": (WARNING, "重复的列名，仅使用第一列"),
    "F013": (ERROR, "CSV 编码无法识别"),
    "F014": (WARNING, "未识别的列与规则要用的列相近，可能写法不同"),
    "F015": (WARNING, "缺少规则要用的列，相关排除情形或因素未能核查"),
    "F016": (INFO, "补充信息表已补充花名册中的户级信息"),
    "F020": (INFO, "与另一文件完全相同（副本），已跳过"),
    "F021": (WARNING, "重复提交：多个文件是同一批家庭，只用其中一个"),
    "F022": (WARNING, "--prefer 指定的文件不在输入中"),
    "F023": (INFO, "指定的附表替代了输入文件夹中的同类附表"),
    "F024": (WARNING, "指定的附表没有读到数据行"),
    # identity
    "I001": (ERROR, "证件号码为空"),
    "I002": (ERROR, "证件号码长度或字符不正确"),
    "I003": (ERROR, "证件号码校验位错误"),
    "I004": (ERROR, "证件号码出生日期无效"),
    "I005": (ERROR, "证件号码以数字格式保存，后几位已丢失"),
    "I006": (ERROR, "同一证件号码在同一户内重复"),
    "I007": (ERROR, "同一证件号码在本乡镇重复出现"),
    "I008": (ERROR, "同一证件号码在不同乡镇重复出现"),
    "I009": (WARNING, "性别与证件号码不符"),
    "I010": (WARNING, "配偶与户主性别相同"),
    "I011": (WARNING, "与户主关系所示性别与证件号码不符"),
    "I012": (WARNING, "出生日期与证件号码不符"),
    "I013": (INFO, "证件号码为22位，已取前18位"),
    # household structure
    "H001": (ERROR, "家庭没有户主"),
    "H002": (ERROR, "家庭有多名户主"),
    "H003": (WARNING, "家庭人口与成员人数不符"),
    "H004": (ERROR, "成员行前没有户主，无法归户"),
    "H005": (WARNING, "户级信息在同一户内不一致，已按户主行为准"),
    "H006": (INFO, "补充信息表改写了花名册中的户级信息"),
    "H007": (WARNING, "补充信息表中的户在花名册中找不到"),
    # values
    "V001": (ERROR, "必填项为空"),
    "V002": (ERROR, "取值不在允许范围内"),
    "V003": (ERROR, "不是有效数字"),
    "V004": (ERROR, "数值不能为负"),
    "V005": (WARNING, "年龄与证件号码推算不符（相差超过1岁）"),
    "V006": (WARNING, "收入小计与四项收入之和不符"),
    "V007": (WARNING, "人均纯收入与重算结果不符"),
    "V008": (WARNING, "各项收入全部为空"),
    "V009": (ERROR, "建档立卡户未填脱贫属性"),
    "V010": (WARNING, "劳动技能与年龄、健康、在校情况不相称"),
    "V011": (WARNING, "非建档立卡户填写了脱贫属性"),
    "V012": (ERROR, "家庭人口不是正整数"),
    "V013": (WARNING, "残疾等级与健康状况不符"),
    "V014": (INFO, "分类不读的列取值不是常用写法，已按原文保留"),
    "V015": (WARNING, "纯收入与四项收入减生产经营性支出不符"),
    # classification
    "C001": (INFO, "计算卡别与申报卡别不一致"),
    "C002": (WARNING, "需人工复核"),
    # spot-check (县级抽查)
    "S001": (ERROR, "抽查覆盖率不足30%"),
    "S002": (WARNING, "抽查记录签字少于两人"),
    "S003": (WARNING, "抽查记录未填写核查卡别"),
    "S004": (INFO, "核查卡别与计算卡别不一致"),
    "S005": (ERROR, "抽查人员不足，无法按要求组队"),
    "S006": (WARNING, "抽查人员只能检查本乡镇，无法回避"),
    # public-welfare posts (公益岗位)
    "Q001": (WARNING, "公益岗位数量未达标"),
    "Q002": (WARNING, "公益岗位聘用人员不是黄卡户"),
    "Q003": (WARNING, "公益岗位聘用人员在花名册中找不到"),
    "Q004": (INFO, "有劳动能力的黄卡户未安排公益岗位"),
    "Q005": (WARNING, "光伏收益用于黄卡公益岗位工资比例不足"),
    "Q006": (INFO, "未提供公益岗位花名册或村情表，相关核查未做"),
    "Q007": (WARNING, "公益岗位无法归属到乡镇或村情表中的村，只计入全县总数"),
    # dynamic management (动态管理)
    "D001": (WARNING, "上期家庭本期缺失"),
    "D002": (INFO, "复核到期"),
    "D003": (WARNING, "联系走访次数不足"),
    "D004": (WARNING, "联系记录中的户主在花名册中找不到"),
    "D005": (WARNING, "联系记录日期无法识别或晚于评估日期"),
    # measures (帮扶措施, checks/measures): the 检查项 names of measures.csv
    "M001": (WARNING, "红卡产业分红未覆盖"),
    "M002": (WARNING, "红卡入股金额不足"),
    "M003": (WARNING, "分红比例低于15%"),
    "M004": (WARNING, "红卡未落实兜底保障A类"),
    "M005": (WARNING, "黄卡未落实兜底保障B类"),
    "M006": (WARNING, "非贫困低保户不是蓝卡"),
    "M007": (WARNING, "临时救助金额超出范围"),
    "M008": (WARNING, "临时救助对象不符"),
    "M009": (WARNING, "危房改造补助标准不符"),
    "M010": (WARNING, "修缮加固超过上限"),
    "M011": (WARNING, "庭院经济奖补对象不符"),
    "M012": (WARNING, "台账户在花名册中找不到"),
    "M013": (WARNING, "兜底未整户纳入"),
    "M014": (WARNING, "黄卡产业扶贫资金未达绿卡两倍"),
    "M015": (INFO, "没有帮扶措施台账，帮扶措施未核查"),
    "M016": (INFO, "规则文件没有[measures]部分，帮扶措施未核查"),
    "M017": (WARNING, "台账行年度或日期无法识别"),
    "M018": (INFO, "享受低保/特困供养政策情况取值无法识别"),
    "M019": (WARNING, "应享措施未落实（规则文件自定义的检查项）"),
}


@dataclass(frozen=True)
class Issue:
    level: str
    code: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    message: str = ""
    hh_key: str = ""
    township: str = ""

    def as_row(self) -> dict:
        return {
            "级别": self.level,
            "代码": self.code,
            "文件": self.file,
            "工作表": self.sheet,
            "行号": self.row,
            "列": self.column,
            "值": self.value,
            "说明": self.message,
            "hh_key": self.hh_key,
            "乡镇": self.township,
        }


LOCATION_COLUMNS = ("source_file", "source_sheet", "source_row", "hh_key", "township")


def located(frame: pd.DataFrame, mask, column, values, message) -> pd.DataFrame:
    """Issue rows (for ``IssueLog.add_frame``) for the rows of ``frame`` selected by ``mask``.

    ``frame`` carries source_file/source_sheet/source_row and, where known, hh_key and township.
    ``column``, ``values`` and ``message`` are each one value for all rows, or an array/Series
    aligned with ``frame`` (position by position).
    """
    mask = np.asarray(mask, dtype=bool)
    sel = frame.loc[mask, [c for c in LOCATION_COLUMNS if c in frame.columns]]  # not a copy of every column

    def pick(v):
        if isinstance(v, (pd.Series, np.ndarray)):
            return np.asarray(v, dtype=object)[mask]
        return v

    def own(col):
        return sel[col].to_numpy() if col in sel.columns else ""

    return pd.DataFrame({
        "文件": own("source_file"), "工作表": own("source_sheet"), "行号": own("source_row"),
        "列": pick(column), "值": pick(values), "说明": pick(message),
        "hh_key": own("hh_key"), "乡镇": own("township"),
    })


def at(mask, values) -> np.ndarray:
    """``values`` computed for the rows selected by ``mask`` only, spread to a full-length array
    for ``located``: an issue's text is built for the rows that have the issue, not for a million."""
    mask = np.asarray(mask, dtype=bool)
    out = np.empty(len(mask), dtype=object)
    out[mask] = np.asarray(values, dtype=object)
    return out


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS + EXTRA_COLUMNS})
    frame["行号"] = frame["行号"].astype("Int64")
    return frame


class IssueLog:
    """Collects issues from every stage; single issues or whole vectorised frames."""

    def __init__(self) -> None:
        self._rows: list[dict] = []
        self._frames: list[pd.DataFrame] = []

    def add(self, code: str, message: str, *, file: str = "", sheet: str = "", row: int | None = None,
            column: str = "", value: object = "", hh_key: str = "", township: str = "",
            level: str | None = None) -> None:
        lvl = level or CODES[code][0]
        self._rows.append(Issue(lvl, code, file, sheet, row, column, _text(value), message, hh_key,
                                township).as_row())

    def add_frame(self, code: str, frame: pd.DataFrame, *, level: str | None = None) -> None:
        """Add many issues at once. ``frame`` has some of: 文件, 工作表, 行号, 列, 值, 说明, hh_key, 乡镇."""
        if frame is None or len(frame) == 0:
            return
        out = pd.DataFrame(index=frame.index)
        out["级别"] = level or CODES[code][0]
        out["代码"] = code
        for col in ISSUE_COLUMNS[2:] + EXTRA_COLUMNS:
            if col in frame.columns:
                out[col] = frame[col]
            else:
                out[col] = "" if col != "行号" else pd.NA
        values = out["值"]
        if not (isinstance(values.dtype, pd.StringDtype) and not values.hasnans):  # str already: as is
            out["值"] = values.map(_text)
        self._frames.append(out.reset_index(drop=True))

    def extend(self, other: "IssueLog") -> None:
        self._rows.extend(other._rows)
        self._frames.extend(other._frames)

    def frame(self) -> pd.DataFrame:
        parts = [f for f in self._frames if len(f)]
        if self._rows:
            parts.insert(0, pd.DataFrame(self._rows))
        if not parts:
            return empty_frame()
        df = pd.concat(parts, ignore_index=True)
        for col in ISSUE_COLUMNS + EXTRA_COLUMNS:
            if col not in df.columns:
                df[col] = ""
        df["行号"] = pd.to_numeric(df["行号"], errors="coerce").astype("Int64")
        for col in ("级别", "代码", "文件", "工作表", "列", "值", "说明", "hh_key", "乡镇"):
            df[col] = df[col].fillna("").astype(str)
        df["_lvl"] = df["级别"].map(LEVEL_ORDER)
        df = df.sort_values(["文件", "工作表", "行号", "_lvl", "代码", "列"], kind="stable",
                            na_position="first")
        return df.drop(columns="_lvl").reset_index(drop=True)[ISSUE_COLUMNS + EXTRA_COLUMNS]

    def __len__(self) -> int:
        return len(self._rows) + sum(len(f) for f in self._frames)


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)
