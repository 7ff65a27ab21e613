"""district kpi targets (a 区县's own KPI targets, SPEC §6)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "district_kpi_target",
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("district", "key", name=op.f("pk_district_kpi_target")),
    )


def downgrade() -> None:
    op.drop_table("district_kpi_target")
