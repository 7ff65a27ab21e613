"""Benchmark: parse + validate a 100,000-row 实地检查 sheet vs. python-calamine just reading it.

Target (issue): validating + storing ≤ 2 × the time calamine alone takes to read the file, so the
parse must leave most of that budget to storage. Run: ``.venv/bin/python benchmarks/bench_ingest_parse.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

import python_calamine
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring.engine.indicators import load_indicator_system  # noqa: E402
from scoring.engine.uscc import ALPHABET, check_character  # noqa: E402
from scoring.ingest.parse import parse_sheet, parse_upload  # noqa: E402
from scoring.ingest.reader import read_upload  # noqa: E402
from scoring.ingest.refs import ReferenceData  # noqa: E402
from scoring.ingest.sheets import sheet_specs  # noqa: E402

ROUND = "2026年初期评估"
DISTRICTS = ("上城区", "拱墅区", "西湖区", "滨江区")
CHECK = ("符合", "符合", "符合", "不符合", "不适用")
PARTIAL = ("符合", "部分符合", "不符合", "不适用")


def usccs(n: int, rng: random.Random) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        body = "91" + "3301" + f"{rng.randint(0, 99):02d}" + "".join(rng.choice(ALPHABET) for _ in range(9))
        codes.add(body + check_character(body))
    return sorted(codes)


def write_inspections(path: Path, codes: list[str], seed: int = 1) -> None:
    """A realistic 实地检查 sheet: template headers, Excel dates, numbers as numbers."""
    rng = random.Random(seed)
    system = load_indicator_system((ROOT / "data/indicators/fangxin-2026.yaml").read_bytes())
    spec = sheet_specs(system)[3]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(spec.title)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, spec.headers)
    for i, code in enumerate(codes, start=1):
        sheet.write_row(i, 0, [ROUND, code, f"杭州测试商户{i}有限公司"])
        sheet.write_datetime(i, 3, dt.datetime(2026, 3, 1) + dt.timedelta(days=rng.randint(0, 40)), date_format)
        items: list[object] = []
        for col in spec.columns[6:-1]:
            if col.choices and "部分符合" in col.choices:
                items.append(rng.choice(PARTIAL))
            elif col.choices and "符合" in col.choices:
                items.append(rng.choice(CHECK))
            elif col.choices:
                items.append(rng.choice(("是", "否")))
            elif col.name.startswith("G"):
                items.append(rng.choice((0, 0, 1, 2)))
            else:
                items.append(rng.choice((0, 0, 0, 1, 2)) if rng.random() > 0.05 else "不适用")
        sheet.write_row(i, 4, [rng.choice(("定期", "不定期", "暗访")), "张三、李四", *items, ""])
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    system = load_indicator_system((ROOT / "data/indicators/fangxin-2026.yaml").read_bytes())
    specs = sheet_specs(system)
    codes = usccs(args.rows, random.Random(7))
    path = Path(tempfile.gettempdir()) / f"fangxin-bench-inspections-{args.rows}.xlsx"
    if not path.exists():  # generating takes longer than the benchmark: keep it between runs
        write_inspections(path, codes)
    data = path.read_bytes()
    print(f"{args.rows:,} rows × {len(specs[3].columns)} columns, {len(data) / 1e6:.1f} MB")

    def refs() -> ReferenceData:
        return ReferenceData(
            districts=set(DISTRICTS),
            rounds={ROUND},
            merchants={c: f"杭州测试商户{i}有限公司" for i, c in enumerate(codes, 1)},
        )

    calamine, read, validate, total = [], [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        book.get_sheet_by_name(specs[3].title).to_python(skip_empty_area=False)
        calamine.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        raw = read_upload("inspections.xlsx", data, specs)[0]
        t1 = time.perf_counter()
        result = parse_sheet(raw, specs[3], system, refs=refs())
        t2 = time.perf_counter()
        read.append(t1 - t0)
        validate.append(t2 - t1)

        t0 = time.perf_counter()
        parsed = parse_upload([("inspections.xlsx", data)], system, refs())
        total.append(time.perf_counter() - t0)
    assert result.stored == args.rows and parsed.ok, result.summary()
    best = min(calamine)
    print(f"calamine read only        {best:6.2f} s")
    print(f"read_upload (gate + read) {min(read):6.2f} s")
    print(f"validate (parse_sheet)    {min(validate):6.2f} s  ({min(validate) / best:.0%} of the read)")
    print(f"parse_upload end to end   {min(total):6.2f} s  ({min(total) / best:.2f} × the read)")


if __name__ == "__main__":
    main()
