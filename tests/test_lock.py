"""``requirements.lock`` is compiled from ``requirements.in`` and is what the venv holds: a
requirement added to the source without re-locking (``make lock``), or a package installed by
hand, fails here rather than on a fresh machine."""

from __future__ import annotations

import re
from importlib import metadata

from presswatch.paths import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)$")
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requested() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.in").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(normalized(NAME.match(line).group(1)))
    return names


def locked() -> dict[str, tuple[str, list[str]]]:
    """Each pinned package: its version and what the lock says it is there for."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = normalized(match.group(1))
            pins[current] = (match.group(2), [])
        elif current and line.startswith("    #"):
            reason = line.strip("# ").removeprefix("via").strip()
            if reason:
                pins[current][1].append(reason)
    return pins


def test_every_requirement_is_locked_as_asked_for_by_the_source():
    pins = locked()
    missing = sorted(requested() - pins.keys())
    assert missing == [], f"not in requirements.lock (run `make lock`): {missing}"
    unmarked = sorted(n for n in requested() if "-r requirements.in" not in pins[n][1])
    assert unmarked == [], f"the lock predates these lines of requirements.in: {unmarked}"


def test_nothing_is_locked_for_a_line_the_source_no_longer_has():
    stale = sorted(
        name
        for name, (_, reasons) in locked().items()
        if reasons == ["-r requirements.in"] and name not in requested()
    )
    assert stale == [], f"locked only for lines requirements.in no longer has: {stale}"


def test_the_venv_holds_exactly_the_locked_versions():
    wrong = {}
    for name, (version, _) in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert wrong == {}, f"locked vs installed (run `make` again): {wrong}"
