"""rosters, solve jobs and the audit log

Revision ID: 0002_rosters
Revises: 0001
Create Date: 2026-11-23 12:49:44.322895

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_rosters'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_log_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_user_id'), ['user_id'], unique=False)

    op.create_table('solve_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('objective', sa.Double(), nullable=True),
    sa.Column('bound', sa.Double(), nullable=True),
    sa.Column('gap', sa.Double(), nullable=True),
    sa.Column('elapsed', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('stop_requested', sa.Boolean(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'stopped')", name=op.f('ck_solve_job_status')),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], name=op.f('fk_solve_job_requested_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_solve_job_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_job'))
    )
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_job_station_id'), ['station_id'], unique=False)
        batch_op.create_index('ux_solve_job_active', ['station_id', 'week_start'], unique=True, sqlite_where=sa.text("status IN ('queued', 'running')"), postgresql_where=sa.text("status IN ('queued', 'running')"))

    op.create_table('roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('objective', sa.Integer(), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('from_job', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_roster_status')),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_roster_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_job'], ['solve_job.id'], name=op.f('fk_roster_from_job_solve_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_roster_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster')),
    sa.UniqueConstraint('station_id', 'week_start', 'version', name=op.f('uq_roster_station_id_week_start_version'))
    )
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_station_id'), ['station_id'], unique=False)

    op.create_table('roster_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('shift_id', sa.String(length=64), nullable=False),
    sa.Column('grid_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['roster.id'], name=op.f('fk_roster_assignment_roster_id_roster'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_assignment'))
    )
    with op.batch_alter_table('roster_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_assignment_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_assignment_roster_id'), ['roster_id'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('roster_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_assignment_roster_id'))
        batch_op.drop_index(batch_op.f('ix_roster_assignment_person_id'))

    op.drop_table('roster_assignment')
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_station_id'))

    op.drop_table('roster')
    with op.batch_alter_table('solve_job', schema=None) as batch_op:
        batch_op.drop_index('ux_solve_job_active')
        batch_op.drop_index(batch_op.f('ix_solve_job_station_id'))

    op.drop_table('solve_job')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
