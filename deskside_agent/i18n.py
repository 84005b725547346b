"""The agent's words in the person's language: standard gettext (the agent does not use Django).

The catalogs are ``locale/<language>/LC_MESSAGES/deskside_agent.po`` next to this module (compiled
to ``.mo`` by ``scripts/setup``; refreshed from the code by ``scripts/messages``). The language is
read from the environment at each call, so the whole process, and a test that sets ``LANGUAGE``
for a subprocess, follows it; English (the msgid) when there is no catalog for it.

Only what a person reads goes through ``_()``: the log stays English (for the help desk, and to
grep), and the JSON the commands print keeps its keys and values.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

DOMAIN = "deskside_agent"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "nl", "fr")


def language() -> str:
    """The person's language from ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (the first
    of them naming en, nl or fr); else en. Also what the agent asks the server for."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        code = value.split(":")[0][:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


@functools.cache
def _translation(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code], fallback=True)


def _(message: str) -> str:
    """``message`` in the person's language (placeholders: ``_("... {name}").format(name=...)``)."""
    return _translation(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the person's language."""
    return _translation(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for it
    """Marks ``message`` for the catalogs without translating it (a constant that is logged in
    English and shown translated: ``log.error(TEXT)``, ``print(_(TEXT))``)."""
    return message


# argparse's own words that the agent's command can show (Python 3.11's msgids). argparse looks
# them up with ``_``/``ngettext`` of its module; ``argparse_translated`` points those here.
ARGPARSE = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)


def argparse_translated() -> None:
    """argparse's usage line, section titles and usage errors in the person's language too.

    argparse calls the ``_`` and ``ngettext`` it imported from ``gettext`` (the default domain,
    where nothing is installed); in this process they become this module's. Call it before the
    parsers are built (their section titles are translated when they are made)."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
