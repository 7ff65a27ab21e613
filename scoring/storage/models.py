"""The database schema as thin typed SQLAlchemy 2 models (SPEC §3, §5, §9).

Imported data is keyed by its natural key (SPEC §3) with a surrogate integer id; every imported
row remembers the upload that last *changed* it and when. JSON columns hold canonical text
(``columns.JSONText``); the bulk ones (inspection items, survey answers, result points) are
plain text written and read column-wise by the repository.
Scoring runs and the audit log are append-only: the ORM refuses to update or delete them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from scoring.storage.columns import JSONText, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
USCC = String(18)
UPLOAD_STATUSES = ("pending", "committed", "failed", "dry-run")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Imported:
    """Columns of every imported table: which upload last changed the row, and when."""

    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class District(Imported, Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    code: Mapped[str | None] = mapped_column(String(6))
    city: Mapped[str | None] = mapped_column(String)


class Round(Imported, Base):
    __tablename__ = "round"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # 评估基准日


class Merchant(Imported, Base):
    __tablename__ = "merchant"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(USCC, unique=True)
    name: Mapped[str] = mapped_column(String)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    industry: Mapped[str] = mapped_column(String)
    address: Mapped[str | None] = mapped_column(Text)
    store_name: Mapped[str | None] = mapped_column(String)
    established: Mapped[date | None] = mapped_column(Date)
    applied: Mapped[bool] = mapped_column(Boolean, server_default=false())
    applied_on: Mapped[date | None] = mapped_column(Date)
    contact_person: Mapped[str | None] = mapped_column(String)  # personal data (SPEC §3.3)
    phone: Mapped[str | None] = mapped_column(String)  # personal data
    uscc_warning: Mapped[bool] = mapped_column(Boolean, server_default=false())  # bad check character


class Inspection(Imported, Base):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("uscc", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("merchant.uscc"))
    name: Mapped[str | None] = mapped_column(String)  # as written on the sheet
    inspected_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String)
    inspectors: Mapped[str] = mapped_column(String)
    # {code: "符合"|"部分符合"|"不符合"|"不适用" (check) | findings (deduct; null = 不适用) | number (bonus)}
    items: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    name_warning: Mapped[bool] = mapped_column(Boolean, server_default=false())  # name differs from registry


class SurveyResponse(Imported, Base):
    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("round_id", "response_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    response_no: Mapped[str] = mapped_column(String)
    uscc: Mapped[str] = mapped_column(ForeignKey("merchant.uscc"), index=True)
    surveyed_on: Mapped[date | None] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String)
    answers: Mapped[str] = mapped_column(Text)  # {question code: 1..5 | null (unanswered)}
    invalid: Mapped[bool] = mapped_column(Boolean, server_default=false())  # 废卷


class Complaint(Imported, Base):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_no: Mapped[str] = mapped_column(String, unique=True)
    uscc: Mapped[str] = mapped_column(USCC, index=True)  # no FK: complaints arrive before merchants
    name: Mapped[str | None] = mapped_column(String)
    registered_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2, asdecimal=False))
    category: Mapped[str | None] = mapped_column(String)


class CreditRecord(Imported, Base):
    __tablename__ = "credit_record"
    __table_args__ = (UniqueConstraint("uscc", "list_type", "listed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(USCC)  # no FK: a record may name an unregistered merchant
    list_type: Mapped[str] = mapped_column(String)
    listed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str | None] = mapped_column(String)
    doc_no: Mapped[str | None] = mapped_column(String)


class Upload(Base):
    """The ledger of every uploaded file (SPEC §9: file name, SHA-256, user, time, counts)."""

    __tablename__ = "upload"
    __table_args__ = (CheckConstraint("status IN ('pending', 'committed', 'failed', 'dry-run')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    counts: Mapped[Any | None] = mapped_column(JSONText)  # {sheet: {read, stored, rejected, blank, ...}}
    error: Mapped[str | None] = mapped_column(Text)


class UploadIssue(Base):
    """One problem found in an upload (error or warning), for the error report and data-quality view."""

    __tablename__ = "upload_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[str] = mapped_column(String)
    row_no: Mapped[int | None] = mapped_column(Integer)  # row number in the uploaded sheet
    column_name: Mapped[str | None] = mapped_column(String)
    value: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)


class ScoringRun(Base):
    """One immutable scoring run: what was scored, with which indicator system and data, by whom."""

    __tablename__ = "scoring_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String)
    indicator_id: Mapped[str] = mapped_column(String)
    indicator_version: Mapped[str] = mapped_column(String)
    indicator_hash: Mapped[str] = mapped_column(String(64))
    data_fingerprint: Mapped[str] = mapped_column(String)
    settings: Mapped[Any] = mapped_column(JSONText)
    merchant_count: Mapped[int] = mapped_column(Integer)
    layout: Mapped[Any] = mapped_column(JSONText)  # column order of each result frame, point/dimension codes


class _MerchantRow:
    """Columns of every per-merchant result of a run: the merchant (名称, 区县 and 行业 denormalised for
    fast filtering) first, and last any further engine columns, kept losslessly as a JSON object."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_run.id", ondelete="CASCADE"), sort_order=-1)
    uscc: Mapped[str] = mapped_column(USCC, sort_order=-1)
    name: Mapped[str | None] = mapped_column(String, sort_order=-1)
    district: Mapped[str | None] = mapped_column(String, sort_order=-1)
    industry: Mapped[str | None] = mapped_column(String, sort_order=-1)
    extra: Mapped[str | None] = mapped_column(Text, sort_order=1)


class MerchantResult(_MerchantRow, Base):
    """A row of SPEC §5.1."""

    __tablename__ = "merchant_result"
    __table_args__ = (
        UniqueConstraint("run_id", "uscc"),
        Index("ix_merchant_result_run_id_total", "run_id", "total"),
        Index("ix_merchant_result_run_id_district", "run_id", "district"),
    )

    base: Mapped[float | None] = mapped_column(Float)
    bonus: Mapped[float | None] = mapped_column(Float)
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String)
    veto_text: Mapped[str | None] = mapped_column(Text)
    city_rank: Mapped[int | None] = mapped_column(Integer)
    district_rank: Mapped[int | None] = mapped_column(Integer)
    industry_rank: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[str | None] = mapped_column(Text)  # {indicator or bonus code: points | null (N/A)}
    dimensions: Mapped[str | None] = mapped_column(Text)  # {dimension code: subtotal | null}


class CandidateResult(_MerchantRow, Base):
    """A row of the SPEC §5.4 candidate output."""

    __tablename__ = "candidate_result"
    __table_args__ = (UniqueConstraint("run_id", "uscc"),)

    total: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String)
    waitlist_no: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[str | None] = mapped_column(Text)


class DistrictResult(Base):
    """A row of the SPEC §5.5 district ranking."""

    __tablename__ = "district_result"
    __table_args__ = (UniqueConstraint("run_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_run.id", ondelete="CASCADE"))
    district: Mapped[str] = mapped_column(String)
    applicants: Mapped[int | None] = mapped_column(Integer)
    inspected_applicants: Mapped[int | None] = mapped_column(Integer)
    coverage: Mapped[float | None] = mapped_column(Float)
    mean_base: Mapped[float | None] = mapped_column(Float)
    excellent_rate: Mapped[float | None] = mapped_column(Float)
    veto_rate: Mapped[float | None] = mapped_column(Float)
    satisfaction: Mapped[float | None] = mapped_column(Float)
    on_time_rate: Mapped[float | None] = mapped_column(Float)
    selected: Mapped[int | None] = mapped_column(Integer)
    district_index: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[str | None] = mapped_column(Text)


class CampaignSetting(Base):
    __tablename__ = "campaign_setting"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String, index=True)
    detail: Mapped[Any | None] = mapped_column(JSONText)


class IndicatorVersion(Base):
    """An indicator-system file as uploaded (SPEC §4): kept verbatim so every run can be reproduced."""

    __tablename__ = "indicator_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    system_id: Mapped[str] = mapped_column(String)
    version: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    content: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ImmutableRowError(RuntimeError):
    """An append-only row (scoring run, audit entry) was about to be changed."""


def _refuse_change(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise ImmutableRowError(f"{type(target).__name__} 记录不可修改或删除")


for _model in (ScoringRun, AuditLog):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


class User(Base):
    """A person who may sign in (SPEC §1 roles, §9): Argon2id hash, role, 区县 scope, lockout state."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String, server_default="")
    password_hash: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- review and dynamic management (SPEC §5.7) -------------------------------------------------

REVIEW_STATES = ("待审核", "区县审核通过", "区县退回", "市级审核通过", "市级退回", "公示中", "已认定", "摘牌", "到期")


class ReviewCase(Base):
    """One candidate's way through review in one round, and the title it may earn (SPEC §5.7).

    Name, 区县, 行业, score and grade are copied from the scoring run the case was opened from, so a
    case reads the same after later runs; the district copy also scopes queries for evaluators.
    """

    __tablename__ = "review_case"
    __table_args__ = (
        UniqueConstraint("round_id", "uscc"),
        CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in REVIEW_STATES) + ")", name="state"),
        Index("ix_review_case_state_district", "state", "district"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_run.id", ondelete="SET NULL"))
    uscc: Mapped[str] = mapped_column(USCC, index=True)
    name: Mapped[str] = mapped_column(String)
    district: Mapped[str] = mapped_column(String)
    industry: Mapped[str] = mapped_column(String)
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String)
    state: Mapped[str] = mapped_column(String(16))
    nominated: Mapped[bool] = mapped_column(Boolean, server_default=false())  # 递补 from the waiting list
    recognised_on: Mapped[date | None] = mapped_column(Date)  # 认定日期
    valid_until: Mapped[date | None] = mapped_column(Date)  # last day of the 3-year validity
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String)


class ReviewEvent(Base):
    """One transition of a review case with its written reason (append-only history)."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    username: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    batch: Mapped[str | None] = mapped_column(String(32))  # shared by the cases of one bulk action


class RevocationAlert(Base):
    """A veto that fires on an 已认定 unit (SPEC §5.7): open until the unit is 摘牌 or the alert is resolved."""

    __tablename__ = "revocation_alert"
    __table_args__ = (UniqueConstraint("case_id", "veto_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_case.id"), index=True)
    veto_text: Mapped[str] = mapped_column(String)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String)
    resolution: Mapped[str | None] = mapped_column(Text)


event.listen(ReviewEvent, "before_update", _refuse_change)
event.listen(ReviewEvent, "before_delete", _refuse_change)


class Phase(Base):
    """A phase of the campaign plan (SPEC §6), e.g. 筹备 / 实施 / 总结, with its dates."""

    __tablename__ = "phase"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    position: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class PhaseTask(Base):
    """One task of a phase for one 区县; overdue is derived (past its due date and not done)."""

    __tablename__ = "phase_task"
    __table_args__ = (
        UniqueConstraint("phase_id", "district", "name"),
        CheckConstraint("status IN ('todo', 'in_progress', 'done')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phase.id", ondelete="CASCADE"), index=True)
    district: Mapped[str] = mapped_column(String, index=True)
    name: Mapped[str] = mapped_column(String)
    position: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)  # None = the phase's end date
    status: Mapped[str] = mapped_column(String(16), server_default="todo")
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)


class KpiTarget(Base):
    """A campaign KPI target (SPEC §6), e.g. 检查覆盖率 ≥ 90%; absent rows fall back to the defaults."""

    __tablename__ = "kpi_target"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)


class DistrictKpiTarget(Base):
    """One 区县's own KPI target (SPEC §6); a district without a row uses the campaign's target."""

    __tablename__ = "district_kpi_target"

    district: Mapped[str] = mapped_column(String, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)
