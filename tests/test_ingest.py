"""Bulk-loading posts: idempotent, edits updated, high-water marks only move forward."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from presswatch.activity import ingest
from presswatch.errors import PresswatchError

T0 = dt.datetime(2026, 3, 2, 4, 15, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FakePost:
    platform_post_id: str
    posted_at: dt.datetime
    permalink: str | None = None
    text_excerpt: str | None = None


def make_account(conn, handle="adliyauz") -> int:
    (institution_id,) = conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES (%s, 'ministry', 'national', 'A', 'А', 'А', 'A') RETURNING id",
        [f"inst_{handle.lower()}"],
    ).fetchone()
    (account_id,) = conn.execute(
        "INSERT INTO social_account (institution_id, platform, handle) VALUES (%s, 'telegram', %s)"
        " RETURNING id",
        [institution_id, handle],
    ).fetchone()
    return account_id


def posts(n: int, start: int = 0) -> list[FakePost]:
    return [
        FakePost(
            str(4000 + i),
            T0 + dt.timedelta(hours=i),
            f"https://t.me/adliyauz/{4000 + i}",
            f"Xabar {i}",
        )  # fmt: skip
        for i in range(start, start + n)
    ]


def table(conn):
    return conn.execute("SELECT * FROM post ORDER BY account_id, platform_post_id").fetchall()


def test_loading_the_same_posts_twice_changes_nothing(conn):
    account_id = make_account(conn)
    first = ingest.load_posts(conn, [(account_id, p) for p in posts(5)])
    before = table(conn)

    second = ingest.load_posts(conn, [(account_id, p) for p in posts(5)])

    assert (first.inserted, first.updated) == (5, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    assert table(conn) == before


def test_an_edited_post_is_updated_not_duplicated(conn):
    account_id = make_account(conn)
    ingest.load_posts(conn, [(account_id, p) for p in posts(3)])
    edited = FakePost("4001", T0 + dt.timedelta(hours=1), "https://t.me/adliyauz/4001", "Tahrir")

    report = ingest.load_posts(conn, [(account_id, edited)])

    assert (report.inserted, report.updated) == (0, 1)
    assert conn.execute(
        "SELECT text_excerpt FROM post WHERE platform_post_id = '4001'"
    ).fetchone() == ("Tahrir",)
    assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 3


def test_the_high_water_mark_moves_forward_only(conn):
    account_id = make_account(conn)
    ingest.load_posts(conn, [(account_id, p) for p in posts(3, start=10)])
    ingest.load_posts(conn, [(account_id, p) for p in posts(3, start=0)])  # older posts, late

    mark = conn.execute(
        "SELECT last_post_at, last_post_id FROM social_account WHERE id = %s", [account_id]
    ).fetchone()
    assert mark == (T0 + dt.timedelta(hours=12), "4012")


def test_duplicates_within_one_batch_are_loaded_once(conn):
    account_id = make_account(conn)
    batch = posts(2) + posts(2)

    report = ingest.load_posts(conn, [(account_id, p) for p in batch])

    assert report.received == 4 and report.inserted == 2
    assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 2


def test_of_the_copies_of_a_post_in_one_batch_the_newest_then_the_last_wins(conn):
    account_id = make_account(conn)
    newer_first = [
        FakePost("1", T0 + dt.timedelta(hours=1), None, "newer"),
        FakePost("1", T0, None, "older"),
    ]
    same_time = [FakePost("2", T0, None, "first"), FakePost("2", T0, None, "second")]

    report = ingest.load_posts(conn, [(account_id, p) for p in newer_first + same_time])

    assert (report.received, report.inserted, report.updated) == (4, 2, 0)
    assert conn.execute(
        "SELECT platform_post_id, posted_at, text_excerpt FROM post ORDER BY 1"
    ).fetchall() == [("1", T0 + dt.timedelta(hours=1), "newer"), ("2", T0, "second")]


def test_a_batch_of_new_stored_and_edited_posts_is_counted_post_by_post(conn):
    account_id = make_account(conn)
    ingest.load_posts(conn, [(account_id, p) for p in posts(3)])
    batch = posts(5)
    batch[1] = FakePost("4001", T0 + dt.timedelta(hours=1), None, "Tahrir")

    report = ingest.load_posts(conn, [(account_id, p) for p in batch])

    assert (report.received, report.inserted, report.updated, report.unchanged) == (5, 2, 1, 2)
    assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 5


# With posts stored before, the batch repeats some of them and goes the staged way.
@pytest.mark.parametrize("stored_before", [0, 2], ids=["copied", "staged"])
def test_posts_for_an_unknown_account_are_refused_and_nothing_is_loaded(conn, stored_before):
    account_id = make_account(conn)
    ingest.load_posts(conn, [(account_id, p) for p in posts(stored_before)])
    before = table(conn)
    unknown_id = account_id + 1000
    batch = [(account_id, p) for p in posts(3)] + [(unknown_id, p) for p in posts(1)]

    with pytest.raises(PresswatchError, match=f"1 unknown social account id.*: {unknown_id}$"):
        ingest.load_posts(conn, batch)

    assert table(conn) == before and len(before) == stored_before
    # The caller's transaction goes on.
    assert (
        ingest.load_posts(conn, [(account_id, p) for p in posts(3)]).inserted == 3 - stored_before
    )


def test_deleting_an_account_deletes_its_posts(conn):
    kept, deleted = make_account(conn, "kept"), make_account(conn, "deleted")
    ingest.load_posts(conn, [(a, p) for a in (kept, deleted) for p in posts(2)])

    conn.execute("DELETE FROM social_account WHERE id = %s", [deleted])

    assert conn.execute("SELECT DISTINCT account_id FROM post").fetchall() == [(kept,)]


def test_a_load_is_rolled_back_with_the_callers_transaction(conn):
    account_id = make_account(conn)
    conn.commit()

    ingest.load_posts(conn, [(account_id, p) for p in posts(2)])
    conn.rollback()

    assert table(conn) == []


def test_two_loads_in_one_transaction_and_long_texts_are_cut(conn):
    account_id = make_account(conn)
    long_post = FakePost("9", T0, None, "x" * 5000)

    ingest.load_posts(conn, [(account_id, long_post)])
    ingest.load_posts(conn, [(account_id, p) for p in posts(1)])

    lengths = conn.execute("SELECT length(text_excerpt) FROM post ORDER BY 1").fetchall()
    assert [n for (n,) in lengths] == [len("Xabar 0"), ingest.EXCERPT_LENGTH]


def test_a_fetch_error_is_recorded_and_cleared(conn):
    account_id = make_account(conn)
    ingest.record_fetch(conn, account_id, T0, "telegram: chat not found")
    assert conn.execute(
        "SELECT last_fetch_error FROM social_account WHERE id = %s", [account_id]
    ).fetchone() == ("telegram: chat not found",)

    ingest.record_fetch(conn, account_id, T0 + dt.timedelta(days=1))

    assert conn.execute(
        "SELECT last_fetch_at, last_fetch_error FROM social_account WHERE id = %s", [account_id]
    ).fetchone() == (T0 + dt.timedelta(days=1), None)
