"""The presswatch view in a real Airflow API server (``--apps all``, the SimpleAuthManager),
driven by a real headless browser (Debian's chromium, installed when missing): login through
Airflow's own login form, each page with the demo's data, screenshots in ``out/screenshots/``;
and every route refused without a login, over plain HTTP.

The data: the demo (``presswatch demo run``: the 28 institutions of ``include/demo_registry``,
seed 1, the period ending 31 March 2026) as its pipelines leave it, built here in ~40 s by
calling the DAGs' own task functions in order against the platform simulator, instead of the
demo's ~4 minutes of ``airflow dags test``: the daily pipeline for the Sundays of the last three
weeks and the last day (``make demo`` runs the last Sunday and the last day: the chart would
have two weeks), the hourly SLA pipeline for three hours of the last day (``make demo``: all
24), and the 2026-H1 rating. Manual runs, as the demo's: notices are recorded suppressed. The
API server starts meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from fastapi.routing import APIRoute
from fixtures_airflow import AirflowCluster
from fixtures_browser import browser, chromium, screenshot  # noqa: F401 (fixtures)
from helpers import run_daily_days, seed_world

from presswatch import db
from presswatch.activity import daily
from presswatch.demo.run import DEMO_END, DEMO_INSTITUTIONS, DEMO_SEED
from presswatch.rating import compute
from presswatch.rating.periods import HalfYear
from presswatch.sla import hourly

pytestmark = pytest.mark.slow

TASHKENT = ZoneInfo("Asia/Tashkent")
SEED = {"institutions": DEMO_INSTITUTIONS, "seed": DEMO_SEED, "days": 21, "end_date": DEMO_END}
DAYS = (dt.date(2026, 3, 15), dt.date(2026, 3, 22), dt.date(2026, 3, 29), DEMO_END)
HOURS = (0, 9, 23)  # local hours of DEMO_END; the last sweep is at 1 April 00:00
USER = "ui_viewer"  # the least role that may see the view
PREFIX = "/presswatch"
WAIT_SECONDS = 20


def run_demo_pipelines(url: str) -> None:
    """What the demo's pipelines make of its world (see the module doc), with the platform
    simulator's Airflow connections in the environment."""
    run = {"airflow_dag_id": "social_activity_daily", "airflow_run_id": "manual__ui_test",
           "airflow_run_type": "manual"}  # fmt: skip
    run_daily_days(url, DAYS, run=run, send=False)
    params = {"institution_codes": [], "dry_run": False, "send_notices": False,
              "confirm_story_ids": [], "dismiss_story_ids": [], "fetch_posts": True,
              "batch_size": 500}  # fmt: skip
    run = {**run, "airflow_dag_id": "critical_story_sla_hourly"}
    for local_hour in HOURS:
        start = dt.datetime.combine(DEMO_END, dt.time(local_hour), TASHKENT)
        hour = hourly.Hour(
            start.astimezone(dt.UTC), (start + dt.timedelta(hours=1)).astimezone(dt.UTC)
        )
        hourly.portal_task(url, hour, params=params, run=run)
        for feed in hourly.plan_feeds(url):
            hourly.feed_task(url, feed, hour, params=params, run=run)
        hourly.match_task(url, params=params)
        for batch in hourly.plan_post_batches(url, hour, params=params):
            hourly.post_fetch_task(url, daily.Batch.from_dict(batch), hour, params=params, run=run)
        hourly.responses_task(url, hour, params=params, run=run)
        hourly.sweep_task(url, hour, params=params, run=run)
        hourly.notices_task(url, hour, params=params, send=False, run=run)
    with db.connect(url) as conn:
        compute.compute(conn, None, HalfYear.containing(DEMO_END), run_id="manual__ui_test")
        conn.commit()


class View:
    """The running API server with the view, and what the tests need to reach it."""

    def __init__(self, cluster: AirflowCluster, password: str, db_url: str) -> None:
        self.cluster = cluster
        self.base_url = cluster.base_url
        self.password = password
        self.db_url = db_url
        self._token: str | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def token(self) -> str:
        if self._token is None:
            response = requests.post(
                self.url("/auth/token"), json={"username": USER, "password": self.password},
                timeout=10,
            )  # fmt: skip
            assert response.status_code == 201, response.text
            self._token = response.json()["access_token"]
        return self._token

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url(path), allow_redirects=False, timeout=30, **kwargs)

    def get_as_user(self, path: str) -> requests.Response:
        return self.get(path, headers={"Authorization": f"Bearer {self.token()}"})

    def query(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.db_url) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def view(airflow_db, db_url, _simulator_server, tmp_path_factory) -> View:
    """The demo's data in the session's domain database and an API server (``--apps all``,
    only the API server) showing it, with one VIEWER user whose password is pre-set."""
    password = secrets.token_urlsafe(12)
    passwords = tmp_path_factory.mktemp("auth") / "passwords.json"
    passwords.write_text(json.dumps({USER: password}))
    cluster = AirflowCluster(
        metadata_url=airflow_db,
        domain_url=db_url,
        airflow_home=tmp_path_factory.mktemp("airflow-ui"),
        extra_env={
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:viewer",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        },
        api_apps="all",
        components=("api-server",),
    )
    cluster.launch()  # it starts (~15 s) while the data is made
    try:
        started = time.monotonic()
        with pytest.MonkeyPatch.context() as patch:
            connections = seed_world(db_url, _simulator_server.base_url, **SEED)
            for name, value in connections.items():
                patch.setenv(name, value)
            run_demo_pipelines(db_url)
        print(f"demo data built in {time.monotonic() - started:.0f} s")
        cluster.wait_until_ready()
        print(f"api-server ready {cluster.start_seconds:.0f} s after its start")
        yield View(cluster, password, db_url)
    finally:
        cluster.stop()


# --- refusals without login ---------------------------------------------------------------------


def routes() -> list[str]:
    """Every route of the view's app, with a demo institution's code for ``{code}``."""
    from presswatch.ui.app import app

    paths = []
    for route in app.routes:
        assert isinstance(route, APIRoute), f"not an API route, so not behind the login: {route}"
        paths.append(PREFIX + route.path.replace("{code}", "justice"))
    return paths


def is_login_redirect(response: requests.Response, path: str) -> bool:
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and location.startswith(
        "/auth/login?next=" + requests.utils.quote(path, safe="")
    )


def test_every_route_refuses_a_caller_without_a_valid_login(view):
    paths = routes()
    assert {f"{PREFIX}/rating", f"{PREFIX}/sla", f"{PREFIX}/institutions",
            f"{PREFIX}/institutions/justice", f"{PREFIX}/api/rating", f"{PREFIX}/api/sla",
            f"{PREFIX}/api/institutions", f"{PREFIX}/api/institutions/justice",
            f"{PREFIX}/"} <= set(paths)  # fmt: skip
    forged = {"Authorization": "Bearer " + "e30." * 2 + "c2lnbmF0dXJl"}
    for path in paths:
        for label, kwargs in (
            ("no token", {}),
            ("a forged token", {"headers": forged}),
            ("a bad cookie", {"cookies": {"_token": "not-a-jwt"}}),
        ):
            response = view.get(path, **kwargs)
            if "/api/" in path:
                assert response.status_code in (401, 403), (path, label, response.status_code)
                assert response.headers["content-type"].startswith("application/json")
            else:
                assert is_login_redirect(response, path), (
                    path, label, response.status_code, response.headers.get("location"),
                )  # fmt: skip
            assert "Ministry" not in response.text  # no data in the refusal
    # No API documentation either (it would list the routes without a login).
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert view.get(PREFIX + path).status_code == 404


def test_a_logged_in_viewer_gets_every_route_and_the_plugin_is_in_the_navigation(view):
    for path in routes():
        response = view.get_as_user(path)
        if path == f"{PREFIX}/":
            assert response.status_code == 303
            assert response.headers["location"] == f"{PREFIX}/rating"
            continue
        assert response.status_code == 200, (path, response.text[:500])
        assert response.headers["cache-control"] == "no-store"
        assert "script-src" not in response.headers["content-security-policy"]  # none allowed
    league = view.get_as_user(f"{PREFIX}/api/rating?per_page=5&page=2").json()
    assert league["rating"]["period"] == "2026-H1"
    assert league["paging"] == {"page": 2, "per_page": 5, "total": 28, "pages": 6,
                                "first_item": 6, "last_item": 10}  # fmt: skip
    assert [row["rank"] for row in league["rows"]] == sorted(row["rank"] for row in league["rows"])
    plugins = view.get_as_user("/api/v2/plugins").json()["plugins"]
    (plugin,) = [p for p in plugins if p["name"] == "presswatch_ui"]
    assert plugin["fastapi_apps"] == [{"app": "presswatch_ui.PresswatchView",
                                       "url_prefix": PREFIX, "name": "presswatch"}]  # fmt: skip
    assert {(v["name"], v["href"], v["url_route"]) for v in plugin["external_views"]} == {
        ("Rating", "presswatch/rating", "presswatch-rating"),
        ("SLA board", "presswatch/sla", "presswatch-sla"),
        ("Institutions", "presswatch/institutions", "presswatch-institutions"),
    }


# --- the browser ----------------------------------------------------------------------------


def wait_for(session, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(session, WAIT_SECONDS).until(condition, message=what)


def text(session) -> str:
    from selenium.webdriver.common.by import By

    return session.find_element(By.TAG_NAME, "body").text


def test_a_viewer_logs_in_through_airflow_and_sees_the_rating_the_sla_board_and_an_institution(
    view,
    browser,  # noqa: F811 (the fixture imported above)
):
    from selenium.webdriver.common.by import By

    # Not logged in: the view sends the browser to Airflow's login form, which comes back.
    browser.get(view.url(f"{PREFIX}/rating"))
    wait_for(browser, lambda s: s.find_elements(By.NAME, "username"), "the login form")
    assert "/auth/login" in browser.current_url
    browser.find_element(By.NAME, "username").send_keys(USER)
    browser.find_element(By.NAME, "password").send_keys(view.password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda s: s.current_url.endswith(f"{PREFIX}/rating"), "back on the page")
    assert browser.get_cookie("_token") is not None

    # The league table: the 2026-H1 rating of the 28 demo institutions, best first, in bands.
    wait_for(browser, lambda s: s.find_elements(By.CSS_SELECTOR, "table.league"), "the table")
    page = text(browser)
    assert "Rating 2026-H1" in page and f"Signed in as {USER}" in page
    expected = view.query(
        "SELECT x.rank, i.name_en, x.score, x.band FROM rating_result AS x"
        " JOIN institution AS i ON i.id = x.institution_id ORDER BY x.rank, i.code"
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "table.league tbody tr")
    assert len(rows) == len(expected) == 28
    for row, (rank, name, score, band) in zip(rows, expected, strict=True):
        cells = row.find_elements(By.TAG_NAME, "td")
        assert cells[0].text == str(rank) and cells[1].text.startswith(name)
        assert cells[3].text == f"{score:.2f}" and cells[4].text == band
    bands = {band for *_, band in expected}
    assert {"green", "yellow", "red"} <= bands  # the demo has all three
    screenshot(browser, "rating")

    # The SLA board as of now: the demo ended on 31 March, so the page says that the sweep
    # is long past and offers the board as of the last sweep.
    browser.find_element(By.LINK_TEXT, "SLA board").click()
    wait_for(browser, lambda s: "SLA board" in s.title, "the SLA board")
    assert "after anything the hourly sweep recorded" in text(browser)
    browser.find_element(By.CSS_SELECTOR, "a.as-of-last-sweep").click()
    wait_for(browser, lambda s: "at=" in s.current_url, "the board as of the last sweep")
    board = text(browser)
    assert "As of 2026-04-01 00:00" in board
    at = dt.datetime(2026, 4, 1, tzinfo=TASHKENT)
    counts = dict(
        view.query(
            "SELECT CASE WHEN %(at)s >= escalate_at THEN 'escalated'"
            " WHEN %(at)s >= due_at THEN 'breached' WHEN %(at)s >= reminder_at THEN 'reminder'"
            " ELSE 'opened' END, count(*) FROM story_sla WHERE opened_at <= %(at)s"
            " AND (closed_at IS NULL OR closed_at > %(at)s) GROUP BY 1",
            {"at": at},
        )
    )
    assert counts.get("opened") and counts.get("breached") and counts.get("escalated")
    assert f"{sum(counts.values())} open clocks" in board
    for stage, label in (("opened", "open"), ("breached", "breached"), ("escalated", "escalated")):
        assert f"{counts[stage]} {label}" in board
    assert re.search(r"\d+ h \d+ min", board)  # time left on the clocks not yet due
    assert "overdue" in board
    screenshot(browser, "sla-board")

    # An institution: from the board, the one with the most clocks.
    ((code, name),) = view.query(
        "SELECT i.code, i.name_en FROM story_sla AS s JOIN institution AS i"
        " ON i.id = s.institution_id GROUP BY i.code, i.name_en ORDER BY count(*) DESC, i.code"
        " LIMIT 1"
    )
    browser.get(view.url(f"{PREFIX}/institutions/{code}"))
    wait_for(browser, lambda s: s.find_elements(By.CSS_SELECTOR, "svg.chart"), "the chart")
    page = text(browser)
    assert name in page and "Rating" in page and "Accounts" in page
    (accounts,) = view.query(
        "SELECT count(*) FROM social_account AS a JOIN institution AS i"
        " ON i.id = a.institution_id WHERE i.code = %s",
        [code],
    )[0]
    # The heads' accounts' weekly bars, met or not, for the weeks the demo fetched.
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    assert len(bars) >= 4 * accounts // 2
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar.met")
    assert "Critical stories (R3)" in page and "answered" in page
    assert "suppressed" in page  # the demo's notices: manual runs record them unsent
    screenshot(browser, f"institution-{code}")

    # Inside the Airflow UI: its navigation's Plugins menu lists the view's pages, and each
    # opens in the UI's frame.
    from selenium.webdriver import ActionChains

    def menu_item(label: str):
        found = wait_for(
            browser,
            lambda s: [
                e
                for e in s.find_elements(By.XPATH, "//*[@role='menuitem']")
                if e.text.strip() == label
            ],  # fmt: skip
            f"the menu item {label}",
        )
        return found[0]

    browser.get(view.url("/"))
    wait_for(
        browser, lambda s: s.find_elements(By.XPATH, "//*[normalize-space(text())='Plugins']"),
        "the Plugins menu",
    )[0].click()  # fmt: skip
    ActionChains(browser).move_to_element(menu_item("Presswatch")).perform()
    entries = [menu_item(label) for label in ("Rating", "SLA board", "Institutions")]
    screenshot(browser, "airflow-ui-nav", full_page=False)
    entries[0].click()
    wait_for(browser, lambda s: "/plugin/presswatch-rating" in s.current_url, "the plugin page")
    frame = wait_for(
        browser, lambda s: s.find_elements(By.CSS_SELECTOR, "iframe[title='Rating']"), "the frame"
    )[0]
    browser.switch_to.frame(frame)
    wait_for(browser, lambda s: s.find_elements(By.CSS_SELECTOR, "table.league"), "the view")
    browser.switch_to.default_content()
    screenshot(browser, "airflow-ui-rating", full_page=False)


def test_an_institution_name_with_markup_is_shown_as_text(view, browser):  # noqa: F811
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    hostile = '<script>alert("pw")</script><img src=x onerror=alert(1)> & Co'
    with psycopg.connect(view.db_url) as conn:
        (original,) = conn.execute(
            "SELECT name_en FROM institution WHERE code = 'justice'"
        ).fetchone()
        conn.execute("UPDATE institution SET name_en = %s WHERE code = 'justice'", [hostile])
    try:
        for path in (f"{PREFIX}/institutions/justice", f"{PREFIX}/rating?q=justice",
                     f"{PREFIX}/institutions?q=justice"):  # fmt: skip
            html = view.get_as_user(path).text
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "&lt;script&gt;alert(&#34;pw&#34;)&lt;/script&gt;" in html
        json_name = view.get_as_user(f"{PREFIX}/api/institutions/justice").json()
        assert json_name["institution"]["name_en"] == hostile  # data, as stored

        browser.get(view.url(f"{PREFIX}/institutions/justice"))
        heading = wait_for(browser, lambda s: s.find_elements(By.TAG_NAME, "h1"), "the page")[0]
        assert heading.text.startswith(hostile)
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img")
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 (raises when no alert is open)
    finally:
        with psycopg.connect(view.db_url) as conn:
            conn.execute("UPDATE institution SET name_en = %s WHERE code = 'justice'", [original])
