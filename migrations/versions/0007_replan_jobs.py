"""re-plan jobs: solve_job.kind and the reported absence behind each re-plan (replan_request)

Revision ID: 0007_replan_jobs
Revises: 0006_station_extensions
Create Date: 2026-11-23 14:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_replan_jobs'
down_revision = '0006_station_extensions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='solve', nullable=False))

    op.create_table('replan_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('base_roster_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('written', sa.JSON(), nullable=True),
    sa.Column('replaced', sa.JSON(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.CheckConstraint("outcome IN ('accepted', 'discarded')", name=op.f('ck_replan_request_outcome')),
    sa.ForeignKeyConstraint(['base_roster_id'], ['roster.id'], name=op.f('fk_replan_request_base_roster_id_roster'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['solve_job.id'], name=op.f('fk_replan_request_job_id_solve_job'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replan_request')),
    sa.UniqueConstraint('job_id', name=op.f('uq_replan_request_job_id'))
    )
    with op.batch_alter_table('replan_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replan_request_base_roster_id'), ['base_roster_id'], unique=False)


def downgrade():
    with op.batch_alter_table('replan_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replan_request_base_roster_id'))

    op.drop_table('replan_request')

    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.drop_column('kind')
