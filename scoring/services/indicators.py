"""Indicator-system versions (SPEC §4): the active version, uploads of new ones, and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from scoring.engine.indicators import IndicatorSystem, load_indicator_system
from scoring.services.context import UserContext
from scoring.storage import repository as repo
from scoring.storage.database import session_scope
from scoring.storage.models import IndicatorVersion

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "indicators" / "fangxin-2026.yaml"


@dataclass(frozen=True)
class VersionInfo:
    id: int
    content_hash: str
    system_id: str
    version: str
    name: str
    uploaded_by: str
    uploaded_at: datetime
    active: bool


def default_system() -> IndicatorSystem:
    """The shipped 2026 indicator system."""
    return load_indicator_system(DEFAULT_FILE.read_bytes())


def load_file(path: str | Path) -> IndicatorSystem:
    """An indicator system from a YAML file (validated; IndicatorSystemError lists every problem)."""
    return load_indicator_system(Path(path).read_bytes())


def _register(engine: Engine, user: UserContext, content: bytes, activate: bool) -> IndicatorSystem:
    system = load_indicator_system(content)
    try:
        _store(engine, user, system, content, activate)
    except IntegrityError:
        # Another process registered the same content at the same moment (unique content hash):
        # its row is ours too, so only the activation may still be missing.
        _store(engine, user, system, content, activate)
    return system


def _store(engine: Engine, user: UserContext, system: IndicatorSystem, content: bytes, activate: bool) -> None:
    with session_scope(engine) as s:
        row = s.execute(
            select(IndicatorVersion).where(IndicatorVersion.content_hash == system.content_hash)
        ).scalar_one_or_none()
        if row is None:
            row = IndicatorVersion(
                content_hash=system.content_hash,
                system_id=system.id,
                version=system.version,
                name=system.name.zh,
                content=content.decode("utf-8"),
                uploaded_by=user.username,
            )
            s.add(row)
            s.flush()
            repo.append_audit(s, user.username, "indicator_version_added", {"hash": system.content_hash})
        if activate and not row.active:
            s.execute(update(IndicatorVersion).values(active=False))
            row.active = True
            repo.append_audit(
                s,
                user.username,
                "indicator_version_activated",
                {"hash": system.content_hash, "version": system.version},
            )


def active_system(engine: Engine) -> IndicatorSystem:
    """The active version; the shipped default is registered and activated on first use."""
    with session_scope(engine, write=False) as s:
        content = s.execute(select(IndicatorVersion.content).where(IndicatorVersion.active)).scalar_one_or_none()
    if content is not None:
        return load_indicator_system(content.encode("utf-8"))
    from scoring.services.context import CLI_USER

    return _register(engine, CLI_USER, DEFAULT_FILE.read_bytes(), activate=True)


def ensure_version(engine: Engine, user: UserContext, system_content: bytes) -> IndicatorSystem:
    """Record a version used by a run (e.g. ``score --indicators FILE``) without activating it."""
    return _register(engine, user, system_content, activate=False)


def upload_version(engine: Engine, user: UserContext, content: bytes, activate: bool = True) -> IndicatorSystem:
    """An admin uploads a new version: validated first (IndicatorSystemError on any problem)."""
    user.require("manage_indicators")
    return _register(engine, user, content, activate)


def list_versions(engine: Engine) -> list[VersionInfo]:
    with session_scope(engine, write=False) as s:
        rows = s.execute(select(IndicatorVersion).order_by(IndicatorVersion.uploaded_at.desc())).scalars().all()
        return [
            VersionInfo(r.id, r.content_hash, r.system_id, r.version, r.name, r.uploaded_by, r.uploaded_at, r.active)
            for r in rows
        ]


def version_content(engine: Engine, content_hash: str) -> bytes | None:
    with session_scope(engine, write=False) as s:
        text = s.execute(
            select(IndicatorVersion.content).where(IndicatorVersion.content_hash == content_hash)
        ).scalar_one_or_none()
    return None if text is None else text.encode("utf-8")
