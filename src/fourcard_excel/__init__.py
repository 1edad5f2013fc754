"""fourcard-excel: 县级红黄绿蓝卡（四卡）分类帮扶花名册校验、分类与汇总工具."""

import pandas as _pd

__version__ = "0.1.0"

# pandas 3 keeps its default ``str`` dtype in pyarrow whenever pyarrow is installed, and pyarrow is
# a dependency (Parquet for the roll-up). Arrow-backed strings refuse some operations the code
# relies on (e.g. str + float on an empty frame) and were never measured here: keep the Python
# storage the code was written, tested and benchmarked with. Parquet is written with pyarrow
# explicitly (write/parquet.py) and does not depend on this option.
_pd.set_option("mode.string_storage", "python")
