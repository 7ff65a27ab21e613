"""The review fixtures (the public sample imported and scored, with campaign settings) for export tests."""

from tests.review.conftest import sample_db, sample_sqlite

__all__ = ["sample_db", "sample_sqlite"]
