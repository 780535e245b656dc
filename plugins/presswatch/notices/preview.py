"""Rendering sample notices to files, so their texts can be reviewed in a browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from presswatch.paths import ROOT

OUT = ROOT / "out" / "notices"
SAMPLE_REFERENCE = "PW-2026-000123"


def write_preview(kind: str, language: str, out_dir: Path = OUT) -> Path:
    """Render ``kind`` in ``language`` from its sample context; return the HTML file's path
    (the plain-text twin is written beside it)."""
    from presswatch.notices.render import render
    from presswatch.notices.samples import sample_context

    context = {
        "reference_no": SAMPLE_REFERENCE,
        "issued_on": dt.date.today(),
        **sample_context(kind, language),
    }
    rendered = render(kind, language, context)
    folder = out_dir / kind
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{language}.html"
    html_path.write_text(rendered.html, encoding="utf-8")
    (folder / f"{language}.txt").write_text(
        f"Subject: {rendered.subject}\n\n{rendered.text}", encoding="utf-8"
    )
    return html_path


def write_all(out_dir: Path = OUT) -> dict[str, list[Path]]:
    """Every kind in every language; returns the HTML paths by kind."""
    from presswatch.notices.render import KINDS, LANGUAGES

    return {kind: [write_preview(kind, lang, out_dir) for lang in LANGUAGES] for kind in KINDS}
