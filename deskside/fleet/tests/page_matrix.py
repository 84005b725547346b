"""The fleet's portal pages in the page access matrix (deskside/core/tests/test_page_access_matrix.py).

Two engineers add here, each under their own comment line, with small edits: the device list,
device page and enrollment administration (fleet portal), and the device actions.
"""

from __future__ import annotations

from collections.abc import Callable

Url = Callable[[object], str]


def _row(url: Url, **statuses: int) -> tuple[Url, dict[str, int]]:
    """Statuses per persona; anonymous goes to sign-in, no-role and unlicensed get a 403 page."""
    return url, {"anon": 302, "nobody": 403, "unlicensed": 403, **statuses}


PAGES: dict[str, tuple[Url, dict[str, int]]] = {
    # device list, device page, enrollment administration (fleet portal)
    # device actions (fleet)
}

COVERED: set[str] = {
    # device list, device page, enrollment administration (fleet portal)
    # device actions (fleet)
}

ELSEWHERE: set[str] = {
    # device list, device page, enrollment administration (fleet portal)
    # device actions (fleet)
}
