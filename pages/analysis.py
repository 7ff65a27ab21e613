"""权重分析: the ranking under other weighting methods, and fuzzy evaluation of surveys (read-only)."""

from ui import data, state
from ui.analysis import show

show(data.engine(), state.require_user(), state.selected_round())
