"""Settings: the shipped file is valid; a bad one fails naming the key."""

from __future__ import annotations

import pytest
import yaml

from presswatch import settings
from presswatch.errors import PresswatchError
from presswatch.paths import SETTINGS_FILE


def _write(tmp_path, mutate):
    data = yaml.safe_load(SETTINGS_FILE.read_text())
    mutate(data)
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_the_shipped_settings_hold_the_design_defaults():
    s = settings.load()

    assert s.timezone == "Asia/Tashkent"
    assert s.posting.min_posts_per_week == 3 and s.posting.scope == "account"
    assert set(s.posting.required_platforms) == {"facebook", "x", "instagram", "telegram"}
    assert s.sla.clock_start == "publication" and s.sla.calendar == "calendar_hours"
    assert s.sla.response_hours == 24
    assert (s.rating.bands.green_min, s.rating.bands.yellow_min) == (71, 55)
    assert s.accreditation.max_days == 3
    assert set(s.languages) == {"uz-Latn", "uz-Cyrl", "ru", "en"}


def test_the_fingerprint_changes_with_any_setting(tmp_path):
    changed = settings.load(
        _write(tmp_path, lambda d: d["rating"]["accountability"].update(lowest_share=0.06))
    )

    assert settings.load().sha256() == settings.load().sha256()
    assert changed.sha256() != settings.load().sha256()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sla"].update(bogus=1), "sla.bogus: unknown key"),
        (lambda d: d["posting"].pop("min_posts_per_week"), "posting.min_posts_per_week: required"),
        (lambda d: d["posting"].update(min_posts_per_week=0), "posting.min_posts_per_week"),
        (lambda d: d["sla"].update(clock_start="whenever"), "sla.clock_start"),
        (
            lambda d: d["rating"]["weights"].update(responsiveness=0.9),
            "rating.weights: Value error, weights must sum to 1",
        ),
        (
            lambda d: d["rating"]["bands"].update(yellow_min=80),
            "yellow_min must be below green_min",
        ),
        (lambda d: d.update(timezone="Mars/Olympus"), "timezone: Value error, unknown time zone"),
        (
            lambda d: d["agency"]["name"].pop("ru"),
            "agency.name: Value error, missing the name in ru",
        ),
        (lambda d: d["sla"]["holidays"].update(country="XX"), "sla.holidays.country"),
        (
            lambda d: d["sla"]["holidays"].update(extra_days_off=["2026-13-01"]),
            "sla.holidays.extra_days_off",
        ),
        (lambda d: d["stories"].pop("critical_threshold"), "stories.critical_threshold: required"),
    ],
)
def test_a_bad_setting_fails_naming_its_key(tmp_path, mutate, message):
    with pytest.raises(PresswatchError, match=message):
        settings.load(_write(tmp_path, mutate))


def test_a_missing_settings_file_is_a_clear_error(tmp_path):
    with pytest.raises(PresswatchError, match="settings file not found"):
        settings.load(tmp_path / "nope.yaml")
