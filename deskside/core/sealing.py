"""Secrets at rest: model fields whose column holds a Fernet token, never the value.

A sealed field stores ``Fernet(key).encrypt(value)`` (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package) as text and gives the plain value back when a row is read. The keys are
``DESKSIDE_DATA_KEYS`` (comma-separated Fernet keys, ``deskside newdatakey`` makes one): the first
seals, every one unseals, so a key is rotated by putting the new one first and running
``deskside reseal``. Without ``DESKSIDE_DATA_KEYS`` one key is derived from ``SECRET_KEY`` (HKDF),
which ties the sealed data to that key: a deployment that may rotate ``SECRET_KEY`` sets its own.

What is sealed: the identity provider's client secret, operators' TOTP secrets, configuration
profiles' secret settings, and the check-in answer a device last received (it holds them).
A sealed column cannot be filtered or ordered on. ``dumpdata`` writes sealed values sealed, and
``loaddata`` opens them with the configured keys. See docs/design.md, "Secrets at rest".
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

_DERIVED_KEY_INFO = b"deskside data key"
# Marks a sealed value in a fixture (dumpdata, loaddata).
SERIALIZED_PREFIX = "sealed:"

# Every sealed field, for ``deskside reseal``: (model, field name).
SEALED_FIELDS: list[tuple[type[models.Model], str]] = []


class UnreadableSecret(ImproperlyConfigured):
    """A stored value none of the configured keys opens (the key that sealed it is gone)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from ``SECRET_KEY`` when no ``DESKSIDE_DATA_KEYS`` is set."""
    material = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"deskside-sealing", info=_DERIVED_KEY_INFO
    ).derive(secret_key.encode())
    return base64.urlsafe_b64encode(material)


def parse_keys(raw: list[str]) -> list[Fernet]:
    """Fernet objects of the configured keys; ImproperlyConfigured names the bad one (by place)."""
    keys = []
    for place, key in enumerate(raw, start=1):
        try:
            keys.append(Fernet(key.encode()))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"DESKSIDE_DATA_KEYS: key {place} is not a Fernet key (32 bytes in url-safe "
                "base64; `deskside newdatakey` makes one)."
            ) from error
    return keys


@lru_cache(maxsize=4)
def _sealer(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet(parse_keys(list(keys)))
    return MultiFernet([Fernet(derived_key(secret_key))])


def sealer() -> MultiFernet:
    """The keys of the current settings (cached per configuration, so tests may override them)."""
    return _sealer(tuple(settings.DESKSIDE_DATA_KEYS), settings.SECRET_KEY)


def seal(plain: str) -> str:
    return sealer().encrypt(plain.encode()).decode("ascii")


def unseal(token: str, *, where: str = "a sealed value") -> str:
    try:
        return sealer().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise UnreadableSecret(
            f"{where} was sealed with a key that is not in DESKSIDE_DATA_KEYS (or, without it, "
            "with another SECRET_KEY): put that key back, last in the list."
        ) from error


def reseal(token: str) -> str:
    """The token sealed again with the first key (``deskside reseal``)."""
    return sealer().rotate(token.encode("ascii")).decode("ascii")


if TYPE_CHECKING:
    _TextColumn = models.TextField[Any, Any]
else:
    _TextColumn = models.TextField


class _Sealed(_TextColumn):
    """The shared part: a text column of tokens; ``""`` in the column is the empty value."""

    def __init__(self, *args: Any, unreadable_is_empty: bool = False, **kwargs: Any) -> None:
        # A cache (the last check-in answer) may be dropped when its key is gone; a secret may not.
        self.unreadable_is_empty = unreadable_is_empty
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.unreadable_is_empty:
            kwargs["unreadable_is_empty"] = True
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        if not cls._meta.abstract and cls.__module__ != "__fake__":  # not migration state
            SEALED_FIELDS.append((cls, name))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"{self.model.__name__}.{self.name} is sealed: it cannot be filtered.")
        return super().get_lookup(lookup_name)

    def empty(self) -> Any:
        raise NotImplementedError

    def to_text(self, value: Any) -> str:
        raise NotImplementedError

    def from_text(self, text: str) -> Any:
        raise NotImplementedError

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        text = self.to_text(value)
        return seal(text) if text else ""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None if value is None else self.empty()
        try:
            return self.from_text(unseal(value, where=f"{self.model.__name__}.{self.name}"))
        except UnreadableSecret:
            if self.unreadable_is_empty:
                return self.empty()
            raise

    def to_python(self, value: Any) -> Any:
        """A value from a fixture (``loaddata``) is sealed: see ``value_to_string``."""
        if isinstance(value, str) and value.startswith(SERIALIZED_PREFIX):
            where = f"{self.model.__name__}.{self.name} in the fixture"
            try:
                return self.from_text(unseal(value[len(SERIALIZED_PREFIX) :], where=where))
            except UnreadableSecret as error:
                raise ValidationError(str(error), code="unreadable") from error
        return value

    def value_to_string(self, obj: models.Model) -> str:
        """For ``dumpdata``: the value sealed with the current first key, after a prefix, so a
        fixture holds no secret in clear and ``loaddata`` (with a key that opens it) gives back
        the same value."""
        value = self.value_from_object(obj)
        text = "" if value is None else self.to_text(value)
        return SERIALIZED_PREFIX + seal(text) if text else ""


class SealedTextField(_Sealed):
    """A secret string; ``""`` is stored as ``""`` (nothing to hide)."""

    if TYPE_CHECKING:
        _pyi_private_set_type: str
        _pyi_private_get_type: str

    def empty(self) -> str:
        return ""

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> str:
        return text


class SealedJSONField(_Sealed):
    """A secret JSON value; an empty dict or list is stored as ``""`` and read as ``{}``."""

    if TYPE_CHECKING:  # what django-stubs' plugin takes as the attribute's type
        _pyi_private_set_type: Any
        _pyi_private_get_type: Any

    def empty(self) -> dict[str, Any]:
        return {}

    def to_text(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True) if value else ""

    def from_text(self, text: str) -> Any:
        return json.loads(text)


def reseal_all(*, progress: Any = print, chunk: int = 500) -> int:
    """Seal every stored sealed value again with the first key, ``chunk`` rows per transaction;
    the number of values rewritten. An unreadable secret stops it with ``UnreadableSecret``
    (the rows before it are done, and open with the same keys as before)."""
    from django.db import transaction

    rewritten = 0
    for model, name in SEALED_FIELDS:
        label = f"{model._meta.label}.{name}"
        pks = list(
            model._default_manager.exclude(**{f"{name}__isnull": True})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(pks), chunk):
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update()
                    .filter(pk__in=pks[start : start + chunk])
                    .only("pk", name)
                )
                model._default_manager.bulk_update(rows, [name])
            rewritten += len(rows)
            progress(f"reseal: {label} {min(start + chunk, len(pks))}/{len(pks)}")
        if not pks:
            progress(f"reseal: {label} 0/0")
    return rewritten
