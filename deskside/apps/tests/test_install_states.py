"""Install state per device and app: a required app is install pending once delivered, then
takes the agent's results (failed with its error code and detail, installed with its version);
uninstall, not applicable (the agent's reason, or another platform), intent changes, and a
late result for an app no longer assigned."""

from __future__ import annotations

from deskside.apps.models import DeviceAppState
from deskside.apps.services import app_assignment_delete, app_assignment_update
from deskside.apps.tests.helpers import answer_apps, assign, debian, ios, result, script


def _state(device, app) -> DeviceAppState:  # type: ignore[no-untyped-def]
    return DeviceAppState.objects.get(device=device, app=app)


def test_a_required_app_goes_from_pending_to_failed_to_installed(
    client, personas, enrolled
) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)

    answer_apps(client, enrolled.credential)
    pending = _state(enrolled.device, vlc)
    assert (pending.install_state, pending.intent) == ("pendingInstall", "required")

    failed = result(vlc, "failed", errorCode="100", detail="E: Unable to locate package vlc")
    answer_apps(client, enrolled.credential, appResults=[failed])
    state = _state(enrolled.device, vlc)
    assert (state.install_state, state.error_code, state.detail) == (
        "failed",
        "100",
        "E: Unable to locate package vlc",
    )
    assert state.last_modified_at > pending.last_modified_at

    done = result(vlc, "installed", version="3.0.20-1", errorCode="", detail="")
    answer_apps(client, enrolled.credential, appResults=[done])
    state = _state(enrolled.device, vlc)
    assert (state.install_state, state.error_code, state.detail, state.installed_version) == (
        "installed",
        "",
        "",
        "3.0.20-1",
    )


def test_an_error_code_is_kept_only_for_failures(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)
    answer = result(vlc, "installed", version="3.0", errorCode="0", detail="all good")
    answer_apps(client, enrolled.credential, appResults=[answer])
    state = _state(enrolled.device, vlc)
    assert (state.install_state, state.error_code, state.detail) == ("installed", "", "")


def test_an_uninstall_ends_not_installed_or_uninstall_failed(client, personas, enrolled) -> None:
    backup = script(personas.tenant)
    assign(backup, personas.lyon, "uninstall", personas.admin)
    answer_apps(client, enrolled.credential)
    assert _state(enrolled.device, backup).install_state == "unknown"

    refused = result(backup, "uninstallFailed", errorCode="1", detail="rm: permission denied")
    answer_apps(client, enrolled.credential, appResults=[refused])
    state = _state(enrolled.device, backup)
    assert (state.install_state, state.error_code) == ("uninstallFailed", "1")

    answer_apps(client, enrolled.credential, appResults=[result(backup, "notInstalled")])
    state = _state(enrolled.device, backup)
    assert (state.install_state, state.error_code, state.detail) == ("notInstalled", "", "")


def test_not_applicable_keeps_the_agents_reason(client, personas, enrolled) -> None:
    link = debian(personas.tenant, name="Old tool", package="old-tool")
    assign(link, personas.lyon, "required", personas.admin)
    reason = "Package old-tool is not available for arm64"
    answer_apps(
        client, enrolled.credential, appResults=[result(link, "notApplicable", detail=reason)]
    )
    state = _state(enrolled.device, link)
    assert (state.install_state, state.detail) == ("notApplicable", reason)


def test_an_app_of_another_platform_is_not_applicable_and_not_delivered(
    client, personas, enrolled
) -> None:
    outlook = ios(personas.tenant)
    assign(outlook, personas.all_staff, "required", personas.admin)
    assert answer_apps(client, enrolled.credential) == []
    state = _state(enrolled.device, outlook)
    assert (state.install_state, state.intent) == ("notApplicable", "required")


def test_making_an_available_app_required_makes_it_pending(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant)
    assignment = assign(vlc, personas.lyon, "available", personas.admin)
    answer_apps(client, enrolled.credential)
    assert _state(enrolled.device, vlc).install_state == "unknown"

    app_assignment_update(assignment=assignment, intent="required", actor=personas.admin)
    answer_apps(client, enrolled.credential)
    state = _state(enrolled.device, vlc)
    assert (state.intent, state.install_state) == ("required", "pendingInstall")

    app_assignment_update(assignment=assignment, intent="available", actor=personas.admin)
    answer_apps(client, enrolled.credential)
    assert _state(enrolled.device, vlc).install_state == "unknown"


def test_a_late_result_for_an_app_no_longer_assigned_is_still_taken(
    client, personas, enrolled
) -> None:
    vlc = debian(personas.tenant)
    assignment = assign(vlc, personas.lyon, "required", personas.admin)
    answer_apps(client, enrolled.credential)
    app_assignment_delete(assignment=assignment, actor=personas.admin)

    apps = answer_apps(
        client, enrolled.credential, appResults=[result(vlc, "installed", version="3.0")]
    )
    assert apps == []
    state = _state(enrolled.device, vlc)
    assert (state.intent, state.install_state) == ("", "installed")


def test_the_last_of_two_results_for_one_app_wins(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)
    queued = [result(vlc, "failed", errorCode="100"), result(vlc, "installed", version="3.0")]
    answer_apps(client, enrolled.credential, appResults=queued)
    assert _state(enrolled.device, vlc).install_state == "installed"


def test_a_retry_of_the_last_report_stores_nothing_twice(client, personas, enrolled) -> None:
    from deskside.fleet.tests.checkins import check_in, report

    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "required", personas.admin)
    answer_apps(client, enrolled.credential)
    body = report(appResults=[result(vlc, "failed", errorCode="100")])
    first = check_in(client, enrolled.credential, body).json()
    stored = _state(enrolled.device, vlc)
    again = check_in(client, enrolled.credential, body)
    assert again.json() == first
    assert _state(enrolled.device, vlc).last_modified_at == stored.last_modified_at
