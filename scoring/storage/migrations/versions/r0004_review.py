"""review workflow: review cases, their history, revocation alerts (SPEC §5.7)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("待审核", "区县审核通过", "区县退回", "市级审核通过", "市级退回", "公示中", "已认定", "摘牌", "到期")


def upgrade() -> None:
    op.create_table(
        "review_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("industry", sa.String(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("nominated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in STATES) + ")", name=op.f("ck_review_case_state")
        ),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name=op.f("fk_review_case_round_id_round")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["scoring_run.id"], name=op.f("fk_review_case_run_id_scoring_run"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_case")),
        sa.UniqueConstraint("round_id", "uscc", name=op.f("uq_review_case_round_id_uscc")),
    )
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.create_index("ix_review_case_state_district", ["state", "district"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_case_uscc"), ["uscc"], unique=False)

    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], name=op.f("fk_review_event_case_id_review_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_event")),
    )
    with op.batch_alter_table("review_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "revocation_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("veto_text", sa.String(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_case.id"], name=op.f("fk_revocation_alert_case_id_review_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation_alert")),
        sa.UniqueConstraint("case_id", "veto_text", name=op.f("uq_revocation_alert_case_id_veto_text")),
    )
    with op.batch_alter_table("revocation_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revocation_alert_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revocation_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocation_alert_case_id"))
    op.drop_table("revocation_alert")
    with op.batch_alter_table("review_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_event_case_id"))
    op.drop_table("review_event")
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_case_uscc"))
        batch_op.drop_index("ix_review_case_state_district")
    op.drop_table("review_case")
