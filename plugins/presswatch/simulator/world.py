"""The simulated platforms' and story sources' data (schema ``sim``, defined in
``sql/simulator/world.sql``)."""

from __future__ import annotations

import psycopg

from presswatch.paths import SQL

WORLD_SQL = SQL / "simulator" / "world.sql"


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create the ``sim`` schema and its tables if missing (idempotent)."""
    conn.execute(WORLD_SQL.read_text(encoding="utf-8"))


def clear(conn: psycopg.Connection) -> None:
    """Empty the simulated platforms and story sources (the demo generator refills them)."""
    conn.execute(
        "TRUNCATE sim.wiki_langlink, sim.wiki_redirect, sim.wiki_page, sim.post, sim.account,"
        " sim.portal_response, sim.portal_story, sim.feed_item, sim.feed"
    )
