"""Feed entries of matches know their two ends, and carry no article bodies.

Entries recorded before are brought to the same state: a match entry gets its ends and
is narrowed to what its ends' newest entries allow (or goes, when an end was deleted),
and article entries lose `body` and `body_html`.

Revision ID: 0003
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

# The rules as they were when this revision was written, frozen here: a migration must
# do the same thing next year, whatever the gateway's domain module says by then.
MATCH_FOUND = "de.lotse.match.found.v1"
PROJECT_DELETED = "de.lotse.project.deleted.v1"
ARTICLE_BODY = frozenset({"body", "body_html"})
_NARROWNESS = {"private": 0, "region": 1, "public": 2}


def narrowed_match(
    visibility: str, owner: str, end_visibility: str, end_owner: str
) -> tuple[str, str]:
    """A match entry never more visible than either end (as the domain had it in 0003)."""
    if end_visibility != "private":
        return min(visibility, end_visibility, key=_NARROWNESS.__getitem__), owner
    if visibility != "private":
        return "private", end_owner
    return "private", owner if owner == end_owner else ""


_ENTRIES = sa.table(
    "feed_entries",
    sa.column("seq", sa.Integer),
    sa.column("type", sa.String),
    sa.column("subject", sa.String),
    sa.column("visibility", sa.String),
    sa.column("municipality_ags", sa.String),
    sa.column("version", sa.Integer),
    sa.column("data", sa.JSON),
    sa.column("project_end", sa.String),
    sa.column("match_end", sa.String),
)


def upgrade() -> None:
    op.add_column("feed_entries", sa.Column("project_end", sa.String(36), nullable=True))
    op.add_column("feed_entries", sa.Column("match_end", sa.String(36), nullable=True))
    op.create_index("ix_feed_entries_project_end", "feed_entries", ["project_end"])
    op.create_index("ix_feed_entries_match_end", "feed_entries", ["match_end"])
    connection = op.get_bind()
    _fill_match_ends(connection)
    _drop_article_bodies(connection)


def _newest(connection: sa.Connection, subject: str) -> Any:
    return connection.execute(
        sa.select(_ENTRIES.c.type, _ENTRIES.c.visibility, _ENTRIES.c.municipality_ags)
        .where(_ENTRIES.c.subject == subject)
        .order_by(_ENTRIES.c.version.desc(), _ENTRIES.c.seq.desc())
        .limit(1)
    ).first()


def _fill_match_ends(connection: sa.Connection) -> None:
    matches = connection.execute(
        sa.select(
            _ENTRIES.c.seq, _ENTRIES.c.visibility, _ENTRIES.c.municipality_ags, _ENTRIES.c.data
        ).where(_ENTRIES.c.type == MATCH_FOUND)
    ).all()
    for seq, visibility, owner, data in matches:
        ends = (data["project"], data["match"])
        gone = False
        for end in ends:
            newest = _newest(connection, end["id"]) if end["kind"] == "project" else None
            if newest is not None and newest.type == PROJECT_DELETED:
                gone = True
            elif newest is not None:
                visibility, owner = narrowed_match(
                    visibility, owner, newest.visibility, newest.municipality_ags
                )
        row = _ENTRIES.c.seq == seq
        if gone:
            connection.execute(sa.delete(_ENTRIES).where(row))
            continue
        connection.execute(
            sa.update(_ENTRIES)
            .where(row)
            .values(
                project_end=ends[0]["id"],
                match_end=ends[1]["id"],
                visibility=visibility,
                municipality_ags=owner,
            )
        )


def _drop_article_bodies(connection: sa.Connection) -> None:
    articles = connection.execute(
        sa.select(_ENTRIES.c.seq, _ENTRIES.c.data).where(_ENTRIES.c.type.like("de.lotse.article.%"))
    ).all()
    for seq, data in articles:
        article = data.get("article")
        if isinstance(article, dict) and ARTICLE_BODY & article.keys():
            kept = {k: v for k, v in article.items() if k not in ARTICLE_BODY}
            connection.execute(
                sa.update(_ENTRIES)
                .where(_ENTRIES.c.seq == seq)
                .values(data=data | {"article": kept})
            )


def downgrade() -> None:
    op.drop_index("ix_feed_entries_match_end", "feed_entries")
    op.drop_index("ix_feed_entries_project_end", "feed_entries")
    op.drop_column("feed_entries", "match_end")
    op.drop_column("feed_entries", "project_end")
