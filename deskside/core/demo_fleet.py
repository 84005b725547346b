"""The demo's fleet: about 150 simulated devices that enroll and check in through the real API
with the agent's own protocol code (``deskside_agent.protocol``) and made-up facts.

The administrator's set-up (enrollment settings and restrictions, tokens, pre-provisioned kiosks,
corporate serial numbers, compliance policies, Wi-Fi and VPN profiles, apps and app protection)
goes through the parts' services with the demo administrator as the actor. The devices then go
through the HTTP API in process (an httpx client on Django's WSGI handler): enrollment (user
sign-in, bulk token, pre-provisioned), two check-ins each (facts and inventory, then the results of
the profiles and apps they were given), app protection check-ins, and at least one refused
enrollment of every failure reason.

Two things are made up on the server side, and only these: users' OAuth access tokens are issued
directly (the demo's people have no passwords to sign in with), and a few devices' last check-in
is moved into the past, so that the portal shows devices that stopped responding.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from deskside.apps.oauth import (
    MANAGED_APPS_SCOPE,
    PROTECTED_APPS_CLIENT_ID,
    protected_apps_application_ensure,
)
from deskside.apps.services import (
    app_assignment_create,
    mobile_app_create,
    protection_policy_assign,
    protection_policy_create,
)
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import group_create
from deskside.fleet.enrollment import token_hash
from deskside.fleet.enrollment_admin import (
    RestrictionFields,
    SettingsFields,
    bulk_token_create,
    corporate_identifiers_add,
    deployment_profile_create,
    enrollment_restriction_create,
    enrollment_settings_update,
    hardware_rows_parse,
    preprovisioned_device_remove,
    preprovisioned_devices_add,
)
from deskside.fleet.models import (
    BulkEnrollmentToken,
    EnrollmentFailure,
    EnrollmentSession,
    EnrollmentSettings,
    ManagedDevice,
    PreprovisionedDevice,
)
from deskside.fleet.oauth import AGENT_CLIENT_ID, ENROLL_SCOPE, agent_application_ensure
from deskside.fleet.services import group_device_add
from deskside.policies.services import (
    compliance_policy_assign,
    compliance_policy_create,
    compliance_sweep,
    profile_assign,
    profile_create,
)
from deskside_agent.protocol import DesksideClient, Facts, Refused, Report

SERVER = "http://127.0.0.1"
Progress = Callable[[str], None]

# (platform, OS versions that comply, OS versions that do not, manufacturer, models)
PLATFORMS: dict[str, tuple[list[str], list[str], str, list[str]]] = {
    "Windows": (
        ["10.0.22631", "10.0.26100", "10.0.22621"],
        ["10.0.19044"],
        "Dell Inc.",
        ["Latitude 7440", "Latitude 5540", "OptiPlex 7010"],
    ),
    "macOS": (["14.6.1", "15.1", "15.0.1"], ["13.6.9"], "Apple", ["MacBookPro18,3", "Mac14,2"]),
    "Linux": (["12.8", "12.7"], ["11.11"], "LENOVO", ["20XW", "21CB"]),
    "iOS": (["17.6.1", "18.1"], ["16.7.10"], "Apple", ["iPhone15,2", "iPhone14,5", "iPad13,18"]),
    "Android": (["14", "13"], ["12"], "samsung", ["SM-S911B", "SM-A546B"]),
}


@dataclass
class Simulated:
    """One simulated device: its agent's client and facts, and what it answers."""

    client: DesksideClient
    facts: Facts
    user: User | None = None
    ownership: str = "company"
    fails_profiles: bool = False
    fails_apps: bool = False
    stale_days: int = 0


@dataclass
class FleetSummary:
    devices: int = 0
    failures: int = 0
    by_platform: Counter[str] = field(default_factory=Counter)


@contextmanager
def _in_process_api() -> Iterator[httpx.Client]:
    """An HTTP client whose requests go through Django's full stack in this process. Like
    Django's test client, it keeps the database connection across requests, so the whole demo
    fleet is one transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        transport = httpx.WSGITransport(app=WSGIHandler())
        with httpx.Client(transport=transport, base_url=SERVER) as http:
            yield http
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def demo_agent_token_file() -> Path:
    """Where the demo keeps the bulk token its machine's agent enrolls with (mode 0600)."""
    return Path(django_settings.DATA_DIR) / "demo-agent-token"


def _access_token(user: User, client_id: str, scope: str) -> str:
    """An access token for ``user`` as the portal's token endpoint would issue it (see above)."""
    application = get_application_model().objects.get(client_id=client_id)
    token = secrets.token_urlsafe(32)
    get_access_token_model().objects.create(
        user=user,
        application=application,
        token=token,
        scope=scope,
        expires=timezone.now() + timedelta(minutes=10),
    )
    return token


class DemoFleet:
    """The set-up and the simulation; ``run`` does it all."""

    def __init__(self, *, tenant: Tenant, admin: User, http: httpx.Client, progress: Progress):
        self.tenant = tenant
        self.admin = admin
        self.http = http
        self.progress = progress
        self.rng = random.Random(20261201)  # noqa: S311 (made-up data, the same on every run)
        self.groups = {group.display_name: group for group in Group.objects.filter(tenant=tenant)}
        self.serials = 0
        self.summary = FleetSummary()

    # -- the administrator's set-up ---------------------------------------------------------

    def set_up_enrollment(self) -> None:
        enrollment_settings_update(
            tenant=self.tenant,
            fields=SettingsFields(
                management_authority_set=True,
                allow_user_enrollment=True,
                allow_bulk_enrollment=True,
                allow_preprovisioned_enrollment=True,
                apple_push_certificate_expires_at=timezone.now() + timedelta(days=200),
            ),
            actor=self.admin,
        )
        enrollment_restriction_create(
            tenant=self.tenant,
            fields=RestrictionFields(
                name="All users and devices",
                min_os_versions={"iOS": "16.0", "Android": "12"},
                max_os_versions={"macOS": "26.9"},
                blocked_manufacturers=["Generic"],
                device_limit=5,
            ),
            actor=self.admin,
            is_default=True,
        )
        enrollment_restriction_create(
            tenant=self.tenant,
            fields=RestrictionFields(
                name="Warehouse: corporate devices only",
                block_personal=True,
                device_limit=3,
                groups=[self.groups["Warehouse"]],
            ),
            actor=self.admin,
        )
        enrollment_restriction_create(
            tenant=self.tenant,
            fields=RestrictionFields(
                name="Finance: no Android, three devices",
                blocked_platforms=["Android"],
                device_limit=3,
                groups=[self.groups["Finance"]],
            ),
            actor=self.admin,
        )
        self.scanner_token = bulk_token_create(
            tenant=self.tenant,
            name="Warehouse scanners",
            expires_at=timezone.now() + timedelta(days=180),
            actor=self.admin,
        ).secret
        # The real agent of the machine the demo runs on enrolls with this one (deskside demo).
        machine_token = bulk_token_create(
            tenant=self.tenant,
            name="This machine (demo agent)",
            expires_at=timezone.now() + timedelta(days=365),
            actor=self.admin,
        ).secret
        token_file = demo_agent_token_file()
        token_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(machine_token)
        self.old_token = bulk_token_create(
            tenant=self.tenant,
            name="Spring roll-out (expired)",
            expires_at=timezone.now() + timedelta(minutes=1),
            actor=self.admin,
        ).secret
        kiosks = deployment_profile_create(
            tenant=self.tenant,
            name="Reception kiosks",
            allowed_methods=["preProvisioned"],
            active=True,
            actor=self.admin,
        )
        rows = "\n".join(f"HW-KIOSK-{n:02d},SN-KIOSK-{n:02d}" for n in range(1, 11))
        preprovisioned_devices_add(
            tenant=self.tenant, rows=hardware_rows_parse(rows), profile=kiosks, actor=self.admin
        )
        preprovisioned_devices_add(
            tenant=self.tenant,
            rows=hardware_rows_parse("HW-KIOSK-90,SN-KIOSK-90"),
            profile=None,
            actor=self.admin,
        )
        self.device_groups = {
            name: group_create(tenant=self.tenant, display_name=name, actor=self.admin)
            for name in ("Warehouse scanners", "Reception kiosks")
        }

    def set_up_policies(self) -> None:
        everyone = self.groups["All staff"]
        baselines: list[tuple[str, dict[str, Any], list[Group]]] = [
            (
                "Windows",
                {
                    "os_minimum_version": "10.0.22621",
                    "require_encryption": True,
                    "require_firewall": True,
                    "require_screen_lock": True,
                    "max_days_since_check_in": 14,
                    "grace_period_days": 3,
                },
                [everyone, self.device_groups["Reception kiosks"]],
            ),
            (
                "macOS",
                {
                    "os_minimum_version": "14.0",
                    "require_encryption": True,
                    "require_firewall": True,
                    "require_screen_lock": True,
                    "max_days_since_check_in": 14,
                },
                [everyone],
            ),
            (
                "Linux",
                {
                    "require_encryption": True,
                    "require_screen_lock": True,
                    "minimum_agent_version": "1.0.0",
                    "max_days_since_check_in": 14,
                },
                [everyone],
            ),
            (
                "iOS",
                {"os_minimum_version": "17.0", "require_screen_lock": True},
                [everyone],
            ),
            (
                "Android",
                {
                    "os_minimum_version": "13",
                    "require_encryption": True,
                    "require_screen_lock": True,
                    "max_days_since_check_in": 7,
                },
                [everyone, self.device_groups["Warehouse scanners"]],
            ),
        ]
        for platform, rules, groups in baselines:
            policy = compliance_policy_create(
                tenant=self.tenant,
                actor=self.admin,
                name=f"{platform} baseline",
                description="Encryption, screen lock and a supported OS version",
                platform=platform,
                **rules,
            )
            compliance_policy_assign(
                policy=policy, include_groups=groups, exclude_groups=[], actor=self.admin
            )

        wifi = {"ssid": "Lakeside-Staff", "security": "wpa2Personal", "hidden": False}
        for platform in ("Windows", "macOS", "Linux", "iOS", "Android"):
            profile = profile_create(
                tenant=self.tenant,
                name=f"Office Wi-Fi ({platform})",
                platform=platform,
                profile_type="wifi",
                settings=wifi,
                secrets={"passphrase": "lakeside-office-2026"},
                actor=self.admin,
            )
            profile_assign(
                profile=profile, include_groups=[everyone], exclude_groups=[], actor=self.admin
            )
        # Two profiles that set the same network differently: a conflict on both, for the
        # warehouse staff's Android phones.
        warehouse_wifi = profile_create(
            tenant=self.tenant,
            name="Warehouse Wi-Fi (Android)",
            platform="Android",
            profile_type="wifi",
            settings={**wifi, "security": "wpa3Personal"},
            secrets={"passphrase": "warehouse-floor-2026"},
            actor=self.admin,
        )
        profile_assign(
            profile=warehouse_wifi,
            include_groups=[self.groups["Warehouse"]],
            exclude_groups=[],
            actor=self.admin,
        )
        vpns: list[tuple[str, dict[str, Any], dict[str, str]]] = [
            (
                "Windows",
                {"vpnType": "openvpn", "server": "vpn.lakeside.example", "protocol": "udp"},
                {},
            ),
            (
                "macOS",
                {"vpnType": "openvpn", "server": "vpn.lakeside.example", "protocol": "udp"},
                {},
            ),
            (
                "Linux",
                {
                    "vpnType": "wireguard",
                    "server": "wg.lakeside.example",
                    "peerPublicKey": "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
                    "allowedIps": ["10.20.0.0/16"],
                    "dns": ["10.20.0.53"],
                },
                {},
            ),
        ]
        for platform, settings, secret in vpns:
            profile = profile_create(
                tenant=self.tenant,
                name=f"Remote access VPN ({platform})",
                platform=platform,
                profile_type="vpn",
                settings=settings,
                secrets=secret,
                actor=self.admin,
            )
            profile_assign(
                profile=profile, include_groups=[everyone], exclude_groups=[], actor=self.admin
            )
        screensaver = profile_create(
            tenant=self.tenant,
            name="Screen lock after 5 minutes (Linux)",
            platform="Linux",
            profile_type="custom",
            settings={"org.gnome.desktop.session/idle-delay": "300"},
            actor=self.admin,
        )
        profile_assign(
            profile=screensaver, include_groups=[everyone], exclude_groups=[], actor=self.admin
        )

    def set_up_apps(self) -> None:
        everyone = self.groups["All staff"]
        catalog: list[tuple[str, str, str, dict[str, Any], str, Group]] = [
            (
                "Microsoft 365 Apps",
                "Windows",
                "windowsMsi",
                {"publisher": "Microsoft", "package_name": "{90160000-008C-0000-1000-0000000FF1CE}",
                 "url": "https://apps.lakeside.example/m365/setup.msi"},
                "required",
                everyone,
            ),
            (
                "Zoom Workplace",
                "Windows",
                "windowsMsi",
                {"publisher": "Zoom", "package_name": "{4D7B7A2C-3E4F-4B8E-9C1D-5A6B7C8D9E0F}",
                 "url": "https://apps.lakeside.example/zoom/ZoomInstallerFull.msi"},
                "available",
                everyone,
            ),
            (
                "Legacy VPN client",
                "Windows",
                "windowsMsi",
                {"publisher": "Lakeside IT",
                 "package_name": "{1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809}",
                 "url": "https://apps.lakeside.example/legacy/vpn.msi"},
                "uninstall",
                everyone,
            ),
            (
                "Microsoft 365 (macOS)",
                "macOS",
                "macPkg",
                {"publisher": "Microsoft", "package_name": "com.microsoft.office",
                 "url": "https://apps.lakeside.example/m365/office.pkg"},
                "required",
                everyone,
            ),
            (
                "Firefox ESR",
                "Linux",
                "debianPackage",
                {"publisher": "Mozilla", "package_name": "firefox-esr"},
                "required",
                everyone,
            ),
            (
                "VLC media player",
                "Linux",
                "debianPackage",
                {"publisher": "VideoLAN", "package_name": "vlc"},
                "available",
                everyone,
            ),
            (
                "Lakeside certificates",
                "Linux",
                "script",
                {
                    "publisher": "Lakeside IT",
                    "install_script": "install -m 644 /dev/null "
                    "/usr/local/share/ca-certificates/lakeside.crt && update-ca-certificates",
                    "detection": {
                        "type": "fileExists",
                        "path": "/usr/local/share/ca-certificates/lakeside.crt",
                    },
                },
                "required",
                everyone,
            ),
            (
                "Microsoft Outlook",
                "iOS",
                "iosStore",
                {"publisher": "Microsoft", "package_name": "com.microsoft.Office.Outlook",
                 "url": "https://apps.apple.com/app/id951937596"},
                "required",
                everyone,
            ),
            (
                "Microsoft Outlook (Android)",
                "Android",
                "androidStore",
                {"publisher": "Microsoft", "package_name": "com.microsoft.office.outlook"},
                "required",
                everyone,
            ),
            (
                "Scanner app",
                "Android",
                "androidStore",
                {"publisher": "Contour", "package_name": "com.contour.scanner"},
                "required",
                self.device_groups["Warehouse scanners"],
            ),
            (
                "Microsoft Teams",
                "iOS",
                "iosStore",
                {"publisher": "Microsoft", "package_name": "com.microsoft.skype.teams",
                 "url": "https://apps.apple.com/app/id1113153706"},
                "availableWithoutEnrollment",
                everyone,
            ),
        ]  # fmt: skip
        for name, platform, app_type, fields, intent, group in catalog:
            app = mobile_app_create(
                tenant=self.tenant,
                display_name=name,
                platform=platform,
                app_type=app_type,
                actor=self.admin,
                **fields,
            )
            app_assignment_create(app=app, group=group, intent=intent, actor=self.admin)
        for platform, apps in (
            ("iOS", ["com.microsoft.Office.Outlook", "com.microsoft.skype.teams"]),
            ("Android", ["com.microsoft.office.outlook", "com.microsoft.teams"]),
        ):
            policy = protection_policy_create(
                tenant=self.tenant,
                display_name=f"Protect company mail ({platform})",
                platform=platform,
                apps=apps,
                actor=self.admin,
                pin_required=True,
                block_copy_paste_to_unmanaged=True,
            )
            protection_policy_assign(policy=policy, group=everyone, actor=self.admin)

    # -- the devices -----------------------------------------------------------------------

    def _facts(self, platform: str, owner: str, *, compliant: bool, **changes: Any) -> Facts:
        good, bad, manufacturer, models = PLATFORMS[platform]
        self.serials += 1
        laptop = platform in ("Windows", "macOS", "Linux")
        values: dict[str, Any] = {
            "device_name": f"{owner}-{platform.lower()}-{self.serials:03d}",
            "operating_system": platform,
            "os_version": self.rng.choice(good if compliant else bad),
            "serial_number": f"LK{self.serials:05d}{platform[:2].upper()}",
            "manufacturer": manufacturer,
            "model": self.rng.choice(models),
            "is_encrypted": True,
            "firewall_enabled": True if laptop else None,
            "screen_lock_enabled": True,
            "free_storage_bytes": self.rng.randrange(20, 200) * 1_000_000_000,
            "total_storage_bytes": 256_000_000_000,
        }
        if not compliant and self.rng.random() < 0.5:
            values["os_version"] = self.rng.choice(good)
            values[self.rng.choice(["is_encrypted", "screen_lock_enabled"])] = False
        values.update(changes)
        return Facts(**values)

    def _enroll(
        self,
        facts: Facts,
        *,
        method: str,
        ownership: str = "company",
        user: User | None = None,
        token: str = "",
        agent_version: str = "1.0.0",
        session_id: str | None = None,
    ) -> DesksideClient | None:
        """Enroll through the API; a refusal is counted (it is stored as a failure event)."""
        client = DesksideClient(SERVER, http=self.http)
        domain = self.tenant.domains.get().name
        if session_id is None:
            session_id = client.start_session(domain).session_id
        try:
            client.enroll(
                method=method,
                facts=facts,
                ownership=ownership,
                bulk_token=token,
                tenant_domain=domain if method == "preProvisioned" else "",
                session_id=session_id,
                access_token=_access_token(user, AGENT_CLIENT_ID, ENROLL_SCOPE) if user else None,
                agent_version=agent_version,
            )
        except Refused:
            self.summary.failures += 1
            return None
        return client

    def people_devices(self) -> list[Simulated]:
        """Laptops, phones and tablets of the tenant's people, user-enrolled."""
        simulated: list[Simulated] = []
        people = list(
            User.objects.filter(tenant=self.tenant, has_license=True)
            .exclude(email__startswith="admin@")
            .prefetch_related("group_memberships__group")
            .order_by("email")
        )
        serials = []
        plans: list[tuple[User, str, str, bool]] = []
        for person in people:
            groups = {m.group.display_name for m in person.group_memberships.all()}
            laptop = self.rng.choices(["Windows", "macOS", "Linux"], [5, 3, 2])[0]
            if "Engineering" in groups:
                laptop = self.rng.choice(["macOS", "Linux"])
            plans.append((person, laptop, "company", self.rng.random() < 0.8))
            phone = "iOS" if "Finance" in groups or self.rng.random() < 0.55 else "Android"
            if self.rng.random() < 0.85:
                plans.append((person, phone, "company", self.rng.random() < 0.8))
            if "Sales" in groups:
                plans.append((person, "iOS", "company", True))
            if "Engineering" in groups:
                plans.append((person, "Linux", "company", self.rng.random() < 0.7))
            if "Warehouse" not in groups and "Finance" not in groups and self.rng.random() < 0.4:
                plans.append((person, self.rng.choice(["iOS", "Android"]), "personal", True))
        for person, platform, ownership, compliant in plans:
            local = person.email.split("@")[0].split(".")[0]
            facts = self._facts(platform, local, compliant=compliant)
            if ownership == "company":
                serials.append(facts.serial_number)
            simulated.append(
                Simulated(
                    client=DesksideClient(SERVER, http=self.http),
                    facts=facts,
                    user=person,
                    ownership=ownership,
                    fails_profiles=self.rng.random() < 0.12,
                    fails_apps=self.rng.random() < 0.15,
                    stale_days=self.rng.choice([0] * 14 + [9, 21]),
                )
            )
        # IT registered the serial numbers of the devices it bought: they count as corporate.
        corporate_identifiers_add(tenant=self.tenant, serial_numbers=serials, actor=self.admin)
        enrolled = []
        for device in simulated:
            client = self._enroll(
                device.facts,
                method="user",
                ownership=device.ownership,
                user=device.user,
            )
            if client is not None:
                device.client = client
                enrolled.append(device)
        return enrolled

    def unattended_devices(self) -> list[Simulated]:
        """Warehouse scanners (bulk token) and reception kiosks (pre-provisioned)."""
        enrolled = []
        for n in range(1, 56):
            facts = self._facts(
                "Android",
                "scanner",
                compliant=n % 9 != 0,
                device_name=f"SCANNER-{n:02d}",
                manufacturer="Zebra Technologies",
                model="TC52",
            )
            client = self._enroll(facts, method="bulkToken", token=self.scanner_token)
            if client is not None:
                stale = 21 if n % 11 == 0 else 0
                enrolled.append(Simulated(client=client, facts=facts, stale_days=stale))
        # Kiosk 10 is taken off pre-provisioning before it ever enrolls (see failures).
        for n in range(1, 10):
            facts = self._facts(
                "Windows",
                "kiosk",
                compliant=n != 4,
                device_name=f"KIOSK-{n:02d}",
                serial_number=f"SN-KIOSK-{n:02d}",
                hardware_id=f"HW-KIOSK-{n:02d}",
            )
            client = self._enroll(facts, method="preProvisioned")
            if client is not None:
                enrolled.append(Simulated(client=client, facts=facts))
        for device in enrolled:
            managed = ManagedDevice.objects.get(
                tenant=self.tenant, serial_number=device.facts.serial_number
            )
            scanner = "SCANNER" in device.facts.device_name
            group = self.device_groups["Warehouse scanners" if scanner else "Reception kiosks"]
            group_device_add(group=group, device=managed, actor=self.admin)
        return enrolled

    def check_in(self, device: Simulated) -> None:
        """Two check-ins: facts and inventory; then the results of what the first answer gave."""
        inventory = [
            {"name": "Deskside agent", "version": "1.0.0", "publisher": "Deskside"},
            {"name": "Google Chrome", "version": "131.0.6778.86", "publisher": "Google"},
        ]
        answer = device.client.check_in(Report.new(facts=device.facts, inventory=inventory))
        profile_results = []
        for profile in answer.profiles:
            kind = profile.get("profileType")
            if device.fails_profiles and kind in ("wifi", "vpn"):
                detail = (
                    "The VPN server's certificate is not trusted by the device."
                    if kind == "vpn"
                    else "The network rejected the passphrase (802.11 association failed)."
                )
                result = {"state": "failed", "detail": detail}
            else:
                result = {"state": "succeeded", "detail": ""}
            profile_results.append(
                {"profileId": profile["profileId"], "version": profile["version"], **result}
            )
        app_results = []
        for app in answer.apps:
            if app.get("intent") == "available":
                continue
            if app.get("intent") == "uninstall":
                state = {"installState": "notInstalled"}
            elif device.fails_apps:
                state = {
                    "installState": "failed",
                    "errorCode": {"Windows": "0x80070643", "Linux": "100"}.get(
                        device.facts.operating_system, "0x87D1041C"
                    ),
                    "detail": {
                        "Windows": "Fatal error during installation (MSI 1603).",
                        "Linux": "E: Unable to locate package (apt-get exit code 100).",
                    }.get(device.facts.operating_system, "The app could not be downloaded."),
                }
                app_results.append({"appId": app["appId"], **state})
                continue
            else:
                state = {"installState": "installed", "version": app.get("version") or "1.0"}
            app_results.append({"appId": app["appId"], **state})
        device.client.check_in(
            Report.new(
                facts=device.facts,
                inventory=None,
                profile_results=profile_results,
                app_results=app_results,
            )
        )

    def app_protection(self, devices: list[Simulated]) -> None:
        """Protected Outlook on most phones reports in; some never do (not checked in)."""
        protected_apps_application_ensure()
        for device in devices:
            platform = device.facts.operating_system
            if device.user is None or platform not in ("iOS", "Android"):
                continue
            if self.rng.random() < 0.25:
                continue
            identifier = {
                "iOS": "com.microsoft.Office.Outlook",
                "Android": "com.microsoft.office.outlook",
            }[platform]
            token = _access_token(device.user, PROTECTED_APPS_CLIENT_ID, MANAGED_APPS_SCOPE)
            response = self.http.post(
                "/api/v1/app-protection/registrations",
                json={
                    "appIdentifier": identifier,
                    "appName": "Outlook",
                    "appVersion": "4.2446.0",
                    "deviceTag": device.facts.serial_number,
                    "deviceName": device.facts.device_name,
                    "deviceType": device.facts.model,
                    "platform": platform,
                    "platformVersion": device.facts.os_version,
                    "flaggedReasons": ["rootedDevice"] if self.rng.random() < 0.05 else [],
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()

    def failures(self, enrolled: list[Simulated]) -> None:
        """One refused enrollment of every reason, each the way it happens for real."""
        people = {u.email.split("@")[0]: u for u in User.objects.filter(tenant=self.tenant)}
        sanne, emma, thijs = people["sanne.devries"], people["emma.bakker"], people["thijs.meijer"]
        settings = EnrollmentSettings.objects.get(tenant=self.tenant)

        def attempt(facts: Facts, **how: Any) -> None:
            before = EnrollmentFailure.objects.filter(tenant=self.tenant).count()
            if self._enroll(facts, **how) is not None:
                raise RuntimeError(f"the demo's refused enrollment was accepted: {how}")
            if EnrollmentFailure.objects.filter(tenant=self.tenant).count() != before + 1:
                raise RuntimeError(f"the demo's refused enrollment left no failure: {how}")

        def facts(platform: str, **changes: Any) -> Facts:
            return self._facts(platform, "try", compliant=True, **changes)

        attempt(facts("Windows"), method="user", user=sanne, agent_version="0.9.2")
        # Before set-up was finished, and before bulk enrollment and Apple's certificate were
        # in place (the settings are changed back right after):
        for change, platform, how in (
            ({"management_authority_set": False}, "Windows", {"method": "user", "user": sanne}),
            ({"allow_bulk_enrollment": False}, "Android", {"method": "bulkToken"}),
            ({"apple_push_certificate_expires_at": None}, "iOS", {"method": "user", "user": sanne}),
        ):
            saved = {name: getattr(settings, name) for name in change}
            EnrollmentSettings.objects.filter(pk=settings.pk).update(**change)
            how = {**how, "token": self.scanner_token} if how["method"] == "bulkToken" else how
            attempt(facts(platform), **how)
            EnrollmentSettings.objects.filter(pk=settings.pk).update(**saved)
        used = EnrollmentSession.objects.filter(tenant=self.tenant).exclude(completed_at=None)
        attempt(
            facts("Android"),
            method="bulkToken",
            token=self.scanner_token,
            session_id=str(used.values_list("id", flat=True)[0]),
        )
        BulkEnrollmentToken.objects.filter(token_hash=token_hash(self.old_token)).update(
            expires_at=timezone.now() - timedelta(days=40)
        )
        attempt(facts("Windows"), method="bulkToken", token=self.old_token)
        attempt(facts("Windows", hardware_id="HW-UNKNOWN-7"), method="preProvisioned")
        removed = PreprovisionedDevice.objects.get(tenant=self.tenant, hardware_id="HW-KIOSK-10")
        preprovisioned_device_remove(device=removed, actor=self.admin)
        attempt(facts("Windows", hardware_id="HW-KIOSK-10"), method="preProvisioned")
        attempt(facts("Windows", hardware_id="HW-KIOSK-90"), method="preProvisioned")
        # A kiosk's hardware id, enrolled with the bulk token its profile does not allow:
        attempt(
            facts("Windows", hardware_id="HW-KIOSK-09"),
            method="bulkToken",
            token=self.scanner_token,
        )
        attempt(facts("Windows"), method="user", user=people["contractor"])
        attempt(facts("Windows", os_version="6.3.9600"), method="user", user=sanne)
        taken = next(d for d in enrolled if d.user not in (None, thijs))
        lucas = people["lucas.visser"]
        attempt(
            facts(taken.facts.operating_system, serial_number=taken.facts.serial_number),
            method="user",
            user=lucas if taken.user != lucas else sanne,
        )
        attempt(facts("Android"), method="user", user=emma)
        attempt(facts("iOS", os_version="15.8.3"), method="user", user=sanne, ownership="personal")
        attempt(facts("macOS", os_version="27.0"), method="user", user=sanne)
        attempt(facts("Android"), method="user", user=thijs, ownership="personal")
        attempt(facts("Android"), method="user", user=thijs, ownership="unknown")
        attempt(facts("Windows", manufacturer="Generic"), method="user", user=sanne)
        limit = EnrollmentFailure.objects.filter(tenant=self.tenant, reason="DeviceLimitReached")
        for _ in range(5):  # Emma's restriction allows three devices
            if limit.exists():
                break
            self._enroll(facts("iOS"), method="user", user=emma)

    def run(self) -> FleetSummary:
        agent_application_ensure()
        self.progress("demo: enrollment settings, restrictions, tokens, kiosks")
        self.set_up_enrollment()
        self.progress("demo: compliance policies, Wi-Fi and VPN profiles")
        self.set_up_policies()
        self.progress("demo: apps and app protection")
        self.set_up_apps()
        self.progress("demo: enrolling people's devices through the API")
        devices = self.people_devices()
        devices += self.unattended_devices()
        for index, device in enumerate(devices, 1):
            self.check_in(device)
            self.summary.by_platform[device.facts.operating_system] += 1
            if index % 25 == 0 or index == len(devices):
                self.progress(f"demo: {index}/{len(devices)} devices checked in")
        self.app_protection(devices)
        self.progress("demo: refused enrollments of every reason")
        self.failures(devices)
        now = timezone.now()
        for device in devices:
            if device.stale_days:
                ManagedDevice.objects.filter(
                    tenant=self.tenant, serial_number=device.facts.serial_number
                ).update(last_sync_at=now - timedelta(days=int(device.stale_days)))
        compliance_sweep(now=now)
        self.summary.devices = len(devices)
        return self.summary


@transaction.atomic
def demo_fleet_seed(*, tenant: Tenant, admin: User, progress: Progress = print) -> FleetSummary:
    """Fill the demo tenant's fleet once; a tenant that has enrollment settings is left as is."""
    if EnrollmentSettings.objects.filter(tenant=tenant).exists():
        return FleetSummary(devices=ManagedDevice.objects.filter(tenant=tenant).count())
    with _in_process_api() as http:
        return DemoFleet(tenant=tenant, admin=admin, http=http, progress=progress).run()
