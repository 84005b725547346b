"""Read a keyfile with GLib's own GKeyFile parser (the one NetworkManager uses), through ctypes:
the tests check the agent's files against the real syntax, not against the agent's own reader."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

import pytest


def _glib() -> ctypes.CDLL:
    name = ctypes.util.find_library("glib-2.0")
    if name is None:
        pytest.skip("GLib is not installed")
    lib = ctypes.CDLL(name)
    lib.g_key_file_new.restype = ctypes.c_void_p
    lib.g_key_file_free.argtypes = [ctypes.c_void_p]
    lib.g_key_file_load_from_data.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    lib.g_key_file_get_groups.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.g_key_file_get_groups.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.g_key_file_get_keys.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.g_key_file_get_keys.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    lib.g_key_file_get_string.restype = ctypes.c_void_p
    lib.g_key_file_get_string.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    lib.g_free.argtypes = [ctypes.c_void_p]
    return lib


def _strv(pointer: ctypes._Pointer[ctypes.c_char_p]) -> list[str]:
    values = []
    index = 0
    while pointer[index] is not None:
        values.append(pointer[index].decode())
        index += 1
    return values


def glib_keyfile(path: Path) -> dict[str, dict[str, str]]:
    """Every group and key of the file as GLib parses it (``g_key_file_get_string``); fails the
    test when GLib refuses the file or a value's escapes."""
    lib = _glib()
    data = path.read_bytes()
    keyfile = lib.g_key_file_new()
    try:
        error = ctypes.c_void_p()
        if not lib.g_key_file_load_from_data(keyfile, data, len(data), 0, ctypes.byref(error)):
            pytest.fail(f"GLib refuses {path}")
        parsed: dict[str, dict[str, str]] = {}
        for group in _strv(lib.g_key_file_get_groups(keyfile, None)):
            error = ctypes.c_void_p()
            keys = _strv(
                lib.g_key_file_get_keys(keyfile, group.encode(), None, ctypes.byref(error))
            )
            parsed[group] = {}
            for key in keys:
                error = ctypes.c_void_p()
                value = lib.g_key_file_get_string(
                    keyfile, group.encode(), key.encode(), ctypes.byref(error)
                )
                if error.value:
                    pytest.fail(f"GLib refuses the value of {group}.{key} in {path}")
                parsed[group][key] = ctypes.string_at(value).decode()
                lib.g_free(value)
        return parsed
    finally:
        lib.g_key_file_free(keyfile)
