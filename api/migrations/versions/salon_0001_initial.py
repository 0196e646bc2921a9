"""salon: organisers and API keys, salons (sessions, objectives, tables, participants,
unavailabilities, wishes and their intervals), participant links, solve jobs and schedules

Revision ID: salon_0001
Revises:
Create Date: 2026-11-29

At most one queued or running solve per salon: a partial unique index on salon_solve_jobs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'salon_0001'
down_revision = None
branch_labels = ('salon',)
depends_on = None


def upgrade() -> None:
    op.create_table('organisers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisers')),
    sa.UniqueConstraint('email', name=op.f('uq_organisers_email'))
    )
    op.create_table('organiser_api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_organiser_api_keys_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organiser_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_organiser_api_keys_key_hash'))
    )
    with op.batch_alter_table('organiser_api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organiser_api_keys_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('salons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('meeting_minutes', sa.Integer(), nullable=False),
    sa.Column('changeover_minutes', sa.Integer(), nullable=False),
    sa.Column('max_in_a_row', sa.Integer(), nullable=True),
    sa.Column('max_break_spread', sa.Integer(), nullable=True),
    sa.Column('tables_form', sa.String(length=8), nullable=False),
    sa.Column('wishes_open', sa.Boolean(), nullable=False),
    sa.Column('wish_deadline', sa.DateTime(), nullable=True),
    sa.Column('max_wishes', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_salons_organiser_id_organisers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salons'))
    )
    with op.batch_alter_table('salons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salons_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('salon_objectives',
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_objectives_salon_id_salons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('salon_id', 'position', name=op.f('pk_salon_objectives'))
    )
    op.create_table('salon_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_sessions_salon_id_salons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_sessions')),
    sa.UniqueConstraint('salon_id', 'position', name=op.f('uq_salon_sessions_salon_id'))
    )
    with op.batch_alter_table('salon_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_sessions_salon_id'), ['salon_id'], unique=False)

    op.create_table('salon_solve_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('time_limit', sa.Float(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('elapsed', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('participant_count', sa.Integer(), nullable=True),
    sa.Column('wish_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_solve_jobs_salon_id_salons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_solve_jobs'))
    )
    with op.batch_alter_table('salon_solve_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_solve_jobs_salon_id'), ['salon_id'], unique=False)
        batch_op.create_index('uq_salon_solve_jobs_active', ['salon_id'], unique=True, sqlite_where=sa.text("state IN ('queued', 'running')"), postgresql_where=sa.text("state IN ('queued', 'running')"))

    op.create_table('salon_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('room', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_tables_salon_id_salons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_tables')),
    sa.UniqueConstraint('salon_id', 'code', name=op.f('uq_salon_tables_salon_id'))
    )
    with op.batch_alter_table('salon_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_tables_salon_id'), ['salon_id'], unique=False)

    op.create_table('salon_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=True),
    sa.Column('representatives', sa.Integer(), nullable=False),
    sa.Column('max_meetings', sa.Integer(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('wishes_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_participants_salon_id_salons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['salon_tables.id'], name=op.f('fk_salon_participants_table_id_salon_tables')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_participants')),
    sa.UniqueConstraint('salon_id', 'code', name=op.f('uq_salon_participants_salon_id'))
    )
    with op.batch_alter_table('salon_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_participants_salon_id'), ['salon_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_participants_table_id'), ['table_id'], unique=False)

    op.create_table('salon_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('salon_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['salon_solve_jobs.id'], name=op.f('fk_salon_schedules_job_id_salon_solve_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_schedules_salon_id_salons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_schedules')),
    sa.UniqueConstraint('job_id', name=op.f('uq_salon_schedules_job_id')),
    sa.UniqueConstraint('salon_id', 'version', name=op.f('uq_salon_schedules_salon_id'))
    )
    with op.batch_alter_table('salon_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_schedules_salon_id'), ['salon_id'], unique=False)

    op.create_table('salon_solve_job_clashes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['salon_solve_jobs.id'], name=op.f('fk_salon_solve_job_clashes_job_id_salon_solve_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_solve_job_clashes'))
    )
    with op.batch_alter_table('salon_solve_job_clashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_solve_job_clashes_job_id'), ['job_id'], unique=False)

    op.create_table('salon_solve_job_objectives',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('bound', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['salon_solve_jobs.id'], name=op.f('fk_salon_solve_job_objectives_job_id_salon_solve_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'name', name=op.f('pk_salon_solve_job_objectives'))
    )
    op.create_table('salon_participant_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['salon_participants.id'], name=op.f('fk_salon_participant_links_participant_id_salon_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_participant_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_salon_participant_links_token_hash'))
    )
    with op.batch_alter_table('salon_participant_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_participant_links_participant_id'), ['participant_id'], unique=False)

    op.create_table('salon_schedule_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['salon_participants.id'], name=op.f('fk_salon_schedule_meetings_from_id_salon_participants')),
    sa.ForeignKeyConstraint(['schedule_id'], ['salon_schedules.id'], name=op.f('fk_salon_schedule_meetings_schedule_id_salon_schedules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['salon_tables.id'], name=op.f('fk_salon_schedule_meetings_table_id_salon_tables')),
    sa.ForeignKeyConstraint(['to_id'], ['salon_participants.id'], name=op.f('fk_salon_schedule_meetings_to_id_salon_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_schedule_meetings'))
    )
    with op.batch_alter_table('salon_schedule_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_schedule_meetings_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_schedule_meetings_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_schedule_meetings_table_id'), ['table_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_schedule_meetings_to_id'), ['to_id'], unique=False)

    op.create_table('salon_schedule_objectives',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('bound', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['salon_schedules.id'], name=op.f('fk_salon_schedule_objectives_schedule_id_salon_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'position', name=op.f('pk_salon_schedule_objectives'))
    )
    op.create_table('salon_schedule_unscheduled',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('detail_en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['salon_participants.id'], name=op.f('fk_salon_schedule_unscheduled_from_id_salon_participants')),
    sa.ForeignKeyConstraint(['schedule_id'], ['salon_schedules.id'], name=op.f('fk_salon_schedule_unscheduled_schedule_id_salon_schedules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['salon_participants.id'], name=op.f('fk_salon_schedule_unscheduled_to_id_salon_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_schedule_unscheduled'))
    )
    with op.batch_alter_table('salon_schedule_unscheduled', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_schedule_unscheduled_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_schedule_unscheduled_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_schedule_unscheduled_to_id'), ['to_id'], unique=False)

    op.create_table('salon_unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['salon_participants.id'], name=op.f('fk_salon_unavailabilities_participant_id_salon_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_unavailabilities'))
    )
    with op.batch_alter_table('salon_unavailabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_unavailabilities_participant_id'), ['participant_id'], unique=False)

    op.create_table('salon_wishes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('salon_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('declined', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('has_during', sa.Boolean(), nullable=False),
    sa.Column('pinned', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['salon_participants.id'], name=op.f('fk_salon_wishes_from_id_salon_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['salon_id'], ['salons.id'], name=op.f('fk_salon_wishes_salon_id_salons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['salon_participants.id'], name=op.f('fk_salon_wishes_to_id_salon_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_wishes')),
    sa.UniqueConstraint('from_id', 'to_id', name=op.f('uq_salon_wishes_from_id'))
    )
    with op.batch_alter_table('salon_wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_wishes_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_wishes_salon_id'), ['salon_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_salon_wishes_to_id'), ['to_id'], unique=False)

    op.create_table('salon_wish_intervals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['wish_id'], ['salon_wishes.id'], name=op.f('fk_salon_wish_intervals_wish_id_salon_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_wish_intervals'))
    )
    with op.batch_alter_table('salon_wish_intervals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_wish_intervals_wish_id'), ['wish_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('salon_wish_intervals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_wish_intervals_wish_id'))

    op.drop_table('salon_wish_intervals')
    with op.batch_alter_table('salon_wishes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_wishes_to_id'))
        batch_op.drop_index(batch_op.f('ix_salon_wishes_salon_id'))
        batch_op.drop_index(batch_op.f('ix_salon_wishes_from_id'))

    op.drop_table('salon_wishes')
    with op.batch_alter_table('salon_unavailabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_unavailabilities_participant_id'))

    op.drop_table('salon_unavailabilities')
    with op.batch_alter_table('salon_schedule_unscheduled', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_schedule_unscheduled_to_id'))
        batch_op.drop_index(batch_op.f('ix_salon_schedule_unscheduled_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_salon_schedule_unscheduled_from_id'))

    op.drop_table('salon_schedule_unscheduled')
    op.drop_table('salon_schedule_objectives')
    with op.batch_alter_table('salon_schedule_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_schedule_meetings_to_id'))
        batch_op.drop_index(batch_op.f('ix_salon_schedule_meetings_table_id'))
        batch_op.drop_index(batch_op.f('ix_salon_schedule_meetings_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_salon_schedule_meetings_from_id'))

    op.drop_table('salon_schedule_meetings')
    with op.batch_alter_table('salon_participant_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_participant_links_participant_id'))

    op.drop_table('salon_participant_links')
    op.drop_table('salon_solve_job_objectives')
    with op.batch_alter_table('salon_solve_job_clashes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_solve_job_clashes_job_id'))

    op.drop_table('salon_solve_job_clashes')
    with op.batch_alter_table('salon_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_schedules_salon_id'))

    op.drop_table('salon_schedules')
    with op.batch_alter_table('salon_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_participants_table_id'))
        batch_op.drop_index(batch_op.f('ix_salon_participants_salon_id'))

    op.drop_table('salon_participants')
    with op.batch_alter_table('salon_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_tables_salon_id'))

    op.drop_table('salon_tables')
    with op.batch_alter_table('salon_solve_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_salon_solve_jobs_active', sqlite_where=sa.text("state IN ('queued', 'running')"), postgresql_where=sa.text("state IN ('queued', 'running')"))
        batch_op.drop_index(batch_op.f('ix_salon_solve_jobs_salon_id'))

    op.drop_table('salon_solve_jobs')
    with op.batch_alter_table('salon_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_sessions_salon_id'))

    op.drop_table('salon_sessions')
    op.drop_table('salon_objectives')
    with op.batch_alter_table('salons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salons_organiser_id'))

    op.drop_table('salons')
    with op.batch_alter_table('organiser_api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organiser_api_keys_organiser_id'))

    op.drop_table('organiser_api_keys')
    op.drop_table('organisers')
