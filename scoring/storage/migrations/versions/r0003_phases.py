"""phases, per-district tasks and KPI targets (SPEC §6)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_phase_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase")),
        sa.UniqueConstraint("name", name=op.f("uq_phase_name")),
    )
    op.create_table(
        "phase_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="todo", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.CheckConstraint("status IN ('todo', 'in_progress', 'done')", name=op.f("ck_phase_task_status")),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_phase_task_phase_id_phase"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_task")),
        sa.UniqueConstraint("phase_id", "district", "name", name=op.f("uq_phase_task_phase_id_district_name")),
    )
    with op.batch_alter_table("phase_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phase_task_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phase_task_district"), ["district"], unique=False)
    op.create_table(
        "kpi_target",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kpi_target")),
    )


def downgrade() -> None:
    op.drop_table("kpi_target")
    with op.batch_alter_table("phase_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phase_task_district"))
        batch_op.drop_index(batch_op.f("ix_phase_task_phase_id"))
    op.drop_table("phase_task")
    op.drop_table("phase")
