"""A result for an app that was never assigned to the device refuses the whole check-in: a 422
naming ``appResults.<index>.appId``, and nothing of the report is stored."""

from __future__ import annotations

import pytest

from deskside.apps.models import DeviceAppState, DeviceInventoryItem
from deskside.apps.tests.helpers import assign, debian, result
from deskside.fleet.tests.checkins import check_in, report


@pytest.mark.parametrize("which", ["unassigned", "other tenant", "missing"])
def test_a_result_for_an_app_not_assigned_is_a_422_and_nothing_is_stored(
    client, personas, enrolled, which
) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)
    stranger = {
        "unassigned": lambda: debian(personas.tenant, name="GIMP", package="gimp").pk,
        "other tenant": lambda: debian(personas.other_tenant).pk,
        "missing": lambda: 987654,
    }[which]()
    body = report(
        inventory=[{"name": "vlc", "version": "3.0"}],
        appResults=[
            result(vlc, "installed", version="3.0"),
            {"appId": stranger, "installState": "installed"},
        ],
    )
    response = check_in(client, enrolled.credential, body)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("appResults.1.appId:")
    assert not DeviceAppState.objects.exists()
    assert not DeviceInventoryItem.objects.exists()
    assert enrolled.reload().last_sync_at is None


def test_an_unknown_install_state_is_a_422_naming_the_field(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)
    response = check_in(
        client, enrolled.credential, report(appResults=[result(vlc, "pendingInstall")])
    )
    assert response.status_code == 422
    assert "installState" in str(response.json()["detail"])
    assert not DeviceAppState.objects.exists()
