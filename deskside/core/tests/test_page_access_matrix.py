"""Every portal page, for every persona: who gets it (200), who is refused (403), for whom it
does not exist (404), and who must sign in first (302). One table, so no page skips a case."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.test import Client

from deskside.access.models import Role

# Personas: anon, admin, helpdesk (scope: Amsterdam office), reader (Read Only, all users),
# role_admin, nobody (no assignment), unlicensed (help desk group, no licence), outsider
# (another tenant's administrator).
PERSONAS = ("anon", "admin", "helpdesk", "reader", "role_admin", "nobody", "unlicensed", "outsider")

Url = Callable[[object], str]


def _row(url: Url, **statuses: int) -> tuple[Url, dict[str, int]]:
    """Statuses per persona; anonymous goes to sign-in, no-role and unlicensed get a 403 page."""
    return url, {"anon": 302, "nobody": 403, "unlicensed": 403, **statuses}


PAGES: dict[str, tuple[Url, dict[str, int]]] = {
    "home": _row(lambda p: "/", admin=200, helpdesk=200, reader=200, role_admin=200, outsider=200),
    "my access": _row(
        lambda p: "/access/me/", admin=200, helpdesk=200, reader=200, role_admin=200, outsider=200
    ),
    "user list": _row(
        lambda p: "/directory/users/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=200,
    ),
    "user in the help desk's scope": _row(
        lambda p: f"/directory/users/{p.amsterdam_user.pk}/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "user out of the help desk's scope": _row(
        lambda p: f"/directory/users/{p.lyon_user.pk}/",
        admin=200,
        helpdesk=404,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "user create": _row(
        lambda p: "/directory/users/new/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
    "user edit": _row(
        lambda p: f"/directory/users/{p.amsterdam_user.pk}/edit/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=404,
    ),
    "user import": _row(
        lambda p: "/directory/users/import/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
    "group list": _row(
        lambda p: "/directory/groups/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=200,
    ),
    "group detail": _row(
        lambda p: f"/directory/groups/{p.sales.pk}/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "group edit": _row(
        lambda p: f"/directory/groups/{p.sales.pk}/edit/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=404,
    ),
    "group import": _row(
        lambda p: "/directory/groups/import/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
    "role list": _row(
        lambda p: "/access/roles/",
        admin=200,
        helpdesk=403,
        reader=200,
        role_admin=200,
        outsider=200,
    ),
    "built-in role": _row(
        lambda p: f"/access/roles/{Role.objects.get(builtin_key='helpDeskOperator').pk}/",
        admin=200,
        helpdesk=403,
        reader=200,
        role_admin=200,
        outsider=200,
    ),
    "role create": _row(
        lambda p: "/access/roles/new/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=200,
        outsider=200,
    ),
    "assignment list": _row(
        lambda p: "/access/assignments/",
        admin=200,
        helpdesk=403,
        reader=200,
        role_admin=200,
        outsider=200,
    ),
    "assignment detail": _row(
        lambda p: f"/access/assignments/{p.tenant.role_assignments.get(name='Readers').pk}/",
        admin=200,
        helpdesk=403,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "assignment create": _row(
        lambda p: "/access/assignments/new/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=200,
        outsider=200,
    ),
    "assignment edit": _row(
        lambda p: f"/access/assignments/{p.tenant.role_assignments.get(name='Readers').pk}/edit/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=200,
        outsider=404,
    ),
    "audit log": _row(
        lambda p: "/audit/", admin=200, helpdesk=200, reader=200, role_admin=200, outsider=200
    ),
    "sign-in settings": _row(
        lambda p: "/settings/sign-in/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
}


# Later parts add their pages in ``deskside/<part>/tests/page_matrix.py``: ``PAGES`` (rows made
# with ``row`` below), ``COVERED`` (the URL names those rows reach) and ``ELSEWHERE`` (URL names
# proven by the part's own tests, such as POST-only endpoints).
PARTS = ("fleet", "policies", "apps", "remotehelp", "troubleshooting")
row = _row
PART_COVERED: set[str] = set()
PART_ELSEWHERE: set[str] = set()
for _part in PARTS:
    try:
        _module = importlib.import_module(f"deskside.{_part}.tests.page_matrix")
    except ModuleNotFoundError as error:
        if not f"deskside.{_part}.tests.page_matrix".startswith(str(error.name)):
            raise
        continue
    PAGES.update(_module.PAGES)
    PART_COVERED |= set(_module.COVERED)
    PART_ELSEWHERE |= set(_module.ELSEWHERE)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_persona_gets_the_expected_answer(page: str, personas, client: Client) -> None:
    url_of, expected = PAGES[page]
    url = url_of(personas)
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anon":
            client.force_login(
                getattr(personas, persona), backend="deskside.accounts.backends.DirectoryBackend"
            )
        got[persona] = client.get(url).status_code
    assert got == {persona: expected[persona] for persona in PERSONAS}


def test_the_matrix_names_every_portal_url() -> None:
    """A page added to the URL configuration must get a row here (or in a part's own tests)."""
    from django.urls import get_resolver

    names = {
        f"{ns}:{name}"
        for ns, (prefix, resolver) in get_resolver().namespace_dict.items()
        # The JSON API's handlers are tested in their parts (fleet/tests/test_enrollment_api.py).
        if ns != "api"
        for name in resolver.reverse_dict
        if isinstance(name, str)
    }
    # POST-only endpoints and the sign-in flow are covered by their own tests.
    elsewhere = {
        "accounts:sign_in",
        "accounts:verify",
        "accounts:mfa_required",
        "accounts:sso_start",
        "accounts:oidc_callback",
        "accounts:sign_out",
        "accounts:set_language",
        "accounts:security",
        "core:health",
        "access:role_edit",
        "access:role_delete",
        "access:assignment_delete",
        "directory:group_create",
        "directory:group_delete",
        "directory:group_member_add",
        "directory:group_member_remove",
        # The agent's OAuth 2.0 endpoints: fleet/tests/test_user_enrollment_oauth.py.
        "oauth2_provider:authorize",
        "oauth2_provider:token",
        "oauth2_provider:revoke-token",
    }
    covered = {
        "core:home",
        "access:my_access",
        "directory:user_list",
        "directory:user_detail",
        "directory:user_create",
        "directory:user_edit",
        "directory:user_import",
        "directory:group_list",
        "directory:group_detail",
        "directory:group_edit",
        "directory:group_import",
        "access:role_list",
        "access:role_detail",
        "access:role_create",
        "access:assignment_list",
        "access:assignment_detail",
        "access:assignment_create",
        "access:assignment_edit",
        "audit:event_list",
        "accounts:tenant_settings",
    }
    assert names - elsewhere - covered - PART_COVERED - PART_ELSEWHERE == set()
