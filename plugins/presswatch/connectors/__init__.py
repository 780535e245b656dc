"""Platform connectors: Facebook, Instagram, X, Telegram (+ t.me preview) and Wikipedia.

Pure Python (no Airflow at import); each connector has ``from_airflow(conn_id)`` for DAG tasks.
"""

from presswatch.connectors.base import (
    AccountError,
    AccountFacts,
    FetchResult,
    PlatformUnavailable,
    PostRecord,
)

__all__ = ["AccountError", "AccountFacts", "FetchResult", "PlatformUnavailable", "PostRecord"]
