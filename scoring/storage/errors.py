"""The one exception storage raises for bad data."""

from __future__ import annotations


class StorageError(ValueError):
    """Data the database cannot take as it is; the message is Chinese and names the offending values."""
