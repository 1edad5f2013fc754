"""Resident ID numbers (GB 11643): normalisation, check digit, birth date and sex, vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = "10X98765432"

# Status codes returned by ``check_ids`` (map to issue codes in validate.py)
OK, EMPTY, BAD_FORMAT, BAD_CHECK, BAD_DATE = "ok", "empty", "format", "check", "date"


def check_digit(first17: str) -> str:
    """Check character for the first 17 digits of an ID."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def make_id(area: str, birth: str, seq: int, female: bool | None = None) -> str:
    """A valid ID: 6-digit area, birth yyyymmdd, 3-digit sequence (parity sets sex)."""
    seq = int(seq) % 1000
    if female is not None and (seq % 2 == 0) != female:
        seq = (seq + 1) % 1000
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_digit(first17)


def normalize_ids(values: pd.Series) -> pd.Series:
    """Text form of ID cells: NFKC, no spaces, x → X. Values are str already (see read.py)."""
    s = values.astype("str")
    s = s.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.upper()
    return s


SEXES = np.array(["女", "男"], dtype=object)


def check_ids(ids: pd.Series) -> pd.DataFrame:
    """Vectorised validation. Returns columns status (see constants), birth_date, sex."""
    s = ids.astype("str").fillna("")
    n = len(s)
    status = np.full(n, OK, dtype=object)
    empty = (s == "").to_numpy()
    fmt_ok = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(dtype=bool)
    status[~fmt_ok] = BAD_FORMAT
    status[empty] = EMPTY

    birth = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    sex = pd.Series("", index=s.index, dtype="str")
    if fmt_ok.any():
        good = s[fmt_ok]
        digits = np.frombuffer("".join(good.str.slice(0, 17)).encode("ascii"), dtype=np.uint8)
        digits = (digits - ord("0")).reshape(-1, 17).astype(np.int64)
        expected = np.array(list(CHECK_CHARS))[(digits @ WEIGHTS) % 11]
        actual = good.str.slice(17, 18).to_numpy(dtype=object)
        bad_check = expected != actual
        dates = pd.to_datetime(good.str.slice(6, 14), format="%Y%m%d", errors="coerce")
        bad_date = dates.isna().to_numpy() | (dates < pd.Timestamp("1900-01-01")).to_numpy()
        idx = np.flatnonzero(fmt_ok)
        st = status[idx]
        st[bad_check] = BAD_CHECK
        st[bad_date & ~bad_check] = BAD_DATE
        status[idx] = st
        birth.iloc[idx] = dates.to_numpy()
        sex.iloc[idx] = SEXES[digits[:, 16] % 2]  # two shared strings, not one per person
    return pd.DataFrame({"status": status, "birth_date": birth, "sex": sex}, index=s.index)


def age_at(birth: pd.Series, as_of) -> pd.Series:
    """Full years at ``as_of`` (a date), Int64 with NA for unknown birth dates."""
    ts = pd.Timestamp(as_of)
    b = pd.to_datetime(birth)
    years = ts.year - b.dt.year
    before_birthday = (b.dt.month > ts.month) | ((b.dt.month == ts.month) & (b.dt.day > ts.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


def mask_id(ids: pd.Series) -> pd.Series:
    """Public-notice mask: first 6 and last 4 characters, the birth date hidden (same everywhere)."""
    s = ids.astype("str").fillna("")
    return s.where(s.str.len() < 10, s.str.slice(0, 6) + "********" + s.str.slice(-4))
