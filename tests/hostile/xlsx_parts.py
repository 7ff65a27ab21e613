"""Hand-built xlsx packages: the minimal parts Excel needs, so a test can put anything in any part.

openpyxl and XlsxWriter refuse to write most of what a hostile file contains (a DTD, a cell far
beyond the last column, a 32,768-character string, 1,000,000 styled rows, a lying zip directory);
these helpers write the XML themselves. Strings are inline (``t="inlineStr"``) so no sharedStrings
part is needed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_name(index: int) -> str:
    """0 → A, 26 → AA, 16383 → XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_xml(ref: str, value: Any) -> str:
    """One ``<c>``: numbers as numbers, a ``("=", formula, cached)`` tuple as a formula, else inline text."""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple):
        _, formula, cached = value
        cached_xml = "" if cached is None else f"<v>{escape(str(cached))}</v>"
        kind = ' t="str"' if isinstance(cached, str) else ""
        return f'<c r="{ref}"{kind}><f>{escape(formula)}</f>{cached_xml}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Sequence[Any]], first_row: int = 1) -> Iterator[str]:
    """``<row>`` elements for rows of values written from column A."""
    for r, values in enumerate(rows, start=first_row):
        cells = "".join(cell_xml(f"{column_name(j)}{r}", v) for j, v in enumerate(values))
        yield f'<row r="{r}">{cells}</row>'


@dataclass
class Sheet:
    """One worksheet: its name, the ``<sheetData>`` content and anything after it (mergeCells…)."""

    name: str
    data: str | Iterable[str] = ""
    after: str = ""
    state: str = ""  # "" (visible), "hidden" or "veryHidden"
    prolog: str = XML_DECL
    head: str = ""  # elements before <sheetData>, e.g. <dimension ref="…"/>

    @classmethod
    def of(cls, name: str, rows: Sequence[Sequence[Any]], **kwargs: Any) -> Sheet:
        return cls(name, "".join(rows_xml(rows)), **kwargs)

    def xml(self) -> Iterator[str]:
        yield f'{self.prolog}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{self.head}<sheetData>'
        if isinstance(self.data, str):
            yield self.data
        else:
            yield from self.data
        yield f"</sheetData>{self.after}</worksheet>"


@dataclass
class Package:
    """A workbook package; ``extra`` parts are added verbatim (name → bytes)."""

    sheets: list[Sheet]
    extra: Mapping[str, bytes] = field(default_factory=dict)
    compression: int = zipfile.ZIP_DEFLATED

    def parts(self) -> Iterator[tuple[str, str | bytes | Iterable[str]]]:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self.sheets) + 1)
        )
        yield (
            "[Content_Types].xml",
            f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        yield (
            "_rels/.rels",
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"'
            + (f' state="{s.state}"' if s.state else "")
            + "/>"
            for i, s in enumerate(self.sheets, start=1)
        )
        yield (
            "xl/workbook.xml",
            f'{XML_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self.sheets) + 1)
        )
        yield "xl/_rels/workbook.xml.rels", f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
        for i, sheet in enumerate(self.sheets, start=1):
            yield f"xl/worksheets/sheet{i}.xml", sheet.xml()
        yield from self.extra.items()

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", self.compression) as package:
            for name, content in self.parts():
                if isinstance(content, bytes | str):
                    package.writestr(name, content)
                    continue
                with package.open(name, "w", force_zip64=False) as part:
                    for chunk in content:
                        part.write(chunk.encode())
        return out.getvalue()


def xlsx(sheets: Sequence[Sheet], extra: Mapping[str, bytes] | None = None) -> bytes:
    """The bytes of a workbook made of ``sheets`` (and ``extra`` parts)."""
    return Package(list(sheets), dict(extra or {})).to_bytes()
