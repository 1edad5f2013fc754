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
    """Text form of ID cells: NFKC, no spaces, x → X. Values are str already (see read.py).
    An ID already in that form (ASCII letters and digits, none lower-case: nearly all) is left as
    it is."""
    s = values.astype("str")
    odd = ~np.fromiter((type(v) is str and v.isascii() and v.isalnum() and (v.isdigit() or v == v.upper())
                        for v in s.to_numpy(dtype=object)), dtype=bool, count=len(s))
    if not odd.any():
        return s
    s = s.copy()
    s[odd] = s[odd].str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.upper()
    return s


SEXES = np.array(["女", "男"], dtype=object)


def check_ids(ids: pd.Series) -> pd.DataFrame:
    """Vectorised validation. Returns columns status (see constants), birth_date, sex.

    The 18-character values are checked as one array of character codes (no per-row string
    work); each distinct birth date is parsed once."""
    s = ids.astype("str").fillna("")
    values = s.to_numpy(dtype=object)
    n = len(s)
    status = np.empty(n, dtype=object)
    status.fill(OK)  # one shared text (np.full would copy it per row)
    empty = values == ""
    at = np.flatnonzero(np.fromiter(map(len, values), dtype=np.int64, count=n) == 18)
    joined = "".join(values[at])
    chars = (np.frombuffer(joined.encode("ascii"), dtype=np.uint8) if joined.isascii() else  # 1 byte a character
             np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)).reshape(-1, 18)
    del joined
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    shaped = digit[:, :17].all(axis=1) & (digit[:, 17] | (chars[:, 17] == ord("X")))  # \d{17}[\dX]
    fmt_ok = np.zeros(n, dtype=bool)
    fmt_ok[at[shaped]] = True
    status[~fmt_ok] = BAD_FORMAT
    status[empty] = EMPTY

    birth = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    sex = pd.Series("", index=s.index, dtype="str")
    if fmt_ok.any():
        good = chars[shaped]
        del chars, digit

        def number(first: int, last: int, weights) -> np.ndarray:  # column by column: no wide int copy
            total = np.zeros(len(good), dtype=np.int64)
            for k, w in zip(range(first, last), weights):
                total += (good[:, k].astype(np.int64) - ord("0")) * int(w)
            return total

        expected = np.array([ord(c) for c in CHECK_CHARS], dtype=np.uint32)[number(0, 17, WEIGHTS) % 11]
        bad_check = expected != good[:, 17]
        ymd = number(6, 14, 10 ** np.arange(7, -1, -1))
        days, inverse = np.unique(ymd, return_inverse=True)
        parsed = pd.to_datetime(pd.Index([f"{d:08d}" for d in days]), format="%Y%m%d", errors="coerce")
        dates = parsed.take(inverse.ravel())
        bad_date = dates.isna() | (dates < pd.Timestamp("1900-01-01"))
        idx = np.flatnonzero(fmt_ok)
        st = status[idx]
        st[bad_check] = BAD_CHECK
        st[bad_date & ~bad_check] = BAD_DATE
        status[idx] = st
        birth.iloc[idx] = dates.to_numpy()
        sex.iloc[idx] = SEXES[(good[:, 16] - ord("0")) % 2]  # two shared strings, not one per person
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
