"""The 权重分析 page (AppTest): the figures shown are the services' figures, and it says it is read-only."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scoring.engine.weighting import ahp
from scoring.services import analysis, runs
from scoring.services.context import CLI_USER, UserContext
from scoring.services.imports import import_files
from scoring.services.indicators import active_system
from scoring.storage.database import make_engine
from tests.services.test_analysis import DIMENSION_JUDGEMENTS
from tests.ui.conftest import ADMIN, EVALUATOR, LEADER, ROUNDS, open_page, texts

ROUND = ROUNDS[1]

PAGE = "pages/analysis.py"


@pytest.fixture
def engine(demo_db: str) -> Iterator[Engine]:
    """The demo campaign of tests/ui/conftest.py (a private copy, also in FANGXIN_DB_URL)."""
    built = make_engine(demo_db)
    yield built
    built.dispose()


def page(user: UserContext, round_name: str | None = ROUND) -> AppTest:
    """The page as the app serves it: app.py signed in as ``user``, then the 权重分析 menu entry."""
    return open_page(PAGE, user, round_name)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> list[dict[str, object]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def decoded(array: object) -> np.ndarray:  # type: ignore[type-arg]
    """A plotly figure array as numpy (plotly ships numeric arrays as base64 typed buffers)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def test_default_entropy_view_shows_the_service_figures(engine: Engine) -> None:
    at = page(ADMIN)
    assert not at.exception
    expected = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="entropy"))
    shown = metrics(at)
    assert shown["Spearman ρ"] == f"{expected.agreement['spearman']:.4f}"
    assert shown["Kendall τ-b"] == f"{expected.agreement['kendall']:.4f}"
    assert shown["比较商户数"] == str(int(expected.agreement["n"]))
    # it says, first thing, that it changes nothing official
    assert "不会改变官方评分、排名、等级或示范单位候选名单" in texts(at)
    dims = at.dataframe[0].value
    assert dims["熵权法（%）"].tolist() == pytest.approx((100 * expected.dimension_table()["method"]).round(2).tolist())
    assert dims["官方分值（%）"].tolist() == [15.0, 20.0, 15.0, 20.0, 20.0, 10.0]
    movers = at.dataframe[2].value
    top = expected.movers()
    assert movers["统一社会信用代码"].tolist() == top["uscc"].tolist()
    assert movers["名次变化"].tolist() == top["shift"].tolist()
    captions = " ".join(c.value for c in at.caption)
    assert "熵权法（归一化：比重法" in captions and "否决商户不参与比较" in captions


def test_scatter_and_weight_charts_have_titles_and_units(engine: Engine) -> None:
    at = page(ADMIN)
    specs = charts(at)
    titles = [spec["layout"]["title"]["text"] for spec in specs]  # type: ignore[index]
    assert "官方综合得分与替代综合得分（熵权法）" in titles
    scatter = specs[titles.index("官方综合得分与替代综合得分（熵权法）")]
    assert scatter["layout"]["xaxis"]["title"]["text"] == "官方综合得分（分）"  # type: ignore[index]
    assert scatter["layout"]["yaxis"]["title"]["text"] == "替代综合得分（分）"  # type: ignore[index]
    points = scatter["data"][0]  # type: ignore[index]
    x, y = decoded(points["x"]), decoded(points["y"])
    expected = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="entropy")).comparison
    assert x.tolist() == expected["official_total"].tolist()
    assert y.tolist() == expected["alternative_total"].tolist()
    assert "二级指标权重：官方分值与熵权法" in titles


def test_topsis_with_min_max_states_its_normalisation(engine: Engine) -> None:
    at = page(ADMIN)
    at.selectbox(key="analysis:method").set_value("topsis").run()
    at.selectbox(key="analysis:topsis_weights").set_value("critic").run()
    at.radio(key="analysis:norm").set_value("minmax").run()
    assert not at.exception
    options = analysis.AnalysisOptions(weights="critic", topsis=True, normalisation="minmax")
    expected = analysis.analyse(engine, ADMIN, ROUND, options)
    assert metrics(at)["Spearman ρ"] == f"{expected.agreement['spearman']:.4f}"
    assert any("TOPSIS（归一化：极差归一化 (x − min)/(max − min)" in c.value for c in at.caption)


def test_combined_weights_follow_alpha(engine: Engine) -> None:
    at = page(ADMIN)
    at.selectbox(key="analysis:method").set_value("combined").run()
    at.slider(key="analysis:alpha").set_value(0.8).run()
    at.radio(key="analysis:objective").set_value("critic").run()
    expected = analysis.analyse(
        engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="combined", alpha=0.8, objective="critic")
    )
    assert metrics(at)["Kendall τ-b"] == f"{expected.agreement['kendall']:.4f}"
    assert any("α（主观权重占比）：0.8" in c.value for c in at.caption)


def test_ahp_method_uses_the_entered_matrix_and_refuses_an_inconsistent_one(engine: Engine) -> None:
    at = page(ADMIN)
    at.selectbox(key="analysis:method").set_value("ahp").run()
    upper = {i: {c: str(DIMENSION_JUDGEMENTS[i, j]) for j, c in enumerate("ABCDEF") if j > i} for i in range(5)}
    at.session_state["analysis:ahp:matrix"] = {"edited_rows": upper, "added_rows": [], "deleted_rows": []}
    at.run()
    dims = ahp(DIMENSION_JUDGEMENTS, labels=list("ABCDEF"))
    shown = metrics(at)
    assert shown["CR"] == f"{dims.cr:.4f}" and shown["λmax"] == f"{dims.lambda_max:.4f}"
    expected = analysis.analyse(engine, ADMIN, ROUND, analysis.AnalysisOptions(weights="ahp", dimension_ahp=dims))
    assert shown["Spearman ρ"] == f"{expected.agreement['spearman']:.4f}"
    # A "extremely" below F contradicts everything else: refused, nothing compared
    upper[0]["F"] = "1/9"
    at.session_state["analysis:ahp:matrix"] = {"edited_rows": upper, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("判断矩阵不一致" in e.value for e in at.error)
    assert any("请先修改" in w.value for w in at.warning)
    assert "Spearman ρ" not in metrics(at)


def test_fuzzy_tab_shows_the_evaluation(engine: Engine) -> None:
    at = page(ADMIN)
    expected = analysis.survey_evaluation(engine, ADMIN, ROUND, "weighted_average")
    assert metrics(at)["模糊得分与官方满意度指数的 Spearman ρ"] == f"{expected.spearman:.4f}"
    table = at.dataframe[-1].value
    assert table["统一社会信用代码"].tolist() == expected.table["uscc"].tolist()
    assert table["模糊得分"].tolist() == pytest.approx(expected.table["score"].round(4).tolist())
    assert any(spec["layout"]["title"]["text"] == "最大隶属度等级分布" for spec in charts(at))  # type: ignore[index]


def test_evaluator_compares_only_own_district(engine: Engine) -> None:
    at = page(EVALUATOR)
    scores = runs.results(engine, ADMIN, ROUND).scores
    own = scores[(scores["district"] == EVALUATOR.district) & scores["total"].notna() & ~scores["vetoed"]]
    assert metrics(at)["比较商户数"] == str(len(own))
    assert set(at.dataframe[-1].value["区县"]) == {EVALUATOR.district}


def test_an_unscored_round_says_so(engine: Engine) -> None:
    csv = "轮次名称,开始日期,结束日期\n2027年初期评估,2027-01-01,2027-04-30\n".encode()
    assert import_files(engine, CLI_USER, [("rounds.csv", csv)], active_system(engine))[0].ok
    at = page(ADMIN, "2027年初期评估")
    assert "评估轮次“2027年初期评估”尚未评分" in texts(at)
    assert not at.metric and not at.get("plotly_chart")


def test_leader_may_read_it(engine: Engine) -> None:
    at = page(LEADER)
    assert at.title[0].value == "权重分析：其他赋权方法下的排名"
    assert "Spearman ρ" in metrics(at)


def test_english_labels(engine: Engine) -> None:
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.session_state["user"] = ADMIN
    at.session_state["round"] = ROUND
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Weighting analysis: the ranking under other methods"
    assert {"Spearman ρ", "Kendall τ-b", "Merchants compared"} <= set(metrics(at))
