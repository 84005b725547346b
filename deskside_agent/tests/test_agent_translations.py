"""The agent speaks the person's language (en, nl, fr) on its command line, keeps its log and its
JSON in English, and its catalogs hold every string its code marks, all translated.

No server: the commands run here print what they print without one."""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import polib
import pytest

from deskside_agent import __version__, i18n

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "deskside_agent"
LANGUAGES = ("nl", "fr")
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"))


def _env(**extra: str) -> dict[str, str]:
    """This process's environment without the agent's settings or any locale, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DESKSIDE_") and k not in LOCALE_VARIABLES
    }
    # argparse wraps help at the terminal's width: wide enough for no wrapping.
    return env | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"} | extra


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A configuration whose state directory is empty: a device that is not enrolled."""
    (tmp_path / "agent.toml").write_text(f'state_dir = "{tmp_path / "state"}"\n')
    return tmp_path


def _agent(home: Path, *args: str, language: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskside_agent.cli", "--config", str(home / "agent.toml"), *args],
        env=_env(LANGUAGE=language),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


# -- the command, in each language ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogs_hold_the_po_files_translations(language: str) -> None:
    """The .mo (gitignored; compiled by scripts/setup) is the .po as it is now."""
    mo = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    assert mo.exists(), f"{mo} is missing: run scripts/setup (it compiles the catalogs)"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _catalog(language).translated_entries():
        if entry.msgid_plural:
            forms = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 5)]
            if forms != [entry.msgstr_plural[0], entry.msgstr_plural[1]]:
                stale.append(entry.msgid)
        elif compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"{mo} is stale: run scripts/setup (it compiles the catalogs)"


HELP = {
    "en": [
        "usage: deskside-agent [-h] [--version] [--config CONFIG] [-v] COMMAND ...",
        "Deskside's device agent.",
        "positional arguments:",
        "enroll enroll this device",
        "run check in now, then on the timer and when pushed",
        "options:",
        "-h, --help show this help message and exit",
        "--version show program's version number and exit",
        "-v, --verbose log to stderr too",
    ],
    "nl": [
        "gebruik: deskside-agent [-h] [--version] [--config CONFIG] [-v] COMMAND ...",
        "De apparaatagent van Deskside.",
        "positionele argumenten:",
        "enroll dit apparaat inschrijven",
        "run nu inchecken, daarna volgens de timer en wanneer de server erom vraagt",
        "opties:",
        "-h, --help deze hulptekst tonen en afsluiten",
        "--version het versienummer van het programma tonen en afsluiten",
        "-v, --verbose ook naar stderr loggen",
    ],
    "fr": [
        "utilisation : deskside-agent [-h] [--version] [--config CONFIG] [-v] COMMAND ...",
        "L'agent d'appareil de Deskside.",
        "arguments positionnels:",
        "enroll inscrire cet appareil",
        "run contacter le serveur maintenant, puis à intervalles réguliers et à sa demande",
        "options:",
        "-h, --help afficher ce message d'aide et quitter",
        "--version afficher le numéro de version du programme et quitter",
        "-v, --verbose journaliser aussi sur stderr",
    ],
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_help_is_in_the_persons_language(home: Path, language: str) -> None:
    done = _agent(home, "--help", language=language)
    assert done.returncode == 0, done.stderr
    lines = _squeezed(done.stdout)
    missing = [line for line in HELP[language] if line not in lines]
    assert missing == [], done.stdout


STATUS = {
    "en": [
        f"Deskside agent {__version__}",
        "Enrolled: no (run `deskside-agent enroll`)",
        "Queued results: 0",
        "Pending actions: 0",
        "Profiles: 0",
        "Apps: 0",
    ],
    "nl": [
        f"Deskside-agent {__version__}",
        "Ingeschreven: nee (voer `deskside-agent enroll` uit)",
        "Resultaten in de wachtrij: 0",
        "Acties in behandeling: 0",
        "Profielen: 0",
        "Apps: 0",
    ],
    "fr": [
        f"Agent Deskside {__version__}",
        "Inscrit : non (exécutez `deskside-agent enroll`)",
        "Résultats en file d'attente : 0",
        "Actions en attente : 0",
        "Profils : 0",
        "Applications : 0",
    ],
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_status_of_a_device_not_enrolled(home: Path, language: str) -> None:
    done = _agent(home, "status", language=language)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == STATUS[language]


def test_status_as_json_is_the_same_in_every_language(home: Path) -> None:
    answers = [json.loads(_agent(home, "status", "--json", language=x).stdout) for x in LANGUAGES]
    assert answers == [json.loads(_agent(home, "status", "--json", language="en").stdout)] * 2
    assert answers[0]["enrolled"] is False


NOT_ENROLLED = {
    "en": "This device is not enrolled: run `deskside-agent enroll` first.\n",
    "nl": "Dit apparaat is niet ingeschreven: voer eerst `deskside-agent enroll` uit.\n",
    "fr": "Cet appareil n'est pas inscrit : exécutez d'abord `deskside-agent enroll`.\n",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_run_without_enrollment_says_so(home: Path, language: str) -> None:
    done = _agent(home, "run", "--once", language=language)
    assert (done.returncode, done.stdout) == (3, NOT_ENROLLED[language])


CONFIGURATION_ERROR = {
    "en": "deskside-agent: configuration error: {path}: unknown key 'colour'\n",
    "nl": "deskside-agent: configuratiefout: {path}: onbekende sleutel 'colour'\n",
    "fr": "deskside-agent: erreur de configuration : {path} : clé inconnue 'colour'\n",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_a_configuration_error(home: Path, language: str) -> None:
    (home / "agent.toml").write_text("colour = 'blue'\n")
    done = _agent(home, "status", language=language)
    assert done.returncode == 2
    assert done.stderr == CONFIGURATION_ERROR[language].format(path=home / "agent.toml")


USAGE_ERROR = {
    "en": "deskside-agent enroll: error: one of the arguments --user --bulk-token-file "
    "--preprovisioned is required",
    "nl": "deskside-agent enroll: fout: een van de argumenten --user --bulk-token-file "
    "--preprovisioned is vereist",
    "fr": "deskside-agent enroll : erreur : l'un des arguments --user --bulk-token-file "
    "--preprovisioned est obligatoire",
}


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_argparse_speaks_the_language_too(home: Path, language: str) -> None:
    done = _agent(home, "enroll", language=language)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == USAGE_ERROR[language]
    assert done.stderr.startswith(HELP[language][0].split(" deskside-agent")[0] + " ")


def test_the_log_stays_english(home: Path) -> None:
    token = home / "token"
    token.write_text("a-token\n")
    port = _closed_port()
    done = _agent(
        home,
        *("enroll", "--server", f"http://127.0.0.1:{port}", "--bulk-token-file", str(token)),
        language="nl",
    )
    assert done.returncode == 3
    assert done.stderr.startswith(
        "deskside-agent: de server is niet bereikbaar of is bezet, probeer het later opnieuw: "
    )
    log = (home / "state" / "agent.log").read_text(encoding="utf-8")
    assert "no tenant domain known before enrolling: no enrollment session" in log


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the choice of language, in this process ---------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "nl_NL.UTF-8"}, "fr"),
        ({"LANGUAGE": "fr:nl", "LANG": "nl_NL.UTF-8"}, "fr"),
        # Not a language of the agent's: the next variable decides.
        ({"LANGUAGE": "de", "LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANGUAGE": "de_DE"}, "en"),
    ],
)
def test_the_language_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], language: str
) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == language


@pytest.fixture
def speaking(monkeypatch: pytest.MonkeyPatch):
    def speak(language: str) -> None:
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("LANGUAGE", language)

    return speak


def test_translated_at_each_call_and_english_without_a_catalog(speaking) -> None:
    speaking("nl")
    assert i18n._("What to do:") == "Wat u kunt doen:"
    assert i18n._("not a string of the agent's") == "not a string of the agent's"
    speaking("fr")
    assert i18n._("What to do:") == "Que faire :"
    speaking("de")
    assert i18n._("What to do:") == "What to do:"
    speaking("nl")
    # N_ only marks: the constant stays English (for the log); _() shows it translated.
    from deskside_agent.agent import REENROLL

    assert REENROLL.startswith("The server no longer accepts")
    assert i18n._(REENROLL).startswith("De server accepteert de referentie")


def test_plural_forms_follow_the_language(speaking) -> None:
    singular, plural = (
        "Wrote {path} ({size} byte): send it to your help desk.",
        "Wrote {path} ({size} bytes): send it to your help desk.",
    )

    def wrote(size: int) -> str:
        return i18n.ngettext(singular, plural, size).format(path="x.tar.gz", size=size)

    speaking("en")
    assert [wrote(0), wrote(1)] == [
        "Wrote x.tar.gz (0 bytes): send it to your help desk.",
        "Wrote x.tar.gz (1 byte): send it to your help desk.",
    ]
    speaking("nl")
    assert [wrote(0), wrote(2)] == [
        "x.tar.gz geschreven (0 bytes): stuur het naar uw helpdesk.",
        "x.tar.gz geschreven (2 bytes): stuur het naar uw helpdesk.",
    ]
    speaking("fr")  # French: 0 and 1 are singular
    assert [wrote(0), wrote(2)] == [
        "x.tar.gz écrit (0 octet) : envoyez-le à votre support technique.",
        "x.tar.gz écrit (2 octets) : envoyez-le à votre support technique.",
    ]


def test_the_sign_in_page_is_in_the_persons_language(speaking) -> None:
    from deskside_agent.signin import _LoopbackServer

    speaking("fr")
    server = _LoopbackServer("expected-state")
    answer = threading.Thread(target=server.handle_request)
    answer.start()
    try:
        page = httpx.get(f"http://127.0.0.1:{server.server_address[1]}/elsewhere", timeout=10)
    finally:
        answer.join(timeout=10)
        server.server_close()
    assert page.status_code == 404
    assert '<html lang="fr">' in page.text
    assert "<title>Agent Deskside</title>" in page.text
    assert "<h1>Introuvable</h1><p>Cette adresse ne reçoit que la connexion.</p>" in page.text


# -- the catalogs ---------------------------------------------------------------------------


MARKERS = {"_", "N_", "ngettext"}


def _marked() -> tuple[dict[str, str | None], list[str]]:
    """The strings the agent's modules mark (msgid: msgid_plural or None), and the calls of a
    marker that are not on a plain literal (an f-string, a concatenation at run time...)."""
    found: dict[str, str | None] = {}
    wrong: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
            ):
                continue
            where = f"{path.name}:{node.lineno}"
            count = 2 if node.func.id == "ngettext" else 1
            literals = [
                arg.value
                for arg in node.args[:count]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if len(literals) == count:
                found[literals[0]] = literals[1] if count == 2 else None
            elif node.func.id == "_" and isinstance(node.args[0], ast.Name):
                pass  # a constant marked with N_ where it is defined (agent.REENROLL)
            else:
                wrong.append(where)
    return found, wrong


def test_every_marker_is_called_on_a_literal() -> None:
    found, wrong = _marked()
    assert wrong == [], "use _('text {name}').format(name=...), never _(f'...')"
    assert len(found) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_has_every_marked_string_and_no_other(language: str) -> None:
    found, _wrong = _marked()
    catalog = {entry.msgid: entry.msgid_plural or None for entry in _catalog(language)}
    missing = sorted(set(found) - set(catalog))
    assert missing == [], f"run scripts/messages agent, then translate: {missing[:20]}"
    unused = sorted(set(catalog) - set(found))
    assert unused == [], f"run scripts/messages agent (it drops these): {unused[:20]}"
    assert {k: v for k, v in catalog.items() if v} == {k: v for k, v in found.items() if v}


def test_xgettext_finds_what_the_test_finds(tmp_path: Path) -> None:
    """scripts/messages extracts with xgettext: the same strings as the test's own reading."""
    pot = tmp_path / "agent.pot"
    subprocess.run(
        ["xgettext", "-L", "Python", "--keyword=_", "--keyword=N_", "--keyword=ngettext:1,2"]
        + ["--from-code=UTF-8", "--no-location", "-o", str(pot)]
        + sorted(str(p) for p in PACKAGE.glob("*.py")),
        check=True,
    )
    extracted = {entry.msgid for entry in polib.pofile(str(pot))}
    assert extracted == set(_marked()[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = _catalog(language)
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []
    assert catalog.metadata["Language"] == language
    assert "charset=UTF-8" in catalog.metadata["Content-Type"]


# {name}, {name!r}, {name:>5}; %(name)s, %s, %r (argparse's own strings).
PLACEHOLDER = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}|%\((\w+)\)[sdr]|%[sdr]")


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    """A translation uses the placeholders of its source: no fewer, no others."""
    for entry in _catalog(language):
        if entry.msgid_plural:
            wanted = _placeholders(entry.msgid_plural)
            for text in entry.msgstr_plural.values():
                assert _placeholders(text) == wanted, entry.msgid
        else:
            assert _placeholders(entry.msgstr) == _placeholders(entry.msgid), entry.msgid
        assert entry.msgstr.endswith("\n") == entry.msgid.endswith("\n"), entry.msgid
