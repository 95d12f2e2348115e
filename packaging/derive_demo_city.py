"""Derive the compact demo-city dataset in resources/demo_city/ from ../shared/data.

Run from the project root:  .venv/bin/python packaging/derive_demo_city.py [SHARED_DATA_DIR]

The output is committed so the console runs without ../shared. Every row is a real fact from
the public sources credited in resources/demo_city/NOTICE.md; nothing is invented here.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "demo_city"
AQ_DAYS = 14


def _round_coords(coords, ndigits=5):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], ndigits), round(coords[1], ndigits)]
    return [_round_coords(c, ndigits) for c in coords]


def derive_cameras(src: Path) -> int:
    rows = list(csv.DictReader((src / "cameras" / "hcmc_traffic_cameras_2025.csv").open(encoding="utf-8")))
    with (OUT / "cameras.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "code", "name", "lat", "lon", "district", "direction", "ptz", "portal_status", "cam_type"])
        for r in rows:
            out.writerow(
                [
                    r["cam_id"],
                    r["code"].strip(),
                    r["name"].strip(),
                    round(float(r["lat"]), 6),
                    round(float(r["lon"]), 6),
                    r["district_2021_pip"] or r["portal_district"],
                    r["angle"],
                    r["ptz"] == "True",
                    r["portal_status"],
                    r["cam_type"],
                ]
            )
    return len(rows)


def derive_districts(src: Path) -> int:
    data = json.loads((src / "boundaries" / "hcmc_districts_2021_22units.geojson").read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f["properties"]["name"], "unit_type": f["properties"]["unit_type"]},
                "geometry": {"type": f["geometry"]["type"], "coordinates": _round_coords(f["geometry"]["coordinates"])},
            }
        )
    (OUT / "districts.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
    return len(features)


def derive_poi(src: Path) -> int:
    data = json.loads((src / "poi" / "hcmc_osm_poi_central_2025-11.geojson").read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        cats = f["properties"].get("category", [])
        kind = (
            "hospital"
            if "health" in cats
            else "school"
            if "education" in cats
            else "parking"
            if "parking" in cats
            else (cats[0] if cats else "poi")
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": f["properties"].get("name", ""),
                    "kind": kind,
                    "source": f["properties"].get("source", ""),
                },
                "geometry": {"type": "Point", "coordinates": _round_coords(f["geometry"]["coordinates"])},
            }
        )
    (OUT / "poi.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
    return len(features)


def derive_air_quality(src: Path) -> tuple[int, str]:
    aq = src / "air_quality"
    (OUT / "aq_stations.csv").write_text((aq / "healthyair_stations.csv").read_text(encoding="utf-8"), encoding="utf-8")
    rows = list(csv.DictReader((aq / "healthyair_hcmc_hourly_2021-02_2022-06.csv").open(encoding="utf-8")))
    for r in rows:
        r["_t"] = datetime.strptime(r["date"], "%d-%m-%Y %H:%M")
    # Choose the AQ_DAYS-day window where the most station-hours have a PM2.5 value, so the
    # replay shows all six stations with their real gaps and spikes.
    by_day = defaultdict(int)
    for r in rows:
        if r["PM2.5"]:
            by_day[r["_t"].date()] += 1
    days = sorted(by_day)
    best_start, best = days[0], -1
    for i in range(len(days) - AQ_DAYS):
        window = days[i : i + AQ_DAYS]
        if (window[-1] - window[0]).days != AQ_DAYS - 1:
            continue
        total = sum(by_day[d] for d in window)
        if total > best:
            best, best_start = total, window[0]
    chosen = [r for r in rows if 0 <= (r["_t"].date() - best_start).days < AQ_DAYS]
    chosen.sort(key=lambda r: (r["_t"], int(r["Station_No"])))
    cols = ["date", "Station_No", "PM2.5", "TSP", "NO2", "CO", "O3", "SO2", "Temperature", "Humidity"]
    with (OUT / "air_quality_hourly.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(cols)
        for r in chosen:
            out.writerow(
                [r["date"]] + [r[c] if c == "Station_No" else (f"{float(r[c]):.2f}" if r[c] else "") for c in cols[1:]]
            )
    return len(chosen), best_start.isoformat()


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    OUT.mkdir(parents=True, exist_ok=True)
    print("cameras", derive_cameras(src))
    print("districts", derive_districts(src))
    print("poi", derive_poi(src))
    print("air quality rows, window start", *derive_air_quality(src))


if __name__ == "__main__":
    main()
