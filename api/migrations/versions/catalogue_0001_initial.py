"""catalogue: editions, formats, tracks, contributors, events, timings, tags, audit, full text

Revision ID: catalogue_0001
Revises:
Create Date: 2026-11-29

Full text is dialect specific: an external-content FTS5 table kept in sync by triggers on SQLite,
a generated tsvector column ('french' configuration) with a GIN index on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalogue_0001"
down_revision = None
branch_labels = ("catalogue",)
depends_on = None

FTS_COLUMNS = "title, short_description, long_description, search_text"


def upgrade() -> None:
    op.create_table(
        "catalogue_editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("submission_deadline", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_editions"),
        sa.UniqueConstraint("slug", name="uq_catalogue_editions_slug"),
    )
    op.create_table(
        "catalogue_formats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("label_fr", sa.String(100), nullable=False),
        sa.Column("label_en", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_formats"),
        sa.UniqueConstraint("slug", name="uq_catalogue_formats_slug"),
    )
    op.create_table(
        "catalogue_tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(140), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["catalogue_editions.id"],
            name="fk_catalogue_tracks_edition_id_catalogue_editions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_tracks"),
        sa.UniqueConstraint("slug", name="uq_catalogue_tracks_slug"),
    )
    op.create_index("ix_catalogue_tracks_edition_id", "catalogue_tracks", ["edition_id"])
    op.create_table(
        "catalogue_contributors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(140), nullable=False),
        sa.Column("structure", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_contributors"),
        sa.UniqueConstraint("email", name="uq_catalogue_contributors_email"),
    )
    for table in ("catalogue_login_tokens", "catalogue_sessions"):
        columns: list[sa.schema.SchemaItem] = [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("contributor_id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
        ]
        if table == "catalogue_login_tokens":
            columns.append(sa.Column("used_at", sa.DateTime(), nullable=True))
        op.create_table(
            table,
            *columns,
            sa.ForeignKeyConstraint(
                ["contributor_id"],
                ["catalogue_contributors.id"],
                name=f"fk_{table}_contributor_id_catalogue_contributors",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("token_hash", name=f"uq_{table}_token_hash"),
        )
        op.create_index(f"ix_{table}_contributor_id", table, ["contributor_id"])
    op.create_table(
        "catalogue_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(80), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", sa.String(140), nullable=False),
        sa.Column("short_description", sa.String(200), nullable=False),
        sa.Column("long_description", sa.Text(), nullable=False),
        sa.Column("format_id", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("attendance_mode", sa.String(10), nullable=False),
        sa.Column("online_url", sa.String(500), nullable=True),
        sa.Column("place_name", sa.String(200), nullable=True),
        sa.Column("place_address", sa.String(300), nullable=True),
        sa.Column("postal_code", sa.String(5), nullable=True),
        sa.Column("commune", sa.String(140), nullable=True),
        sa.Column("departement_code", sa.String(3), nullable=True),
        sa.Column("region_code", sa.String(2), nullable=True),
        sa.Column("registration_url", sa.String(500), nullable=True),
        sa.Column("registration_email", sa.String(254), nullable=True),
        sa.Column("organizer_name", sa.String(200), nullable=False),
        sa.Column("organizer_contact_name", sa.String(140), nullable=True),
        sa.Column("organizer_contact_email", sa.String(254), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("track_step", sa.Integer(), nullable=True),
        sa.Column("moderation_message", sa.Text(), nullable=True),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("first_start", sa.DateTime(), nullable=False),
        sa.Column("last_end", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["catalogue_editions.id"],
            name="fk_catalogue_events_edition_id_catalogue_editions",
        ),
        sa.ForeignKeyConstraint(
            ["format_id"],
            ["catalogue_formats.id"],
            name="fk_catalogue_events_format_id_catalogue_formats",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["catalogue_tracks.id"],
            name="fk_catalogue_events_track_id_catalogue_tracks",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["catalogue_contributors.id"],
            name="fk_catalogue_events_contributor_id_catalogue_contributors",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_events"),
        sa.UniqueConstraint("edition_id", "external_ref", name="uq_catalogue_events_external_ref"),
    )
    for column in (
        "edition_id",
        "format_id",
        "attendance_mode",
        "departement_code",
        "region_code",
        "track_id",
        "contributor_id",
    ):
        op.create_index(f"ix_catalogue_events_{column}", "catalogue_events", [column])
    op.create_index("ix_catalogue_events_state_start", "catalogue_events", ["state", "first_start"])
    op.create_index(
        "ix_catalogue_events_state_published", "catalogue_events", ["state", "published_at"]
    )
    op.create_table(
        "catalogue_timings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["catalogue_events.id"],
            name="fk_catalogue_timings_event_id_catalogue_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_timings"),
    )
    op.create_index("ix_catalogue_timings_event_id", "catalogue_timings", ["event_id"])
    op.create_index(
        "ix_catalogue_timings_day_event", "catalogue_timings", ["start_day", "event_id"]
    )
    op.create_table(
        "catalogue_event_tags",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["catalogue_events.id"],
            name="fk_catalogue_event_tags_event_id_catalogue_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "kind", "value", name="pk_catalogue_event_tags"),
    )
    op.create_index(
        "ix_catalogue_event_tags_kind_value",
        "catalogue_event_tags",
        ["kind", "value", "event_id"],
    )
    op.create_table(
        "catalogue_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(80), nullable=False),
        sa.Column("actor_label", sa.String(254), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_audit"),
    )
    op.create_index(
        "ix_catalogue_audit_entity", "catalogue_audit", ["entity", "entity_id", "id"]
    )
    _create_full_text()


def _create_full_text() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE catalogue_events_fts USING fts5({FTS_COLUMNS}, "
            "content='catalogue_events', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        new_values = "new.title, new.short_description, new.long_description, new.search_text"
        old_values = "old.title, old.short_description, old.long_description, old.search_text"
        op.execute(
            "CREATE TRIGGER catalogue_events_fts_insert AFTER INSERT ON catalogue_events BEGIN "
            f"INSERT INTO catalogue_events_fts(rowid, {FTS_COLUMNS}) "
            f"VALUES (new.id, {new_values}); END"
        )
        op.execute(
            "CREATE TRIGGER catalogue_events_fts_delete AFTER DELETE ON catalogue_events BEGIN "
            f"INSERT INTO catalogue_events_fts(catalogue_events_fts, rowid, {FTS_COLUMNS}) "
            f"VALUES ('delete', old.id, {old_values}); END"
        )
        op.execute(
            "CREATE TRIGGER catalogue_events_fts_update AFTER UPDATE OF "
            f"{FTS_COLUMNS} ON catalogue_events BEGIN "
            f"INSERT INTO catalogue_events_fts(catalogue_events_fts, rowid, {FTS_COLUMNS}) "
            f"VALUES ('delete', old.id, {old_values}); "
            f"INSERT INTO catalogue_events_fts(rowid, {FTS_COLUMNS}) "
            f"VALUES (new.id, {new_values}); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "ALTER TABLE catalogue_events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('french'::regconfig, coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('french'::regconfig, coalesce(search_text, '')), 'B') || "
            "setweight(to_tsvector('french'::regconfig, coalesce(short_description, '')), 'B') || "
            "setweight(to_tsvector('french'::regconfig, coalesce(long_description, '')), 'C')"
            ") STORED"
        )
        op.execute(
            "CREATE INDEX ix_catalogue_events_search_vector ON catalogue_events "
            "USING gin (search_vector)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS catalogue_events_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS catalogue_events_fts")
    for table in (
        "catalogue_audit",
        "catalogue_event_tags",
        "catalogue_timings",
        "catalogue_events",
        "catalogue_sessions",
        "catalogue_login_tokens",
        "catalogue_contributors",
        "catalogue_tracks",
        "catalogue_formats",
        "catalogue_editions",
    ):
        op.drop_table(table)
