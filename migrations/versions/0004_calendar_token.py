"""private iCal feed: a secret calendar token per user

Revision ID: 0004_calendar_token
Revises: 0003_volunteer
Create Date: 2026-11-23 13:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_calendar_token'
down_revision = '0003_volunteer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_calendar_token'), ['calendar_token'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')
