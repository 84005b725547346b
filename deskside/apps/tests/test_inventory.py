"""The device's installed applications: replaced by each report that carries an inventory
(only what changed is written), left alone when the report's inventory is null."""

from __future__ import annotations

from deskside.apps.models import DeviceInventoryItem
from deskside.apps.tests.helpers import answer_apps


def _items(device) -> dict[tuple[str, str, str], int]:  # type: ignore[no-untyped-def]
    return {
        (i.name, i.version, i.publisher): i.pk
        for i in DeviceInventoryItem.objects.filter(device=device)
    }


FIREFOX = {"name": "firefox-esr", "version": "115.12.0esr-1", "publisher": "Debian"}
VLC = {"name": "vlc", "version": "3.0.20-1", "publisher": "Debian"}
GIMP = {"name": "gimp", "version": "2.10.34-1", "publisher": "Debian"}


def test_the_first_inventory_is_stored(client, enrolled) -> None:
    answer_apps(client, enrolled.credential, inventory=[FIREFOX, VLC])
    assert set(_items(enrolled.device)) == {
        ("firefox-esr", "115.12.0esr-1", "Debian"),
        ("vlc", "3.0.20-1", "Debian"),
    }


def test_a_new_inventory_replaces_only_what_changed(client, enrolled) -> None:
    answer_apps(client, enrolled.credential, inventory=[FIREFOX, VLC])
    before = _items(enrolled.device)
    upgraded = {**VLC, "version": "3.0.21-1"}
    answer_apps(client, enrolled.credential, inventory=[FIREFOX, upgraded, GIMP])
    after = _items(enrolled.device)
    assert set(after) == {
        ("firefox-esr", "115.12.0esr-1", "Debian"),
        ("vlc", "3.0.21-1", "Debian"),
        ("gimp", "2.10.34-1", "Debian"),
    }
    # The unchanged row is the same row: it was neither deleted nor written again.
    key = ("firefox-esr", "115.12.0esr-1", "Debian")
    assert after[key] == before[key]


def test_a_null_inventory_leaves_the_list_unchanged(client, enrolled) -> None:
    answer_apps(client, enrolled.credential, inventory=[FIREFOX, VLC])
    before = _items(enrolled.device)
    answer_apps(client, enrolled.credential, inventory=None)
    assert _items(enrolled.device) == before


def test_an_empty_inventory_empties_the_list(client, enrolled) -> None:
    answer_apps(client, enrolled.credential, inventory=[FIREFOX, VLC])
    answer_apps(client, enrolled.credential, inventory=[])
    assert _items(enrolled.device) == {}


def test_the_same_application_listed_twice_is_stored_once(client, enrolled) -> None:
    answer_apps(client, enrolled.credential, inventory=[VLC, VLC, {"name": "vlc"}])
    assert set(_items(enrolled.device)) == {("vlc", "3.0.20-1", "Debian"), ("vlc", "", "")}


def test_a_large_inventory_is_written_in_bulk(client, enrolled, django_assert_max_num_queries):
    items = [{"name": f"lib{n}", "version": "1.0", "publisher": "Debian"} for n in range(3000)]
    with django_assert_max_num_queries(30):
        answer_apps(client, enrolled.credential, inventory=items)
    assert DeviceInventoryItem.objects.filter(device=enrolled.device).count() == 3000
    replaced = [{**item, "version": "1.1"} for item in items[:1500]] + items[1500:]
    with django_assert_max_num_queries(30):
        answer_apps(client, enrolled.credential, inventory=replaced)
    assert DeviceInventoryItem.objects.filter(version="1.1").count() == 1500
    assert DeviceInventoryItem.objects.filter(device=enrolled.device).count() == 3000


def test_each_device_keeps_its_own_inventory(client, enrollment, enrolled) -> None:
    from deskside.fleet.tests.checkins import enroll

    _other_id, other = enroll(client, serialNumber="PF-OTHER-2", deviceName="spare")
    answer_apps(client, enrolled.credential, inventory=[VLC])
    answer_apps(client, other, inventory=[GIMP])
    answer_apps(client, enrolled.credential, inventory=[])
    assert [i.name for i in DeviceInventoryItem.objects.all()] == ["gimp"]
