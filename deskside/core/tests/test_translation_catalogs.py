"""The nl and fr catalogs hold every string the code marks for translation, all translated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PACKAGE = Path(settings.BASE_DIR)
LANGUAGES = ("nl", "fr")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The msgids makemessages finds today, extracted in a copy (the real catalogs stay as is)."""
    copy = tmp_path_factory.mktemp("i18n") / "deskside"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "static")
    )
    locale = copy / "locale"
    with override_settings(LOCALE_PATHS=[locale]), pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        call_command(
            "makemessages",
            locale=list(LANGUAGES),
            no_obsolete=True,
            no_location=True,
            ignore_patterns=["settings_test.py", "conftest.py"],
            verbosity=0,
        )
    return {
        language: {
            entry.msgid for entry in polib.pofile(str(locale / language / "LC_MESSAGES/django.po"))
        }
        for language in LANGUAGES
    }


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_has_every_marked_string(language: str, extracted) -> None:
    present = {entry.msgid for entry in _catalog(language)}
    missing = sorted(extracted[language] - present)
    assert missing == [], f"run scripts/messages and translate: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    """A translation uses the placeholders of its source: no fewer, no others."""
    for entry in _catalog(language).translated_entries():
        if entry.msgid_plural:
            # A singular form may say "one" instead of the count; it may not invent a placeholder.
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            for text in entry.msgstr_plural.values():
                assert set(PLACEHOLDER.findall(text)) <= allowed, entry.msgid
        else:
            wanted = sorted(PLACEHOLDER.findall(entry.msgid))
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == wanted, entry.msgid
