"""labeling teams: labeling versions, review and audit (issue 11)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entity_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot', sa.Integer(), nullable=True))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('labels_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
    # Existing types get the slots their order gave them so far: nobody's keys or colours change.
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, project_name FROM entity_types ORDER BY project_name, position, id'))
    counters: dict[str, int] = {}
    for type_id, project_name in rows.fetchall():
        slot = counters.get(project_name, 0)
        counters[project_name] = slot + 1
        connection.execute(sa.text('UPDATE entity_types SET slot = :slot WHERE id = :id'), {'slot': slot, 'id': type_id})

    op.create_table('label_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_name', sa.String(length=100), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('annotator', sa.String(length=100), nullable=True),
    sa.Column('from_version', sa.Integer(), nullable=False),
    sa.Column('to_version', sa.Integer(), nullable=False),
    sa.Column('added', sa.JSON(), nullable=False),
    sa.Column('removed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_name'], ['projects.name'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('label_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_events_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_events_project_name'), ['project_name'], unique=False)

    op.create_table('rejected_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.String(length=64), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'model_id', 'start', 'end', 'category')
    )
    with op.batch_alter_table('rejected_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejected_suggestions_document_id'), ['document_id'], unique=False)

    op.create_table('annotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('annotator', sa.String(length=100), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'annotator')
    )
    with op.batch_alter_table('annotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotations_annotator'), ['annotator'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotations_document_id'), ['document_id'], unique=False)

    op.create_table('entity_type_trash',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_name', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deleted_by', sa.String(length=100), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_name'], ['projects.name'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('entity_type_trash', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_type_trash_project_name'), ['project_name'], unique=False)


def downgrade() -> None:
    for table in ('entity_type_trash', 'annotations', 'rejected_suggestions', 'label_events'):
        op.drop_table(table)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('labels_version')
    with op.batch_alter_table('entity_types', schema=None) as batch_op:
        batch_op.drop_column('slot')
