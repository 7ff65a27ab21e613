"""The AHP editor component (AppTest through tests/ui/ahp_editor_app.py, as the 指标体系 page calls it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.engine.weighting import ahp, derive_points, largest_remainder
from scoring.services import indicators as indicator_service
from scoring.services.context import UserContext
from scoring.storage.database import make_engine
from tests.services.test_analysis import DIMENSION_JUDGEMENTS, E_JUDGEMENTS
from tests.ui.conftest import ADMIN, REVIEWER

APP = str(Path(__file__).resolve().parent / "ahp_editor_app.py")
CURRENT = [15.0, 5.0, 5.0, 5.0, 20.0, 8.0, 8.0, 4.0, 15.0, 8.0, 7.0, 20.0, 6.0, 6.0, 8.0, 20.0, 4.0, 4.0, 4.0, 4.0, 4.0]
CURRENT += [10.0, 10.0]


@pytest.fixture
def engine(demo_db: str) -> Iterator[Engine]:
    """A private copy of the demo campaign of tests/ui/conftest.py: saving a version writes to it."""
    built = make_engine(demo_db)
    yield built
    built.dispose()


def editor(user: UserContext = ADMIN) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = user
    return at.run()


def edit(at: AppTest, key: str, matrix: np.ndarray, codes: list[str]) -> AppTest:  # type: ignore[type-arg]
    """Type the upper triangle of ``matrix`` into the data editor ``key`` and rerun."""
    rows = {i: {c: f"{matrix[i, j]:.12g}" for j, c in enumerate(codes) if j > i} for i in range(len(codes) - 1)}
    at.session_state[f"{key}:matrix"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The read-only tables shown (at.dataframe also lists the data editors)."""
    return [d.value for d in at.dataframe if d.editing_mode == "read_only"]


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_starts_from_the_current_points(engine: Engine) -> None:
    at = editor()
    assert not at.exception
    assert metrics(at) == [("λmax", "6.0000"), ("CI", "0.0000"), ("RI", "1.24"), ("CR", "0.0000")]
    matrix = at.data_editor[0].value
    assert matrix.loc["A", "B"] == "3/4" and matrix.loc["B", "F"] == "2"
    weights = tables(at)[0]
    assert weights["权重（%）"].tolist() == [15.0, 20.0, 15.0, 20.0, 20.0, 10.0]
    assert tables(at)[-1]["新分值"].tolist() == CURRENT
    assert any("分值与现行版本相同" in i.value for i in at.info)
    assert any("通过一致性检验" in s.value for s in at.success)


def test_new_judgements_give_new_points_diff_and_a_saved_version(engine: Engine) -> None:
    at = edit(editor(), "ahp:dims", DIMENSION_JUDGEMENTS, list("ABCDEF"))
    expected = ahp(DIMENSION_JUDGEMENTS, labels=list("ABCDEF"))
    shown = dict(metrics(at))
    assert shown["λmax"] == f"{expected.lambda_max:.4f}" and shown["CR"] == f"{expected.cr:.4f}"
    assert tables(at)[0]["权重（%）"].tolist() == pytest.approx((100 * expected.weights).round(2).tolist())
    system = indicator_service.active_system(engine)
    within = {d.code: pd.Series({i.code: i.max_points for i in d.indicators}) for d in system.dimensions}
    dims, points = derive_points(expected.weights, within)
    table = tables(at)[-1].set_index("代码")["新分值"]
    assert table[list(dims.index)].tolist() == dims.tolist()
    assert table[list(points.index)].tolist() == points.tolist()
    assert table[list(points.index)].sum() == 100
    diff = at.code[0].value
    assert '+version: "2026-AHP"' in diff and "-        max: 10\n" in diff
    before = {v.content_hash for v in indicator_service.list_versions(engine)}
    at.button(key="ahp:save").click().run()
    assert any("已保存新版本 2026-AHP" in s.value for s in at.success)
    added = [v for v in indicator_service.list_versions(engine) if v.content_hash not in before]
    assert len(added) == 1 and added[0].version == "2026-AHP" and not added[0].active
    assert indicator_service.active_system(engine).content_hash == system.content_hash


def test_saving_can_activate_the_new_version(engine: Engine) -> None:
    at = edit(editor(), "ahp:dims", DIMENSION_JUDGEMENTS, list("ABCDEF"))
    at.radio(key="ahp:step").set_value(0.5).run()
    at.text_input(key="ahp:version").input("2026-AHP-半分").run()
    at.checkbox(key="ahp:activate").check().run()
    at.button(key="ahp:save").click().run()
    assert any("已保存并启用新版本 2026-AHP-半分" in s.value for s in at.success)
    active = indicator_service.active_system(engine)
    assert active.version == "2026-AHP-半分"
    assert sum(i.max_points for i in active.indicators) == 100


def test_indicator_matrix_within_a_dimension(engine: Engine) -> None:
    at = editor()
    at.checkbox(key="ahp:use:E").check().run()
    at = edit(at, "ahp:E", E_JUDGEMENTS, ["E1", "E2", "E3", "E4", "E5"])
    e = ahp(E_JUDGEMENTS, labels=["E1", "E2", "E3", "E4", "E5"])
    assert ("CR", f"{e.cr:.4f}") in metrics(at)
    table = tables(at)[-1].set_index("代码")["新分值"]
    # E keeps 20 points (dimension matrix unchanged); 20 × w(E_i) by largest remainder
    assert table["E"] == 20.0
    assert table[["E1", "E2", "E3", "E4", "E5"]].tolist() == largest_remainder(e.weights, 20.0).tolist()


def test_inconsistent_matrix_is_refused_with_an_explanation(engine: Engine) -> None:
    bad = DIMENSION_JUDGEMENTS.copy()
    bad[0, 5], bad[5, 0] = 1 / 9, 9.0
    at = edit(editor(), "ahp:dims", bad, list("ABCDEF"))
    cr = ahp(bad, labels=list("ABCDEF"), refuse_inconsistent=False).cr
    assert dict(metrics(at))["CR"] == f"{cr:.4f}"
    error = at.error[0].value
    assert f"CR = CI/RI = {cr:.4f} ≥ 0.1" in error and "“A 相对 F”" in error
    assert any("不能生成新版本" in w.value for w in at.warning)
    assert not at.button and not at.code  # nothing to save, no diff


def test_unreadable_cell_is_named(engine: Engine) -> None:
    at = editor()
    at.session_state["ahp:dims:matrix"] = {"edited_rows": {0: {"C": "三"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("A 行 C 列（三）" in e.value for e in at.error)


def test_only_admins_may_use_it(engine: Engine) -> None:
    at = editor(REVIEWER)
    assert any("只有管理员" in i.value for i in at.info)
    assert not at.data_editor and not at.button
