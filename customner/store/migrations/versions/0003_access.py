"""access: access control (issue 8 sessions, issue 11 users and keys)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
