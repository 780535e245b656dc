"""The presswatch view inside the Airflow UI: the rating's league table (R10), the SLA board of
critical stories (R3) and a page per institution, for the data engineers who run presswatch.

An Airflow 3 plugin (registered by ``plugins/presswatch_ui.py``): a FastAPI app that the API
server mounts at ``/presswatch``, linked from the UI's navigation. Its parts:

- ``app``: the routes, HTML and JSON, every one behind Airflow's own login (``access``);
- ``access``: who may look: a user logged in through the configured auth manager (the API
  server's token, as a Bearer header or the UI's ``_token`` cookie) whom it allows the custom
  view ``presswatch``; anyone else gets 401/403 (JSON) or the login page (HTML);
- ``pages``: what each page shows, read from the domain database with the named statements of
  ``sql/queries/ui/`` on a read-only connection, one page of rows at a time;
- ``chart``: the weekly posting history as inline SVG geometry, drawn on the server (no
  JavaScript), rendered by the templates;
- ``render``: the Jinja environment (autoescaping on for every template) and its filters;
- ``bench``: times the league's first page and an institution page, rendered as a request
  renders them, for ``presswatch bench``.
"""
