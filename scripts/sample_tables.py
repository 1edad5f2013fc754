"""Side tables of sample_data/附表/: 公益岗位花名册, 村情表, 联系走访记录, 抽查人员名单.

Same fictional county; post holders and contact households are taken from the rosters by ID.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sample_county import ABLE, AREA, WEAK, County, Household, Member
from sample_writers import Fmts, new_workbook, put

POST_HEADERS = ("岗位名称", "设岗层级", "乡镇", "行政村", "姓名", "证件号码", "月工资", "资金来源")
VILLAGE_HEADERS = ("乡镇", "行政村", "是否贫困村", "是否挂牌督战村", "是否有光伏电站", "所在乡镇是否挂牌督战", "光伏年收益",
                   "光伏收益用于黄卡公益岗位工资")
CONTACT_HEADERS = ("日期", "帮扶干部", "干部层级", "户主证件号码", "方式")
INSPECTOR_HEADERS = ("姓名", "单位", "所在乡镇")

VILLAGE_POSTS = ("保洁员", "护林防火员", "道路维护员", "水利设施管理员", "安全饮水工程管理员", "村道绿化管理员",
                 "移风易俗监督员")
TOWNSHIP_POSTS = ("集镇环境卫生保洁员", "乡村道路维护员", "河道保洁员", "护林防火员", "公共设施管护员")
COUNTY_POSTS = ("县城环卫保洁员", "国省道养护员", "生态护林员", "水库巡查员")

QUOTA = {"county_level": 60, "township_supervised": 30, "township_other": 20, "village_poor_pv": 3,
         "village_poor_or_supervised": 2, "village_other": 1, "pv_share_min": 0.80}


def village_table(c: County) -> list[dict]:
    r = c.rng
    rows = []
    for t in c.townships:
        sup = t["supervised"]
        for i, v in enumerate(t["villages"]):
            poor = r.random() < (0.6 if sup else 0.35)
            row = {"township": t["name"], "village": v["name"], "poor": poor, "supervised": False, "pv": False,
                   "supervised_township": sup, "pv_income": None, "pv_to_yellow": None, "note": ""}
            if t["name"] == "黄土乡" and i == 0:
                row["poor"] = row["pv"] = True
            elif t["name"] == "白沙镇" and i == 1:
                row["poor"], row["pv"] = True, False
            elif t["name"] == "龙潭镇" and i == len(t["villages"]) - 1:
                row["poor"] = False
            else:
                row["pv"] = row["poor"] and r.random() < 0.55
            row["supervised"] = sup and row["poor"] and r.random() < 0.5
            rows.append(row)
    # one supervised village outside the supervised townships
    for row in rows:
        if row["township"] == "清水乡" and not row["poor"]:
            row["supervised"] = True
            break
    pv_rows = [row for row in rows if row["pv"]]
    for i, row in enumerate(pv_rows):
        inc = r.randint(600, 2400) * 100
        share = r.randint(80, 95) / 100
        if i == 1:
            share, row["note"] = 0.70, "光伏收益用于黄卡公益岗位工资仅70%（低于80%）"
        elif i == 2:
            share, row["note"] = 0.80, "光伏收益用于黄卡公益岗位工资恰好80%（达标）"
        row["pv_income"] = inc
        row["pv_to_yellow"] = round(inc * share)
    return rows


def village_min(row) -> int:
    if row["poor"] and row["pv"]:
        return QUOTA["village_poor_pv"]
    if row["poor"] or row["supervised"]:
        return QUOTA["village_poor_or_supervised"]
    return QUOTA["village_other"]


def _usable(h: Household) -> bool:
    return not h.problems and not h.case


def posts_table(c: County, villages: list[dict], household_level: set[str]) -> tuple[list[dict], list[dict]]:
    """Posts and the list of deliberate findings (shortfalls, non-黄卡 holders, unknown holders)."""
    r = c.rng
    findings = []
    tw_names = [t["name"] for t in c.townships]
    sup = {t["name"]: t["supervised"] for t in c.townships}

    def candidates(pred_h):
        out = []
        for h in c.households:
            if not _usable(h) or not pred_h(h):
                continue
            ms = [h.head] if h.township in household_level else h.members
            for m in ms:
                if (m.labour in ABLE or m.labour == WEAK) and 18 <= m.age <= 65:
                    out.append((h, m))
        return out

    used: set[str] = set()

    def take(pool):
        free = [(h, m) for h, m in pool if m.id not in used]
        if not free:
            return None
        h, m = free[r.randrange(len(free))]
        used.add(m.id)
        return h, m

    yellow = candidates(lambda h: h.card == "黄卡")
    other = candidates(lambda h: h.card in ("绿卡", "蓝卡"))

    # plan the number of posts per scope
    plan = []  # (level, township, village)
    for row in villages:
        n = village_min(row) + r.choice((0, 0, 1, 1, 2))
        if row["township"] == "黄土乡" and row["poor"] and row["pv"] and not any(
                f["kind"] == "village_shortfall" and f["township"] == "黄土乡" for f in findings):
            n = 2
            findings.append({"kind": "village_shortfall", "township": row["township"], "village": row["village"],
                             "detail": f"有光伏电站的贫困村公益岗位2个（应不少于{village_min(row)}个）"})
        elif row["township"] == "白沙镇" and row["poor"] and not row["pv"] and not any(
                f["kind"] == "village_shortfall" and f["township"] == "白沙镇" for f in findings):
            n = 1
            findings.append({"kind": "village_shortfall", "township": row["township"], "village": row["village"],
                             "detail": f"贫困村公益岗位1个（应不少于{village_min(row)}个）"})
        elif row["township"] == "龙潭镇" and not row["poor"] and not row["supervised"] and not any(
                f["kind"] == "village_no_posts" for f in findings):
            n = 0
            findings.append({"kind": "village_no_posts", "township": row["township"], "village": row["village"],
                             "detail": "该村未设公益岗位（应不少于1个）"})
        row["posts"] = n
    for tw in tw_names:
        base = QUOTA["township_supervised"] if sup[tw] else QUOTA["township_other"]
        n = base + r.randint(1, 5)
        if tw == "石门乡":
            n = 27
            findings.append({"kind": "township_shortfall", "township": tw, "village": "",
                             "detail": "挂牌督战乡镇乡镇级公益岗位27个（应不少于30个）"})
        elif tw == "双溪乡":
            n = 18
            findings.append({"kind": "township_shortfall", "township": tw, "village": "",
                             "detail": "一般乡镇乡镇级公益岗位18个（应不少于20个）"})
        plan += [("乡镇级", tw, "")] * n
    n_county = 58 if len(tw_names) >= 10 else 62
    if n_county < QUOTA["county_level"]:
        findings.append({"kind": "county_shortfall", "township": "", "village": "",
                         "detail": f"县级公益岗位{n_county}个（应不少于60个）"})
    plan += [("县级", "", "")] * n_county
    # top up village posts so the county total stays above 520 (plus a margin)
    fixed = {(f["township"], f["village"]) for f in findings}
    flexible = [row for row in villages if (row["township"], row["village"]) not in fixed]
    while len(plan) + sum(row["posts"] for row in villages) < 545 and flexible:
        r.choice(flexible)["posts"] += 1
    vplan = [("村级", row["township"], row["village"]) for row in villages for _ in range(row["posts"])]
    plan = vplan + plan

    # pick holders: village posts first (most constrained), then township, then county
    n_plan = len(plan)
    non_yellow_at = set(r.sample(range(n_plan), 5))
    unknown_at = set(r.sample(sorted(set(range(n_plan)) - non_yellow_at), 2))
    vmeta = {(row["township"], row["village"]): row for row in villages}
    posts = []
    for i, (level, tw, v) in enumerate(plan):
        if level == "村级":
            scope = lambda h: h.township == tw and h.village == v  # noqa: E731
            name = r.choice(VILLAGE_POSTS)
            wage = r.choice((500, 600, 600, 800))
            fund = "村级光伏电站收益" if vmeta[(tw, v)]["pv"] and r.random() < 0.8 else r.choice(
                ("衔接资金", "村集体经济收入"))
        elif level == "乡镇级":
            scope = lambda h: h.township == tw  # noqa: E731
            name, wage, fund = r.choice(TOWNSHIP_POSTS), r.choice((800, 1000)), "衔接资金"
        else:
            scope = lambda h: True  # noqa: E731
            name, wage = r.choice(COUNTY_POSTS), r.choice((1000, 1200, 1500))
            fund = "生态护林员补助资金" if name == "生态护林员" else "县级财政资金"
        if i in unknown_at:
            sex = r.choice("男女")
            b = date(r.randint(1965, 1995), r.randint(1, 12), r.randint(1, 28))
            person_id = c.new_id(b, sex == "女", AREA)
            person = c.person_name(sex)
            findings.append({"kind": "holder_not_in_roster", "township": tw, "village": v,
                             "detail": f"{person}（{person_id}）不在任何花名册中", "id": person_id})
        else:
            got = None
            if i not in non_yellow_at:
                got = take([x for x in yellow if scope(x[0])])
            if got is None:
                got = take([x for x in other if scope(x[0])]) or take(other)
                if got is not None:
                    findings.append({"kind": "holder_not_yellow", "township": got[0].township,
                                     "village": got[0].village, "id": got[1].id,
                                     "detail": f"{got[1].name}（{got[0].township}{got[0].village}，"
                                               f"{got[0].card}户）不是黄卡户"})
            h, m = got
            person, person_id = m.name, m.id
        posts.append({"岗位名称": name, "设岗层级": level, "乡镇": tw, "行政村": v, "姓名": person,
                      "证件号码": person_id, "月工资": wage, "资金来源": fund})
    return posts, findings


CADRE_LEVELS = (("市直", 15), ("县", 30), ("乡", 30), ("村", 25))
MONTHS = [(2023, m) for m in range(4, 13)] + [(2024, m) for m in range(1, 4)]


def contacts_table(c: County) -> tuple[list[tuple], list[dict]]:
    """Contact log 2023-04 … 2024-03-15 for the red/yellow/green households of a few villages."""
    r = c.rng
    scope = []
    by_tw = {}
    for t in c.townships:
        by_tw[t["name"]] = [v["name"] for v in t["villages"]]
    wanted = set()
    if "城关镇" in by_tw:
        wanted |= {("城关镇", v) for v in by_tw["城关镇"][:2]}
    if "黄土乡" in by_tw:
        wanted |= {("黄土乡", v) for v in by_tw["黄土乡"][:1]}
    for h in c.households:
        if (h.township, h.village) in wanted and h.card in ("红卡", "黄卡", "绿卡") and not h.problems:
            scope.append(h)
    cadres = []
    for i in range(max(4, len(scope) // 3)):
        level = r.choices([x for x, _ in CADRE_LEVELS], [w for _, w in CADRE_LEVELS])[0]
        cadres.append((c.person_name(r.choice("男女")), level))
    records = []
    findings = []
    for h in scope:
        cadre, level = r.choice(cadres)
        per_month = 2 if h.card == "红卡" else 1
        short = r.random() < 0.14 or h.case in ("B01", "B12")
        kind = None
        if short:
            if level == "市直":
                kind = "city_quarter"
            else:
                kind = r.choice(("calls_month", "visits_year"))
        # visits
        visit_months: list[int] = []
        if level == "市直":
            quarters = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
            skip_q = r.randrange(4) if kind == "city_quarter" else None
            for qi, q in enumerate(quarters):
                if qi != skip_q:
                    visit_months.append(r.choice(q))
        else:
            n_vis = 4 if kind == "visits_year" else r.choice((6, 6, 7, 8))
            visit_months = sorted(r.sample(range(12), n_vis))
        short_month = None
        if kind == "calls_month":
            free = [i for i in range(12) if i not in visit_months]
            short_month = r.choice(free)
        for mi, (y, mo) in enumerate(MONTHS):
            last = 15 if (y, mo) == (2024, 3) else 28
            n_calls = per_month - (1 if mi == short_month else 0)
            days = sorted(r.sample(range(1, last + 1), n_calls + (1 if mi in visit_months else 0)))
            for d in days[:n_calls]:
                records.append((date(y, mo, d).isoformat(), cadre, level, h.head.id, r.choice(("电话", "电话", "微信"))))
            if mi in visit_months:
                records.append((date(y, mo, days[-1]).isoformat(), cadre, level, h.head.id, "上户走访"))
        if kind:
            detail = {
                "calls_month": f"{MONTHS[short_month][0]}年{MONTHS[short_month][1]}月电话/微信联系"
                               f"{per_month - 1}次（{h.card}应每月不少于{per_month}次）" if short_month is not None else "",
                "visits_year": f"{level}级帮扶干部全年上户走访4次（应不少于6次）",
                "city_quarter": "市直帮扶干部有一个季度未上户走访（应每季度不少于1次）",
            }[kind]
            findings.append({"kind": kind, "township": h.township, "village": h.village, "id": h.head.id,
                             "name": h.head.name, "card": h.card, "cadre": cadre, "detail": detail})
    records.sort(key=lambda x: (x[0], x[1], x[3], x[4]))
    return records, findings


INSPECTOR_UNITS = ("县乡村振兴局", "县乡村振兴局", "县乡村振兴局", "县财政局", "县民政局", "县农业农村局", "县人社局",
                   "县纪委监委")


def inspectors_table(c: County) -> list[tuple]:
    r = c.rng
    rows = [(c.person_name(r.choice("男女")), unit, "") for unit in INSPECTOR_UNITS]
    tws = [t["name"] for t in c.townships][:10]
    for tw in r.sample(tws, min(4, len(tws))):
        rows.append((c.person_name(r.choice("男女")), f"{tw}人民政府", tw))
    return rows


def _write_table(path: Path, sheet: str, headers, rows, title: str | None = None, widths=None):
    wb = new_workbook(path)
    f = Fmts(wb)
    ws = wb.add_worksheet(sheet)
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title, f.title)
        r = 1
    for ci, hname in enumerate(headers):
        ws.write_string(r, ci, hname, f.head)
    for row in rows:
        r += 1
        for ci, v in enumerate(row):
            put(ws, r, ci, v, f.text if headers[ci] in ("证件号码", "户主证件号码") else f.cell)
    for ci, w in enumerate(widths or [12] * len(headers)):
        ws.set_column(ci, ci, w)
    wb.close()


def write_side_tables(out: Path, c: County, household_level: set[str]) -> dict:
    from sample_county import COUNTY

    d = out / "附表"
    d.mkdir(parents=True, exist_ok=True)
    villages = village_table(c)
    posts, post_findings = posts_table(c, villages, household_level)
    contacts, contact_findings = contacts_table(c)
    inspectors = inspectors_table(c)
    ledger, ledger_findings, ledger_clean = ledger_table(c, c.seed)
    yn = lambda b: "是" if b else "否"  # noqa: E731
    vrows = [(v["township"], v["village"], yn(v["poor"]), yn(v["supervised"]), yn(v["pv"]),
              yn(v["supervised_township"]), v["pv_income"] or "", v["pv_to_yellow"] or "") for v in villages]
    _write_table(d / "村情表.xlsx", "村情表", VILLAGE_HEADERS, vrows, widths=[10, 10, 10, 14, 14, 18, 12, 26])
    prows = [tuple(p[h] for h in POST_HEADERS) for p in posts]
    _write_table(d / "公益岗位花名册.xlsx", "公益岗位", POST_HEADERS, prows,
                 title=f"{COUNTY}2024年公益性岗位聘用人员花名册", widths=[18, 10, 10, 10, 10, 20, 10, 18])
    _write_table(d / "联系走访记录.xlsx", "联系走访记录", CONTACT_HEADERS, contacts, widths=[12, 10, 10, 20, 10])
    _write_table(d / "抽查人员名单.xlsx", "抽查人员", INSPECTOR_HEADERS, inspectors, widths=[10, 18, 10])
    _write_table(d / "帮扶措施台账.xlsx", "帮扶措施台账", LEDGER_HEADERS, ledger,
                 title=f"{COUNTY}{LEDGER_YEAR}年帮扶措施台账", widths=[8, 10, 8, 20, 18, 16, 18, 12, 12, 8, 8, 12, 10])
    # summary for the key
    by_level = {}
    for p in posts:
        by_level[p["设岗层级"]] = by_level.get(p["设岗层级"], 0) + 1
    by_tw = {}
    for p in posts:
        if p["设岗层级"] == "乡镇级":
            by_tw[p["乡镇"]] = by_tw.get(p["乡镇"], 0) + 1
    pv_notes = [{"township": v["township"], "village": v["village"], "detail": v["note"],
                 "pv_income": v["pv_income"], "pv_to_yellow": v["pv_to_yellow"]} for v in villages if v["note"]]
    return {
        "posts_total": len(posts), "posts_by_level": by_level, "township_posts": by_tw,
        "post_findings": post_findings, "village_pv_findings": pv_notes,
        "villages": [{"township": v["township"], "village": v["village"], "poor": v["poor"],
                      "supervised": v["supervised"], "pv": v["pv"], "posts": v["posts"], "min": village_min(v)}
                     for v in villages],
        "contact_rows": len(contacts), "contact_households": len({x[3] for x in contacts}),
        "contact_findings": contact_findings, "inspectors": len(inspectors),
        "ledger_rows": len(ledger), "ledger_year": LEDGER_YEAR, "measures_findings": ledger_findings,
        "measures_clean_cases": ledger_clean,
    }


__all__ = ["write_side_tables", "Member"]


# --- 帮扶措施台账 (checks/measures): one row per measure, with planted departures ---------------

LEDGER_HEADERS = ("乡镇", "行政村", "户主姓名", "户主证件号码", "户编号", "措施类别", "项目名称", "入股金额（元）",
                  "金额（元）", "保障人数", "年度", "发放日期", "备注")
LEDGER_YEAR = 2024
BROKEN_HEAD_IDS = ("id_number_as_number", "bad_check_digit", "bad_birth_date")


def _ledger_ok(h: Household) -> bool:
    """The household can be found by its head's ID (a corrupted head ID would not match)."""
    head_out = h.head.out.get("id_number")
    return head_out is None or not any(p in BROKEN_HEAD_IDS for p in h.problems)


def _b_eligible(h: Household) -> bool:
    # [[measures.entitlements]] 黄卡 兜底保障B类: 重残、大病、因灾、无劳（无有劳动能力成员）
    return h.n_severe > 0 or h.n_ill > 0 or "因灾" in h.risks or h.n_able == 0


def ledger_table(c: County, seed: int) -> tuple[list[tuple], list[dict], list[dict]]:
    """The county's 2024 measures ledger: clean rows for every carded household, then planted
    departures (findings) and boundary cases that must NOT be flagged."""
    import math
    import random

    r = random.Random(seed * 1009 + 13)  # own stream: the other tables stay byte-identical
    y = LEDGER_YEAR
    rows: list[tuple] = []
    findings: list[dict] = []
    clean: list[dict] = []

    def row(h, measure, amount="", principal="", covered="", project="", year=y, date_="", note="", hid="",
            pid=None):
        rows.append((h.township, h.village, h.head.name, h.head.id if pid is None else pid, hid, measure, project,
                     principal, amount, covered, year, date_, note))

    usable = [h for h in c.households if _ledger_ok(h) and h.card in ("红卡", "黄卡", "绿卡", "蓝卡")]
    by_card: dict[str, list[Household]] = {}
    for h in usable:
        by_card.setdefault(h.card, []).append(h)

    def pick(card, pred=lambda h: True, township=None):
        pool = [h for h in by_card.get(card, []) if pred(h) and not h.case and not h.problems
                and (township is None or h.township == township) and h.key not in special]
        h = pool[r.randrange(len(pool))]
        special.add(h.key)
        return h

    special: set[str] = set()

    def plant(kind, h, detail, **extra):
        findings.append({"check": kind, "township": h.township, "village": h.village, "id": h.head.id,
                         "name": h.head.name, "card": h.card, "detail": detail, **extra})

    # choose the special households first (so the clean pass skips what they replace)
    low_town = "双溪乡"
    sp = {
        "no_dividend": pick("红卡"), "principal_short": pick("红卡"), "rate_low": pick("红卡"),
        "rate_exact": pick("红卡"), "no_a": pick("红卡"), "dibao_only": pick("红卡"),
        "partial": pick("红卡", lambda h: h.size >= 2), "build_wrong": pick("红卡"),
        "repair_exact": pick("红卡"), "no_b": pick("黄卡", _b_eligible), "repair_over": pick("黄卡"),
        "build_ok": pick("黄卡"), "aid_over": pick("蓝卡"), "aid_max": pick("蓝卡"), "aid_min": pick("蓝卡"),
        "aid_under": pick("蓝卡"), "aid_green": pick("绿卡"), "court_green": pick("绿卡"),
        "by_code": pick("红卡", township="河口镇"),
    }
    nonpoor = [h for h in usable if h.card == "不纳入"]
    nonpoor = [h for h in c.households if _ledger_ok(h) and h.card == "不纳入" and not h.registered
               and not h.problems and not h.case]
    sp_dibao = nonpoor[r.randrange(len(nonpoor))]

    def dividend(h, rate=None, principal=None):
        p = principal if principal is not None else 2024 * h.size
        rate = rate if rate is not None else r.randint(150, 200) / 1000
        amount = math.ceil(p * rate * 100) / 100
        row(h, r.choice(("产业分红", "产业分红", "股份合作分红", "委托帮扶分红")), amount=amount, principal=p,
            project=r.choice(("茶叶加工厂股份合作", "光伏电站委托帮扶", "油茶基地股份合作")))

    def dibao(h, measure):
        row(h, measure, amount=r.choice((280, 320, 360)) * 12 * h.size, covered=h.size, project="农村最低生活保障")

    for h in usable:
        if h.key in special:
            continue
        if h.card == "红卡":
            dividend(h)
            if r.random() < 0.08:
                row(h, "特困供养", amount=6000 * h.size, covered=h.size, project="分散供养")
            else:
                dibao(h, r.choice(("兜底保障A类", "兜底保障A类", "A类低保", "兜底保障（A类）")))
            if r.random() < 0.1:
                row(h, "消费扶贫", amount=r.randint(5, 30) * 100, project="以购代捐收购农产品")
        elif h.card == "黄卡":
            town_low = h.township == low_town
            amount = r.randint(20, 24) * 100 if town_low else r.randint(36, 50) * 100
            row(h, r.choice(("产业扶贫资金", "到户产业奖补")), amount=amount, project="到户产业奖补")
            if _b_eligible(h):
                dibao(h, r.choice(("兜底保障B类", "B类低保", "兜底保障（B类）")))
            if r.random() < 0.2:
                row(h, "庭院经济奖补", amount=r.choice((1000, 1500, 2000)), project="庭院养殖")
            if r.random() < 0.15:
                row(h, "培训就业", project="家政服务技能培训")
            if r.random() < 0.05:
                row(h, "临时救助", amount=r.randint(10, 50) * 100, project="大病临时救助")
        elif h.card == "绿卡":
            if r.random() < 0.7:
                amount = r.randint(12, 14) * 100 if h.township == low_town else r.randint(10, 16) * 100
                row(h, "产业扶贫资金", amount=amount, project="到户产业奖补")
        elif h.card == "蓝卡":
            if r.random() < 0.3:
                total = r.randint(15, 45) * 100
                if r.random() < 0.3:
                    first = r.randint(5, total // 100 - 5) * 100
                    row(h, "临时救助", amount=first, year="", date_=f"{y}-0{r.randint(1, 3)}-{r.randint(10, 28)}")
                    row(h, "临时救助", amount=total - first, year=f"{y}年")
                else:
                    row(h, "临时救助", amount=total, project="临时救助")
            if r.random() < 0.1:
                dibao(h, "低保")

    s = sp
    # 红卡: no dividend (has A), principal short, rate 14.9 %, exactly 15 % (clean)
    dibao(s["no_dividend"], "兜底保障A类")
    plant("红卡产业分红未覆盖", s["no_dividend"], f"{y}年台账中没有产业分红")
    dibao(s["principal_short"], "兜底保障A类")
    p = 2024 * s["principal_short"].size - 1000
    dividend(s["principal_short"], rate=0.16, principal=p)
    plant("红卡入股金额不足", s["principal_short"], f"入股{p}元，应不少于{2024 * s['principal_short'].size}元")
    dibao(s["rate_low"], "兜底保障A类")
    p = 2024 * s["rate_low"].size
    row(s["rate_low"], "产业分红", amount=round(p * 0.149, 2), principal=p, project="茶叶加工厂股份合作")
    plant("分红比例低于15%", s["rate_low"], f"分红{round(p * 0.149, 2)}元，入股{p}元（14.9%）")
    dibao(s["rate_exact"], "兜底保障A类")
    p = 2024 * s["rate_exact"].size
    row(s["rate_exact"], "产业分红", amount=round(p * 0.15, 2), principal=p, project="茶叶加工厂股份合作")
    clean.append({"case": "分红比例恰好15%", "id": s["rate_exact"].head.id, "principal": p, "amount": round(p * 0.15, 2)})
    # 兜底: none, only 低保 (class not given), not the whole household
    dividend(s["no_a"])
    plant("红卡未落实兜底保障A类", s["no_a"], "台账中没有兜底保障")
    dividend(s["dibao_only"])
    dibao(s["dibao_only"], "低保")
    plant("红卡未落实兜底保障A类", s["dibao_only"], "只有“低保”，未注明A类/B类")
    dividend(s["partial"])
    row(s["partial"], "兜底保障A类", amount=3600, covered=s["partial"].size - 1, project="农村最低生活保障")
    plant("兜底未整户纳入", s["partial"], f"保障{s['partial'].size - 1}人，家庭人口{s['partial'].size}人")
    # housing
    dividend(s["build_wrong"])
    dibao(s["build_wrong"], "兜底保障A类")
    row(s["build_wrong"], "危房改造（新建）", amount=45000, project="农村危房改造")
    plant("危房改造补助标准不符", s["build_wrong"], "红卡新建补助45000元（标准50000元）")
    dividend(s["repair_exact"])
    dibao(s["repair_exact"], "兜底保障A类")
    row(s["repair_exact"], "危房改造（修缮加固）", amount=12000, project="危房修缮（第一笔）")
    row(s["repair_exact"], "修缮加固", amount=8000, project="危房修缮（第二笔）")
    clean.append({"case": "修缮加固恰好20000元（两笔）", "id": s["repair_exact"].head.id, "amount": 20000})
    h = s["no_b"]
    row(h, "产业扶贫资金", amount=4000, project="到户产业奖补")
    plant("黄卡未落实兜底保障B类", h, "重残/大病/受灾/无劳的黄卡户，台账中没有兜底保障")
    def yellow(h):  # what every clean 黄卡 household gets: industry funds, 兜底 B when due
        row(h, "产业扶贫资金", amount=4000, project="到户产业奖补")
        if _b_eligible(h):
            dibao(h, "兜底保障B类")

    h = s["repair_over"]
    yellow(h)
    row(h, "危房改造（修缮加固）", amount=20001, project="危房修缮")
    plant("修缮加固超过上限", h, "修缮加固20001元（上限20000元）")
    h = s["build_ok"]
    yellow(h)
    row(h, "危房改造（新建）", amount=40000, project="农村危房改造")
    clean.append({"case": "黄卡新建补助恰好40000元", "id": h.head.id, "amount": 40000})
    # temporary aid: 5,001 (two rows), exactly 5,000, exactly 1,000, 999
    row(s["aid_over"], "临时救助", amount=3000, project="临时救助")
    row(s["aid_over"], "临时救助金", amount=2001, project="临时救助")
    plant("临时救助金额超出范围", s["aid_over"], "全年合计5001元（两笔）")
    row(s["aid_max"], "临时救助", amount=5000, project="临时救助")
    clean.append({"case": "临时救助全年恰好5000元", "id": s["aid_max"].head.id, "amount": 5000})
    row(s["aid_min"], "临时救助", amount=1000, project="临时救助")
    clean.append({"case": "临时救助全年恰好1000元", "id": s["aid_min"].head.id, "amount": 1000})
    row(s["aid_under"], "临时救助", amount=999, project="临时救助")
    plant("临时救助金额超出范围", s["aid_under"], "全年合计999元")
    row(s["aid_green"], "临时救助", amount=2000, project="临时救助")
    plant("临时救助对象不符", s["aid_green"], "给予绿卡户临时救助2000元")
    row(s["court_green"], "庭院经济奖补", amount=1500, project="庭院养殖")
    plant("庭院经济奖补对象不符", s["court_green"], "给予绿卡户庭院经济奖补1500元")
    # matched by 乡镇 + 户编号 (no ID in the row): clean
    h = s["by_code"]
    row(h, "产业分红", amount=math.ceil(2024 * h.size * 0.16 * 100) / 100, principal=2024 * h.size, pid="",
        hid=h.household_id, project="油茶基地股份合作")
    dibao(h, "兜底保障A类")
    clean.append({"case": "无证件号码、按乡镇+户编号对应", "id": h.head.id, "household_id": h.household_id})
    # 非贫困户低保, not 蓝卡
    dibao(sp_dibao, "低保")
    plant("非贫困低保户不是蓝卡", sp_dibao, "非建档立卡、不纳入四卡的农户享受低保")
    # households not in the roster: an unknown ID, an unknown 户编号
    ghost_id = c.new_id(date(1966, 6, 6), False, AREA)
    rows.append(("城关镇", "新华村", "赵无名", ghost_id, "", "临时救助", "临时救助", "", 2000, "", y, "", ""))
    findings.append({"check": "台账户在花名册中找不到", "township": "城关镇", "village": "新华村", "id": ghost_id,
                     "name": "赵无名", "card": "", "detail": "证件号码不在花名册中"})
    rows.append(("河口镇", "", "钱无籍", "", "4399999999999999", "消费扶贫", "以购代捐", "", 800, "", y, "", ""))
    findings.append({"check": "台账户在花名册中找不到", "township": "河口镇", "village": "", "id": "",
                     "name": "钱无籍", "card": "", "detail": "户编号4399999999999999不在河口镇花名册中"})
    # the township whose 黄卡 industry funds fall short of twice the 绿卡 ones
    findings.append({"check": "黄卡产业扶贫资金未达绿卡两倍", "township": low_town, "village": "", "id": "",
                     "name": "", "card": "黄卡", "detail": "黄卡户均约2,200元，绿卡户均约1,300元（不足两倍）"})
    rows.sort(key=lambda x: (x[0], x[1], x[3] or x[4], x[5]))
    return rows, findings, clean
