"""Generator part: 满意度调查 responses, planned per merchant and round, drawn in one vectorised pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.demo.base import GeneratorBase
from scoring.demo.edges import EXACT
from scoring.demo.model import Merchant
from scoring.demo.settings import ROUNDS
from scoring.demo.vocab import LABEL_OF
from scoring.ingest.sheets import SURVEY_METHODS
from scoring.ingest.template import Cell


class SurveyRows(GeneratorBase):
    def _survey_rows(self, m: Merchant, r: int, block: list[list[int | None]]) -> None:
        """Plan responses with the given answers (written in order by ``_write_surveys``)."""
        self.survey_plan.append((m, r, block, 0.0, len(block), 0.0))

    def _write_surveys(self) -> None:
        """All planned responses at once: random answers, dates and methods drawn in one vectorised pass."""
        g, plan = self.np, self.survey_plan
        satisfaction = np.repeat([p[3] for p in plan if p[2] is None], [p[4] for p in plan if p[2] is None])
        drawn = self._random_answers(satisfaction)
        counts = [p[4] for p in plan]
        total = sum(counts)
        lengths = np.repeat([len(self.round_days[p[1]]) for p in plan], counts)
        offsets = (g.random(total) * lengths).astype(np.int64).tolist()
        methods = g.choice(len(SURVEY_METHODS), size=total, p=(0.5, 0.35, 0.15)).tolist()
        worded = (g.random(total) < np.repeat([p[5] for p in plan], counts)).tolist()
        invalid, in_words = self.edges["invalid_responses"], self.edges["survey_labels"]
        row = taken = 0
        for m, r, fixed, _, count, _ in plan:
            block = fixed if fixed is not None else drawn[taken : taken + count]
            taken += 0 if fixed is not None else count
            name, days = ROUNDS[r][0], self.round_days[r]
            for answers in block:
                self.survey_seq[r] += 1
                number = f"WJ{r + 1}-{self.survey_seq[r]:06d}"
                cells: list[Cell] = [number, name, m.uscc, days[offsets[row]], SURVEY_METHODS[methods[row]]]
                if worded[row]:
                    cells.extend(LABEL_OF[a] if a is not None else None for a in answers)
                    in_words.append(number)
                else:
                    cells.extend(answers)
                if self.survey_order is not None:  # the sheet's columns are not in the generator's order
                    cells = [cells[k] if k is not None else None for k in self.survey_order]
                self.surveys.append(cells)
                if answers.count(None) >= self.invalid_at:
                    invalid.append(number)
                row += 1

    def _random_answers(self, satisfaction: np.ndarray[Any, np.dtype[np.float64]]) -> list[list[int | None]]:
        """One response per entry: ~7 % 废卷 (≥ invalid_at blanks), ~12 % with 1–3 blanks, the rest complete."""
        g, q, count = self.np, len(self.questions), len(satisfaction)
        mean = (2.7 + 2.2 * satisfaction)[:, None]
        raw = np.clip(np.rint(g.normal(mean, 0.85, size=(count, q))), 1, 5).astype(np.int64)
        draw = g.random(count)
        invalid = draw < 0.07
        partial = (draw >= 0.07) & (draw < 0.19)
        blanks = np.zeros(count, dtype=np.int64)
        blanks[invalid] = g.integers(self.invalid_at, q + 1, size=int(invalid.sum()))
        blanks[partial] = g.integers(1, max(1, min(3, self.invalid_at - 1)) + 1, size=int(partial.sum()))
        ranks = g.random((count, q)).argsort(axis=1).argsort(axis=1)
        cells = raw.astype(object)
        cells[ranks < blanks[:, None]] = None
        rows: list[list[int | None]] = cells.tolist()
        return rows

    def _survey(self, m: Merchant, r: int, satisfaction: float) -> None:
        q = len(self.questions)
        if m.edge in EXACT and q == 8:
            block: list[list[int | None]] = [list(answers) for answers in EXACT[m.edge][1]]
            if m.edge == "score_80":  # a 废卷 that must not count
                block.append([1, 1, None, None, None, None, None, 1])
            self._survey_rows(m, r, block)
            return
        if m.edge in ("few_responses", "responses_4", "responses_5"):
            valid = {"few_responses": 3, "responses_4": 4, "responses_5": 5}[m.edge]
            rows = self._random_answers(np.full(valid + 2, satisfaction))
            for row in rows[:valid]:
                row[:] = [a if a is not None else 4 for a in row]
            if m.edge == "responses_5":
                blanks = min(4, self.invalid_at - 1)  # 4 blanks: still valid
                rows[0][:blanks] = [None] * blanks
            invalid = {"few_responses": 1, "responses_4": 2, "responses_5": 0}[m.edge]
            for row in rows[valid : valid + invalid]:
                row[: self.invalid_at] = [None] * self.invalid_at
            self._survey_rows(m, r, rows[: valid + invalid])
            return
        if m.edge == "tie":
            return  # written by the tie group
        count = self.rng.randint(8, 15)
        if not m.edge and self.rng.random() < 0.04:
            count = self.rng.randint(2, 6)
        labels = 0.6 if self.rng.random() < 0.05 else 0.0  # some survey teams record answers in words
        self.survey_plan.append((m, r, None, satisfaction, count, labels))
