"""Inputs of the import benchmark: a registry in a fresh SQLite file and a large 实地检查 workbook.

The workbook is what a district team sends in: a title row above the template headers, shared
strings (as Excel and WPS write them), Excel dates with a few typed as text, ✓/× and 是/否 besides
符合/不符合, 不适用 where an item does not apply, notes on some rows, a few inspections naming the
shop differently from the registry (warnings) and a few rows with a blank item or an unregistered
USCC (rejected). Both files are cached in the system temp dir, keyed by their parameters.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from benchmarks.common import cache_path
from benchmarks.round_data import DISTRICTS, ROUND, merchants, usccs
from scoring.engine.indicators import IndicatorSystem
from scoring.ingest.sheets import sheet_specs
from scoring.storage import repository as repo
from scoring.storage.database import make_engine, session_scope
from scoring.storage.migrations import upgrade

VERSION = 3  # bump when the generated content changes (invalidates the cache)
TITLE = f"{ROUND[0]}实地检查记录表"
SHEET = "实地检查"
ROUNDS = pd.DataFrame(
    {
        "name": [ROUND[0], "2026年中期评估"],
        "start": pd.to_datetime([ROUND[1], "2026-05-01"]).astype("datetime64[us]"),
        "end": pd.to_datetime([ROUND[2], "2026-08-31"]).astype("datetime64[us]"),
    }
)


def _registry(rows: int, seed: int) -> pd.DataFrame:
    """The merchant registry: 20 % more merchants than inspection rows (not everyone is inspected)."""
    frame, _ = merchants(np.random.default_rng(seed), int(rows * 1.2))
    return frame.drop(columns=["uscc_warning"])


def registry_db(rows: int, seed: int = 7) -> Path:
    """A migrated SQLite file holding the 区县, 评估轮次 and 商户名录 the workbook refers to (cached)."""
    path = cache_path(f"registry-{rows}-{seed}-v{VERSION}.db")
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    try:
        upgrade(engine)
        districts = pd.DataFrame(
            {"name": [d for d, _, _ in DISTRICTS], "code": [c for _, c, _ in DISTRICTS], "city": "上海市"}
        )
        with session_scope(engine) as s:
            repo.upsert(s, "districts", districts, None)
            repo.upsert(s, "rounds", ROUNDS, None)
            repo.upsert(s, "merchants", _registry(rows, seed), None)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    partial.rename(path)
    return path


def fresh_copy(rows: int, into: Path, seed: int = 7) -> Path:
    """A private copy of the registry database (every timed import starts from the same state)."""
    target = into / f"import-{rows}-{seed}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(registry_db(rows, seed), target)
    return target


def _cells(system: IndicatorSystem, rows: int, seed: int) -> tuple[list[str], list[list[Any]]]:
    rng = np.random.default_rng(seed + 1)
    spec = sheet_specs(system)[3]
    registry = _registry(rows, seed)
    pick = rng.choice(len(registry), rows, replace=False)
    code = registry["uscc"].to_numpy(dtype=object)[pick]
    name = registry["name"].to_numpy(dtype=object)[pick]
    renamed = rng.random(rows) < 0.003
    name[renamed] = name[renamed] + "（旧名）"
    stranger = np.flatnonzero(rng.random(rows) < 0.0002)
    region = np.array([c for _, c, _ in DISTRICTS])[rng.integers(0, len(DISTRICTS), len(stranger))]
    code[stranger] = usccs(rng, region, unique_from=10**9).to_numpy(zero_copy_only=False)
    day = np.datetime64(ROUND[1]) + rng.integers(31, 115, rows).astype("timedelta64[D]")
    dates: list[Any] = [d.item() for d in day]
    for i in np.flatnonzero(rng.random(rows) < 0.03):
        d = dates[i]
        dates[i] = f"{d.year}/{d.month}/{d.day}"
    method = np.array(["定期", "不定期", "暗访"], dtype=object)[rng.choice(3, rows, p=(0.6, 0.3, 0.1))]
    people = np.array(["张伟、李娜", "王芳、刘洋", "陈静、杨磊", "赵敏、黄强", "周杰、吴艳", "徐涛"], dtype=object)
    inspectors = people[rng.integers(0, len(people), rows)]
    quality = rng.beta(6.0, 1.6, rows)
    columns: list[np.ndarray[Any, Any]] = [np.full(rows, ROUND[0], dtype=object), code, name]
    items: list[np.ndarray[Any, Any]] = []
    for col in spec.columns[6:-1]:
        good = rng.random(rows) < quality
        na = rng.random(rows) < 0.05
        if col.choices and "符合" in col.choices:
            partial = "部分符合" in col.choices
            value = np.where(good, "符合", np.where(partial & (rng.random(rows) < 0.5), "部分符合", "不符合"))
            value = value.astype(object)
            ticks = rng.random(rows) < 0.02
            value[ticks & (value == "符合")] = "✓"
            value[ticks & (value == "不符合")] = "×"
            value[na] = "不适用"
        elif col.choices:  # a 是/否 bonus item
            value = np.where(rng.random(rows) < 0.1 + 0.2 * quality, "是", "否").astype(object)
        elif col.name.startswith("G"):  # a count bonus item
            value = rng.choice(4, rows, p=(0.8, 0.12, 0.06, 0.02)).astype(object)
        else:  # findings of a deduct item
            value = np.where(good, 0, rng.poisson(1.5, rows) + 1).astype(object)
            value[na] = "不适用"
        items.append(value)
    blank = np.flatnonzero(rng.random(rows) < 0.0005)
    items[0][blank] = None
    note = np.where(rng.random(rows) < 0.1, "已要求限期整改", None).astype(object)
    header = list(spec.headers)
    table = [columns[0], columns[1], columns[2], np.array(dates, dtype=object), method, inspectors, *items, note]
    return header, [list(r) for r in zip(*table, strict=True)]


def inspection_workbook(system: IndicatorSystem, rows: int, seed: int = 7) -> Path:
    """The 实地检查 workbook (cached): a title row, the template headers, then ``rows`` inspections."""
    path = cache_path(f"inspections-{rows}-{seed}-v{VERSION}.xlsx")
    if path.exists():
        return path
    header, body = _cells(system, rows, seed)
    partial = path.with_suffix(".partial")
    book = xlsxwriter.Workbook(str(partial), {"default_date_format": "yyyy-mm-dd", "strings_to_numbers": False})
    sheet = book.add_worksheet(SHEET)
    sheet.write(0, 0, TITLE, book.add_format({"bold": True, "font_size": 14}))
    sheet.write_row(1, 0, header, book.add_format({"bold": True}))
    for r, values in enumerate(body, start=2):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    partial.rename(path)
    return path
