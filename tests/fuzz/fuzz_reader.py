"""Coverage-guided fuzzing of the reader and the validator with atheris (``make fuzz``, about 60 s).

Each input is an upload: the first byte picks the name (.xlsx or .csv), the rest is the file. Anything
but a Chinese ``UploadError`` or a fully accounted parse is a crash: atheris writes the input to
tests/fuzz/regressions/ (``-artifact_prefix``), where tests/fuzz/test_regressions.py replays it.
Run: ``.venv/bin/python tests/fuzz/fuzz_reader.py -max_total_time=60 -artifact_prefix=tests/fuzz/regressions/``
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris
import numpy  # noqa: F401  # heavy dependencies first: only our own modules are instrumented
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import python_calamine  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scoring.engine import indicators  # noqa: E402, F401  # not fuzzed: imported uninstrumented

with atheris.instrument_imports(include=["scoring.ingest"]):
    from scoring.ingest import cells, extent, gate, headers, normalize, parse, reader, rules  # noqa: F401

from tests.fuzz.test_properties import check  # noqa: E402
from tests.hostile import corpus  # noqa: E402


def one_input(data: bytes) -> None:
    if not data:
        return
    name = "区县.csv" if data[0] & 1 else "区县.xlsx"
    check((name, data[1:]))


def seeds() -> str:
    """A seed corpus: a valid workbook, CSVs in three encodings and a few small hostile files."""
    folder = Path(tempfile.mkdtemp(prefix="fangxin-fuzz-"))
    samples = {
        "plain.xlsx": b"\0" + corpus.plain_workbook(),
        "merged.xlsx": b"\0" + corpus.merged_headers(),
        "hidden.xlsx": b"\0" + corpus.hidden_sheet(),
        "formulas.xlsx": b"\0" + corpus.formulas(),
        "utf8.csv": b"\1" + corpus.districts_csv("utf-8"),
        "gb18030.csv": b"\1" + corpus.districts_csv("gb18030"),
        "utf16.csv": b"\1" + corpus.districts_csv("utf-16", "\t"),
    }
    for file_name, content in samples.items():
        (folder / file_name).write_bytes(content)
    return str(folder)


if __name__ == "__main__":
    args = sys.argv
    if not any(not a.startswith("-") for a in args[1:]):
        args = [*args, seeds()]
    atheris.Setup(args, one_input)
    atheris.Fuzz()
