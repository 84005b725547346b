"""What each app type needs, and the shape of its identifiers (docs/apps.md).

``app_fields_clean`` returns the fields an app of that type keeps (the others blanked) or raises
a ValidationError keyed by the field that is wrong.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from deskside.apps.choices import TYPE_PLATFORMS, AppType, DetectionType

# Debian Policy 5.6.1: lower case letters, digits, "+", "-" and "."; at least two characters;
# starting with a letter or digit.
DEBIAN_PACKAGE = re.compile(r"[a-z0-9][a-z0-9+.\-]+")
# Debian Policy 5.6.12: [epoch:]upstream[-revision]; upstream starts with a digit.
DEBIAN_VERSION = re.compile(r"(?:[0-9]+:)?[0-9][A-Za-z0-9.+~]*(?:-[A-Za-z0-9.+~-]*[A-Za-z0-9.+~])?")
# Reverse-DNS bundle ids (iOS, macOS) and Android package names.
BUNDLE_ID = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
ANDROID_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")
MSI_PRODUCT_CODE = re.compile(r"\{[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}")
# An app protection target: a bundle id or a package id.
APP_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)+")
WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:\\")

STORE_HOSTS: dict[str, tuple[str, ...]] = {
    AppType.IOS_STORE: ("apps.apple.com", "itunes.apple.com"),
    AppType.ANDROID_STORE: ("play.google.com",),
}
MAX_SCRIPT = 65536

# The fields each type keeps besides name, description, publisher, platform and version.
TYPE_FIELDS: dict[str, frozenset[str]] = {
    AppType.DEBIAN_PACKAGE: frozenset({"package_name"}),
    AppType.SCRIPT: frozenset({"install_script", "uninstall_script", "detection"}),
    AppType.WINDOWS_MSI: frozenset({"package_name", "url"}),
    AppType.MAC_PKG: frozenset({"package_name", "url"}),
    AppType.IOS_STORE: frozenset({"package_name", "url"}),
    AppType.ANDROID_STORE: frozenset({"package_name", "url"}),
    AppType.WEB_LINK: frozenset({"url"}),
}
TYPED_FIELDS = ("package_name", "url", "install_script", "uninstall_script", "detection")


def _full(pattern: re.Pattern[str], value: str) -> bool:
    return pattern.fullmatch(value) is not None


def detection_clean(detection: Any) -> dict[str, str]:
    """A detection rule: ``{"type": "fileExists", "path"}`` or ``{"type": "commandSucceeds",
    "command"}``, nothing else."""
    if not isinstance(detection, dict):
        raise ValidationError({"detection": _("A script app needs a detection rule.")})
    kind = detection.get("type")
    keys: dict[str, str] = {
        DetectionType.FILE_EXISTS: "path",
        DetectionType.COMMAND_SUCCEEDS: "command",
    }
    key = keys.get(str(kind))
    if key is None or set(detection) != {"type", key}:
        raise ValidationError(
            {"detection": _("The detection rule must be a file that exists or a command.")}
        )
    value = detection[key]
    if not isinstance(value, str) or not value.strip() or len(value) > 1000:
        raise ValidationError(
            {"detection": _("Give the detection rule's path or command (1000 characters at most).")}
        )
    value = value.strip()
    if key == "path" and not (value.startswith("/") or _full(WINDOWS_ABSOLUTE, value[:3])):
        raise ValidationError({"detection": _("The file to detect must be an absolute path.")})
    return {"type": str(kind), key: value}


def _url_clean(app_type: str, url: str, *, required: bool) -> str:
    url = url.strip()
    if not url:
        if required:
            raise ValidationError({"url": _("This app type needs a URL.")})
        return ""
    schemes = ["http", "https"] if app_type == AppType.WEB_LINK else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError as error:
        message = (
            _("Enter a valid http:// or https:// URL.")
            if app_type == AppType.WEB_LINK
            else _("Enter a valid https:// URL.")
        )
        raise ValidationError({"url": message}) from error
    hosts = STORE_HOSTS.get(app_type)
    if hosts and (urlsplit(url).hostname or "").lower() not in hosts:
        raise ValidationError(
            {"url": _("The store URL must be on %(hosts)s.") % {"hosts": ", ".join(hosts)}}
        )
    return url


def _package_clean(app_type: str, name: str) -> str:
    name = name.strip()
    rules: dict[str, tuple[re.Pattern[str], str]] = {
        AppType.DEBIAN_PACKAGE: (
            DEBIAN_PACKAGE,
            _(
                "A Debian package name has at least two characters: lower case letters, digits, "
                "+, - and ., starting with a letter or digit."
            ),
        ),
        AppType.WINDOWS_MSI: (
            MSI_PRODUCT_CODE,
            _("Give the MSI product code, such as {12345678-ABCD-1234-ABCD-1234567890AB}."),
        ),
        AppType.MAC_PKG: (BUNDLE_ID, _("Give the bundle id, such as org.videolan.vlc.")),
        AppType.IOS_STORE: (
            BUNDLE_ID,
            _("Give the bundle id, such as com.microsoft.Office.Outlook."),
        ),
        AppType.ANDROID_STORE: (
            ANDROID_PACKAGE,
            _("Give the Android package name, such as com.microsoft.office.outlook."),
        ),
    }
    pattern, message = rules[app_type]
    optional = app_type == AppType.IOS_STORE
    if not name and optional:
        return ""
    if not name:
        raise ValidationError({"package_name": _("This app type needs a package or bundle id.")})
    if len(name) > 200 or not _full(pattern, name):
        raise ValidationError({"package_name": message})
    return name


def app_fields_clean(*, app_type: str, platform: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The type's fields, checked; the fields the type does not use come back blank."""
    if app_type not in TYPE_FIELDS:
        raise ValidationError({"app_type": _("Choose a known app type.")})
    if platform not in TYPE_PLATFORMS[app_type]:
        raise ValidationError(
            {
                "platform": _("This app type is for %(platforms)s.")
                % {"platforms": ", ".join(TYPE_PLATFORMS[app_type])}
            }
        )
    clean: dict[str, Any] = {name: "" for name in TYPED_FIELDS}
    clean["detection"] = None
    keep = TYPE_FIELDS[app_type]
    version = str(fields.get("version", "")).strip()
    if app_type == AppType.DEBIAN_PACKAGE and version and not _full(DEBIAN_VERSION, version):
        raise ValidationError(
            {"version": _("Give a Debian version, such as 3.0.20-1 or 1:2.3, or leave it empty.")}
        )
    clean["version"] = version
    if "package_name" in keep:
        clean["package_name"] = _package_clean(app_type, str(fields.get("package_name", "")))
    if "url" in keep:
        required = app_type not in (AppType.ANDROID_STORE,)
        clean["url"] = _url_clean(app_type, str(fields.get("url", "")), required=required)
    if app_type == AppType.SCRIPT:
        for name in ("install_script", "uninstall_script"):
            script = str(fields.get(name, "")).replace("\r\n", "\n")
            if len(script) > MAX_SCRIPT:
                raise ValidationError({name: _("A script may be 64 KB at most.")})
            clean[name] = script if script.strip() else ""
        if not clean["install_script"]:
            raise ValidationError({"install_script": _("A script app needs an install script.")})
        clean["detection"] = detection_clean(fields.get("detection"))
    return clean


def app_identifiers_clean(identifiers: list[str]) -> list[str]:
    """Bundle or package ids, each once, in the order given."""
    seen: dict[str, None] = {}
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        if len(identifier) > 200 or not _full(APP_IDENTIFIER, identifier):
            raise ValidationError(
                {
                    "apps": _(
                        "%(id)s is not a bundle or package id (such as com.microsoft.outlook)."
                    )
                    % {"id": identifier[:200]}
                }
            )
        seen[identifier] = None
    if not seen:
        raise ValidationError({"apps": _("Target at least one app (its bundle or package id).")})
    return list(seen)


def dotted_version_key(version: str) -> tuple[int, ...] | None:
    """A dotted version as numbers, for comparing (None when it is not one)."""
    parts = version.strip().split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)
