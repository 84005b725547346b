"""The tenant's sign-in settings: mandatory second factor and the identity provider, whose client
secret is stored but never shown or logged."""

from __future__ import annotations

from deskside.accounts.models import IdentityProvider
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import Tenant

SECRET = "s3cr3t-value-never-shown"


def _provider(client, secret: str = SECRET, issuer: str = "https://id.lakeside.test"):  # type: ignore[no-untyped-def]
    return client.post(
        "/settings/sign-in/",
        {
            "part": "provider",
            "display_name": "Lakeside ID",
            "issuer": issuer,
            "client_id": "deskside",
            "client_secret": secret,
            "email_claim": "email",
            "enabled": "on",
        },
    )


def test_an_administrator_sets_the_provider_and_the_secret_is_never_shown(login, personas) -> None:
    client = login(personas.admin)
    assert _provider(client).status_code == 302
    provider = IdentityProvider.objects.get(tenant=personas.tenant)
    assert provider.client_secret == SECRET
    page = client.get("/settings/sign-in/").content.decode()
    assert SECRET not in page and "https://id.lakeside.test" in page
    event = AuditEvent.objects.get(action=Action.IDENTITY_PROVIDER_UPDATED)
    assert SECRET not in str(event.details)


def test_an_empty_secret_keeps_the_stored_one(login, personas) -> None:
    client = login(personas.admin)
    _provider(client)
    _provider(client, secret="")
    assert IdentityProvider.objects.get(tenant=personas.tenant).client_secret == SECRET
    assert (
        AuditEvent.objects.filter(action=Action.IDENTITY_PROVIDER_UPDATED)
        .latest("id")
        .details["secret_changed"]
        is False
    )


def test_a_bad_issuer_is_a_form_error(login, personas) -> None:
    response = _provider(login(personas.admin), issuer="ftp://id.lakeside.test")
    assert response.status_code == 400
    assert not IdentityProvider.objects.exists()


def test_the_second_factor_requirement_is_saved_and_audited(login, personas) -> None:
    login(personas.admin).post(
        "/settings/sign-in/", {"part": "tenant", "require_operator_mfa": "on"}
    )
    assert Tenant.objects.get(pk=personas.tenant.pk).require_operator_mfa
    assert AuditEvent.objects.get(action=Action.TENANT_UPDATED).details == {
        "require_operator_mfa": True
    }


def test_other_roles_cannot_change_sign_in_settings(login, personas) -> None:
    response = login(personas.role_admin).post(
        "/settings/sign-in/", {"part": "tenant", "require_operator_mfa": "on"}
    )
    assert response.status_code == 403
    assert not Tenant.objects.get(pk=personas.tenant.pk).require_operator_mfa


def test_the_outsider_sets_only_their_own_tenant(login, personas) -> None:
    _provider(login(personas.outsider))
    assert IdentityProvider.objects.get().tenant == personas.other_tenant
