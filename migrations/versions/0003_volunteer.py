"""volunteer side: open patrol slots, sign-ups, availability deadlines

Revision ID: 0003_volunteer
Revises: 0002_rosters
Create Date: 2026-11-23 12:55:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_volunteer'
down_revision = '0002_rosters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('availability_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_availability_deadline_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_deadline')),
    sa.UniqueConstraint('station_id', 'week_start', name=op.f('uq_availability_deadline_station_id_week_start'))
    )
    with op.batch_alter_table('availability_deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_deadline_station_id'), ['station_id'], unique=False)

    op.create_table('open_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('shift_id', sa.String(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('signup_cutoff', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_open_slot_capacity')),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_open_slot_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_open_slot_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_slot'))
    )
    with op.batch_alter_table('open_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_slot_station_id'), ['station_id'], unique=False)

    op.create_table('slot_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['open_slot.id'], name=op.f('fk_slot_signup_slot_id_open_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_signup')),
    sa.UniqueConstraint('slot_id', 'person_id', name=op.f('uq_slot_signup_slot_id_person_id'))
    )
    with op.batch_alter_table('slot_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_signup_slot_id'), ['slot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('slot_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_signup_slot_id'))

    op.drop_table('slot_signup')
    with op.batch_alter_table('open_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_slot_station_id'))

    op.drop_table('open_slot')
    with op.batch_alter_table('availability_deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_deadline_station_id'))

    op.drop_table('availability_deadline')
