"""The presswatch view's FastAPI app, mounted by Airflow's API server at ``/presswatch``.

Routes (all GET, all behind Airflow's login: ``access``; each HTML page has its JSON twin
under ``/api``, with the same parameters and the values the page shows):

| page | HTML | JSON | parameters |
|---|---|---|---|
| the current rating's league table, with bands | ``/rating`` | ``/api/rating`` | period, version, band, q, page, per_page |
| the SLA board: open critical stories, time left, breached, escalated | ``/sla`` | ``/api/sla`` | at, stage, page, per_page |
| the registry's institutions | ``/institutions`` | ``/api/institutions`` | q, page, per_page |
| an institution: accounts, weekly posts (chart), SLA history, notices | ``/institutions/{code}`` | ``/api/institutions/{code}`` | weeks, sla_page, notices_page |

``/`` leads to the league table. There is no ``/docs`` or ``/openapi.json`` (they would be
routes without the login), and no static files: the CSS is in the page.

Routes are plain ``def`` functions: FastAPI runs them in its thread pool, so a database call
never blocks the API server's event loop. Each request opens one connection to the domain
database (the URL as tasks find it: ``PRESSWATCH_DB_URL``, else the Airflow connection
``presswatch_db``), read-only and with a statement timeout, and closes it when answered.

Every response says ``Cache-Control: no-store`` (it is behind a login) and carries a Content
Security Policy without scripts, so that even a page that escaped something wrongly could not
run one; the Airflow UI may frame it (same origin).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any

import psycopg
from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from presswatch import db
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.ui import access, pages, render

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
JSON_PREFIX = "/api/"

app = FastAPI(
    title="presswatch",
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
    dependencies=[access.ViewerDep],  # every route: no page and no JSON without login
)


# --- the database -----------------------------------------------------------------------------


@cache
def _url_from_airflow() -> str:
    from presswatch import airflow_support

    return airflow_support.domain_url()


def domain_url() -> str:
    """``PRESSWATCH_DB_URL`` (read each time), else the ``presswatch_db`` connection (looked up
    once per process: a changed connection needs the API server restarted, like the plugin)."""
    return db.configured_url() or _url_from_airflow()


def connection() -> Iterator[psycopg.Connection]:
    with pages.connect(domain_url()) as conn:
        yield conn


Conn = Annotated[psycopg.Connection, Depends(connection)]
User = Annotated[Any, access.ViewerDep]
Page = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=pages.MAX_PER_PAGE)]
Text = Annotated[str | None, Query(max_length=pages.SEARCH_MAX_CHARS)]


# --- responses ----------------------------------------------------------------------------------


def _route_path(request: Request) -> str:
    """The path below the mount point (``/rating`` for ``/presswatch/rating``)."""
    path, root = request.scope["path"], request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _is_json(request: Request) -> bool:
    return _route_path(request).startswith(JSON_PREFIX)


def _urls(request: Request) -> render.Urls:
    return render.Urls(
        request.scope.get("root_path", ""), _route_path(request), dict(request.query_params)
    )


def _html(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user = context.pop("user", None)
    body = render.render(
        template, _urls(request), user=user.get_name() if user is not None else None, **context
    )
    return HTMLResponse(body, status_code=status_code)


def _json(data: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data, custom_encoder={pages.Paging: pages.Paging.as_dict}))


def _error(request: Request, status_code: int, message: str) -> Response:
    if _is_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return _html(request, "error.html", status_code, error_status=status_code, message=message)


@app.middleware("http")
async def _security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


@app.exception_handler(StarletteHTTPException)
async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    # 401 and 403 come from the login check only (a refused user is AccessDenied): no token,
    # or one that is invalid or expired. A page sends its caller to log in and come back.
    if exc.status_code in (401, 403) and not _is_json(request):
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(access.login_url(back), status_code=303)
    if _is_json(request):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    return _error(request, exc.status_code, str(exc.detail))


@app.exception_handler(access.AccessDenied)
async def _access_denied(request: Request, exc: access.AccessDenied) -> Response:
    return _error(request, 403, str(exc))


@app.exception_handler(RequestValidationError)
async def _bad_parameters(request: Request, exc: RequestValidationError) -> Response:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'][1:])}: {error['msg']}"
        for error in exc.errors()
    )
    return _error(request, 422 if _is_json(request) else 400, problems)


@app.exception_handler(pages.InvalidParameter)
async def _invalid(request: Request, exc: pages.InvalidParameter) -> Response:
    return _error(request, 400, str(exc))


@app.exception_handler(pages.NotFound)
async def _not_found(request: Request, exc: pages.NotFound) -> Response:
    return _error(request, 404, str(exc))


@app.exception_handler(PresswatchError)
async def _unavailable(request: Request, exc: PresswatchError) -> Response:
    # The domain database cannot be reached (db.connect says which, without the password).
    return _error(request, 503, str(exc))


# --- routes ---------------------------------------------------------------------------------


@app.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(_urls(request).to("/rating"), status_code=303)


@app.get("/rating", response_class=HTMLResponse)
def rating_page(
    request: Request, conn: Conn, user: User, period: Text = None,
    version: Annotated[int | None, Query(ge=1)] = None, band: Text = None, q: Text = None,
    page: Page = 1, per_page: PerPage = pages.PER_PAGE,
) -> HTMLResponse:  # fmt: skip
    data = pages.league(conn, period=period, version=version, band=band, q=q, page=page,
                        per_page=per_page)  # fmt: skip
    return _html(request, "rating.html", user=user, data=data, bands=pages.BANDS)


@app.get("/api/rating")
def rating_json(
    conn: Conn, period: Text = None, version: Annotated[int | None, Query(ge=1)] = None,
    band: Text = None, q: Text = None, page: Page = 1, per_page: PerPage = pages.PER_PAGE,
) -> JSONResponse:  # fmt: skip
    return _json(pages.league(conn, period=period, version=version, band=band, q=q, page=page,
                              per_page=per_page))  # fmt: skip


@app.get("/sla", response_class=HTMLResponse)
def sla_page(
    request: Request, conn: Conn, user: User, at: Text = None, stage: Text = None,
    page: Page = 1, per_page: PerPage = pages.PER_PAGE,
) -> HTMLResponse:  # fmt: skip
    moment = pages.parse_moment(at, settings_module.get().tz)
    data = pages.sla_board(conn, at=moment, stage=stage, page=page, per_page=per_page)
    return _html(request, "sla.html", user=user, data=data, stages=pages.BOARD_STAGES)


@app.get("/api/sla")
def sla_json(
    conn: Conn, at: Text = None, stage: Text = None, page: Page = 1,
    per_page: PerPage = pages.PER_PAGE,
) -> JSONResponse:  # fmt: skip
    moment = pages.parse_moment(at, settings_module.get().tz)
    return _json(pages.sla_board(conn, at=moment, stage=stage, page=page, per_page=per_page))


@app.get("/institutions", response_class=HTMLResponse)
def institutions_page(
    request: Request, conn: Conn, user: User, q: Text = None, page: Page = 1,
    per_page: PerPage = pages.PER_PAGE,
) -> HTMLResponse:  # fmt: skip
    data = pages.institutions(conn, q=q, page=page, per_page=per_page)
    return _html(request, "institutions.html", user=user, data=data)


@app.get("/api/institutions")
def institutions_json(
    conn: Conn, q: Text = None, page: Page = 1, per_page: PerPage = pages.PER_PAGE
) -> JSONResponse:
    return _json(pages.institutions(conn, q=q, page=page, per_page=per_page))


Weeks = Annotated[int, Query(ge=1, le=pages.MAX_CHART_WEEKS)]


@app.get("/institutions/{code}", response_class=HTMLResponse)
def institution_page(
    request: Request, conn: Conn, user: User, code: str, weeks: Weeks = pages.CHART_WEEKS,
    sla_page: Page = 1, notices_page: Page = 1,
) -> HTMLResponse:  # fmt: skip
    data = pages.institution(conn, code, weeks=weeks, sla_page=sla_page,
                             notices_page=notices_page)  # fmt: skip
    return _html(request, "institution.html", user=user, data=data)


@app.get("/api/institutions/{code}")
def institution_json(
    conn: Conn, code: str, weeks: Weeks = pages.CHART_WEEKS, sla_page: Page = 1,
    notices_page: Page = 1,
) -> JSONResponse:  # fmt: skip
    return _json(pages.institution(conn, code, weeks=weeks, sla_page=sla_page,
                                   notices_page=notices_page))  # fmt: skip
