"""Benchmark data: a tenant with groups, users and enrolled devices, made through the services.

Run inside Django (``bench/checkin_rate.py`` does): ``python -m bench.seed --devices N --out F``.
Writes, for each device, what its agent would hold: the credential and its facts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    django.setup()
    from bench.fleet import seed_fleet

    devices = seed_fleet(count=args.devices, progress=sys.stderr)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(devices, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
