"""station extensions: per-person rule overrides, demand weights, requests.csv

Revision ID: 0006_station_extensions
Revises: 0005_api_tokens
Create Date: 2026-11-23 14:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_station_extensions'
down_revision = '0005_api_tokens'
branch_labels = None
depends_on = None

PERSON_RULE_COLUMNS = ('min_consecutive_days', 'max_consecutive_days', 'min_consecutive_days_off', 'max_weekends',
                       'min_total_minutes', 'max_total_minutes')


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        for name in PERSON_RULE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_shifts_per_type', sa.String(length=500), nullable=True))

    with op.batch_alter_table('demand_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('under_weight', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('over_weight', sa.Integer(), nullable=True))

    op.create_table('station_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('shift_id', sa.String(length=64), nullable=False),
    sa.Column('request', sa.String(length=8), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_request_station_id_station'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_request'))
    )
    with op.batch_alter_table('station_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_request_station_id'), ['station_id'], unique=False)


def downgrade():
    with op.batch_alter_table('station_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_request_station_id'))

    op.drop_table('station_request')

    with op.batch_alter_table('demand_row', schema=None) as batch_op:
        batch_op.drop_column('over_weight')
        batch_op.drop_column('under_weight')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('max_shifts_per_type')
        for name in reversed(PERSON_RULE_COLUMNS):
            batch_op.drop_column(name)
