"""A one-component app for AppTest: the AHP editor as the 指标体系 page will call it."""

from ui import data, state
from ui.ahp_editor import show

show(data.engine(), state.require_user())
