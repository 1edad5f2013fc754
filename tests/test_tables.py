"""write/tables.py: the frames shown in the workbooks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fourcard_excel.write import tables


def test_card_pivot_equals_a_crosstab():
    """tables.card_pivot counts codes instead of calling pd.crosstab: the same table, with blank
    and missing villages, a card outside the rules, NA cards and person weights."""
    rng = np.random.default_rng(5)
    n = 400
    villages = np.array(["东关村", "西街村", "", "南湖村", None, "柳树湾村"], dtype=object)
    cards = np.array(["红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定", "紫卡", None], dtype=object)
    hh = pd.DataFrame({"village": villages[rng.integers(0, len(villages), n)],
                       "card": cards[rng.integers(0, len(cards), n)],
                       "size": rng.integers(1, 9, n)})
    hh.loc[hh["village"] == "南湖村", "card"] = None  # a village without any card: no row
    order = ["红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定", "紫卡"]

    def crosstab_pivot(frame, weights=None):
        index = frame["village"].astype("str")
        index = index.where(index != "", tables.BLANK).rename("行政村")
        card = frame["card"].astype("str").rename("card")
        table = (pd.crosstab(index, card, values=frame[weights].astype("int64"), aggfunc="sum") if weights
                 else pd.crosstab(index, card))
        table = table.reindex(columns=order, fill_value=0).fillna(0).astype("int64").sort_index()
        table[tables.TOTAL] = table.sum(axis=1)
        total_row = table.sum(axis=0).to_frame().T
        total_row.index = [tables.TOTAL]
        table = pd.concat([table, total_row])
        table.index.name = "行政村"
        out = table.reset_index()
        out.columns = ["行政村", *table.columns]
        return out.astype({c: "int64" for c in table.columns})

    for frame in (hh, hh.iloc[:7], hh[hh["card"].isna()]):
        for weights in (None, "size"):
            got = tables.card_pivot(frame, "village", order, weights=weights, by_label="行政村")
            pd.testing.assert_frame_equal(got, crosstab_pivot(frame, weights))
    assert tables.card_pivot(hh, "village", order, by_label="行政村")[tables.TOTAL].iloc[-1] == \
        int((hh["village"].notna() & hh["card"].notna()).sum())
