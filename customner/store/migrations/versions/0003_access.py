"""access: access control (issue 8 sessions, issue 11 users and keys)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('password_hash', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'studio_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('user_name', sa.String(length=100), nullable=True),
        sa.Column('key_hash', sa.String(length=64), nullable=True),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_name'], ['users.name'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    with op.batch_alter_table('studio_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_sessions_user_name'), ['user_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_sessions_last_seen_at'), ['last_seen_at'], unique=False)
    op.create_table(
        'api_keys',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=8), nullable=False),
        sa.Column('scope', sa.String(length=20), nullable=False),
        sa.Column('projects', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
        sa.UniqueConstraint('key_hash'),
    )


def downgrade() -> None:
    op.drop_table('api_keys')
    with op.batch_alter_table('studio_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_sessions_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_studio_sessions_user_name'))
    op.drop_table('studio_sessions')
    op.drop_table('users')
