"""history across weeks: solve_job.lookback_weeks, the weeks of published rosters a solve balances over

Revision ID: 0008_history_lookback
Revises: 0007_replan_jobs
Create Date: 2026-11-23 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_history_lookback'
down_revision = '0007_replan_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lookback_weeks', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.drop_column('lookback_weeks')
