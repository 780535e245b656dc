"""Who may see the presswatch view: a user logged in through Airflow's own auth manager.

Airflow mounts a plugin's FastAPI app without any of the API's authentication (the core API's
is a dependency of its own routers), so the view checks every request itself, as an
app-level dependency that no route can leave out:

1. the user from the API server's JWT, found the way the core API finds it
   (``airflow.api_fastapi.core_api.security.get_user``): an ``Authorization: Bearer`` header,
   else the ``_token`` cookie the UI's login sets. None: 401; a bad or expired token: 401/403.
2. the configured auth manager allows that user the custom view ``presswatch``
   (``is_authorized_custom_view``, method GET): with the SimpleAuthManager every role from
   VIEWER up; with another auth manager, whatever it grants on that resource. Refused: 403.

The JSON routes answer those statuses as they are. An HTML page sends a caller who is not
logged in (or whose token is no longer valid) to the auth manager's login page, which comes
back to the page afterwards; a logged-in user whom the auth manager refuses gets a 403 page
(sending them to the login would only bring them back).
"""

from __future__ import annotations

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import Depends

RESOURCE = "presswatch"


class AccessDenied(Exception):
    """A logged-in user the auth manager does not allow the view."""

    def __init__(self, user: BaseUser) -> None:
        super().__init__(f"user {user.get_name()!r} may not see the presswatch view")


def viewer(user: GetUserDep) -> BaseUser:
    """The logged-in user, if the auth manager allows them the view (see the module doc)."""
    allowed = get_auth_manager().is_authorized_custom_view(
        method="GET", resource_name=RESOURCE, user=user
    )
    if not allowed:
        raise AccessDenied(user)
    return user


ViewerDep = Depends(viewer)


def login_url(next_url: str) -> str:
    """The auth manager's login page, coming back to ``next_url`` (a path on this server)."""
    return get_auth_manager().get_url_login(next_url=next_url)
