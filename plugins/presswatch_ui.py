"""Registers the presswatch view (``presswatch.ui``) with Airflow: the API server mounts its
FastAPI app at ``/presswatch``, and the UI's navigation gets a "Presswatch" menu whose entries
open the view's pages inside the Airflow UI.

Why a file in the plugins folder and not an ``airflow.plugins`` entry point: the project already
points every Airflow process at ``plugins/`` (``AIRFLOW__CORE__PLUGINS_FOLDER``: ``presswatch
env``, the tests, the containers), so the view arrives with a checkout and shows in ``airflow
plugins`` with this file as its source, with no reinstall of the package to register an entry
point; and ``plugins/.airflowignore`` already keeps Airflow from importing the ``presswatch``
package a second time as plugin files. This file is what Airflow imports, in every process
(each task's too): it holds no logic and imports the view only when a request comes.

The app checks the login itself (``presswatch.ui.access``): Airflow applies none to a plugin's
app. The API server needs the domain database's URL as tasks have it (``PRESSWATCH_DB_URL``, or
the ``presswatch_db`` connection), and ``--apps all`` (or ``core``), which mounts plugins.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/presswatch"


class PresswatchView:
    """The view's ASGI app (``presswatch.ui.app:app``), imported at its first request.

    Every Airflow process loads the plugins folder, each task too (for macros), and the view's
    imports (FastAPI, Jinja, the API's security module) would add a second or two to each
    task's start for nothing; only the API server ever calls the app. Starlette mounts any
    ASGI callable, and a mounted app gets no lifespan events, so a wrapper is all it takes.
    """

    def __init__(self) -> None:
        self._app = None

    async def __call__(self, scope, receive, send) -> None:
        if self._app is None:
            from presswatch.ui.app import app

            self._app = app
        await self._app(scope, receive, send)


class PresswatchUiPlugin(AirflowPlugin):
    name = "presswatch_ui"
    fastapi_apps = [{"app": PresswatchView(), "url_prefix": URL_PREFIX, "name": "presswatch"}]
    # Relative hrefs (no leading slash): the UI resolves them against its own base URL, and
    # shows each page in a frame at /plugin/<url_route>.
    external_views = [
        {"name": "Rating", "href": "presswatch/rating", "destination": "nav",
         "url_route": "presswatch-rating", "category": "Presswatch"},
        {"name": "SLA board", "href": "presswatch/sla", "destination": "nav",
         "url_route": "presswatch-sla", "category": "Presswatch"},
        {"name": "Institutions", "href": "presswatch/institutions", "destination": "nav",
         "url_route": "presswatch-institutions", "category": "Presswatch"},
    ]  # fmt: skip
