#!/usr/bin/env python3
"""sim_trial.py: a simulated hot-spot patrol trial with a known effect.

Given patrol places (a GeoPackage from `rtm places`, or GeoJSON polygons), a
schedule (`rtm trial design`'s schedule.csv: date,place,arm) and a true rate
ratio, draw day-dated events inside the places and in a ring around them:

  events at place i on day d ~ Poisson(base_i x (rr if patrolled else 1))
  events in its ring          ~ Poisson(ring_base_i x (ring_rr if patrolled else 1))

base_i is --rate scaled by the place's `events` field (relative to the mean;
equal rates when the field is absent), ring_base_i likewise with --ring-rate.
--overdispersion K multiplies each place-day's rate by a Gamma(K, 1/K) draw
(negative binomial counts, Var = mu + mu^2/K). Points are uniform inside the
polygon, or in the band INNER < distance to the edge <= OUTER outside every
place. Optionally a dosage.csv consistent with a compliance rate (as
`rtm dosage` writes it: place,date,minutes,visits,devices; place-days with no
presence are left out). Seeded: the same arguments give the same bytes.

Writes EVENTS.csv with columns x,y,date,crime_type,truth (truth: 'place:ID',
'ring:ID'), coordinates in the places' CRS (printed; give it to rtm with
--src-crs). Python standard library only.

Example:
  tools/sim_trial.py --places out/places.gpkg --schedule trial/schedule.csv \\
      --rr 0.75 --rate 0.2 --seed 1 --events sim/events.csv --dosage sim/dosage.csv
"""
import argparse
import csv
import json
import math
import random
import sqlite3
import struct
import sys

CRIME_TYPES = [("Violence and sexual offences", 0.6), ("Robbery", 0.1), ("Drugs", 0.3)]


# ---- places ---------------------------------------------------------------

def wkb_polygons(b, off=0):
    """Polygons (lists of rings of (x, y)) of a WKB Polygon or MultiPolygon;
    returns (polygons, offset after)."""
    order = '<' if b[off] == 1 else '>'
    (gtype,) = struct.unpack_from(order + 'I', b, off + 1)
    off += 5
    code = gtype & 0x0fffffff  # ISO Z/M codes (1003, 2003, 3003), EWKB flag bits
    base, iso = code % 1000, code // 1000
    dims = 2 + (iso in (1, 3) or bool(gtype & 0x80000000)) + (iso in (2, 3) or
                                                              bool(gtype & 0x40000000))
    if base == 3:
        (nr,) = struct.unpack_from(order + 'I', b, off)
        off += 4
        rings = []
        for _ in range(nr):
            (npt,) = struct.unpack_from(order + 'I', b, off)
            off += 4
            pts = []
            for _ in range(npt):
                xy = struct.unpack_from(order + 'd' * dims, b, off)
                pts.append((xy[0], xy[1]))
                off += 8 * dims
            rings.append(pts)
        return [rings], off
    if base == 6:
        (n,) = struct.unpack_from(order + 'I', b, off)
        off += 4
        polys = []
        for _ in range(n):
            p, off = wkb_polygons(b, off)
            polys += p
        return polys, off
    raise ValueError("not a polygon (WKB type %d)" % gtype)


def gpkg_blob(blob):
    """The WKB inside a GeoPackage geometry blob (GeoPackage 1.3, sec. 2.1.3)."""
    if blob[:2] != b'GP':
        raise ValueError("not a GeoPackage geometry")
    env = (blob[3] >> 1) & 7
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[env]
    return wkb_polygons(bytes(blob[8 + size:]))[0]


def read_gpkg(path):
    con = sqlite3.connect(path)
    table, col, srs = con.execute(
        "select c.table_name, g.column_name, g.srs_id from gpkg_contents c join "
        "gpkg_geometry_columns g on g.table_name = c.table_name where c.data_type = "
        "'features' limit 1").fetchone()
    org = con.execute("select organization, organization_coordsys_id from "
                      "gpkg_spatial_ref_sys where srs_id = ?", (srs,)).fetchone()
    cols = [r[1] for r in con.execute('pragma table_info("%s")' % table)]
    rows = con.execute('select * from "%s"' % table).fetchall()
    places = []
    for fid, r in enumerate(rows):
        rec = dict(zip(cols, r))
        places.append(make_place(rec, gpkg_blob(rec[col]), fid + 1))
    crs = "%s:%s" % (org[0].upper(), org[1]) if org else ""
    return places, crs


def read_geojson(path):
    with open(path) as f:
        doc = json.load(f)
    places = []
    for fid, ft in enumerate(doc["features"]):
        g = ft["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        polys = [[[(p[0], p[1]) for p in ring] for ring in poly] for poly in polys]
        places.append(make_place(ft.get("properties") or {}, polys, fid))
    crs = doc.get("crs", {}).get("properties", {}).get("name", "")
    return places, crs


def make_place(rec, polys, fid):
    pid = rec.get("place", fid)
    if isinstance(pid, float) and pid == int(pid):
        pid = int(pid)
    rings = [ring for poly in polys for ring in poly]
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    ev = rec.get("events")
    return {"id": str(pid), "rings": rings, "bbox": (min(xs), min(ys), max(xs), max(ys)),
            "events": float(ev) if ev is not None else None}


def inside(pl, x, y):
    c = False
    for r in pl["rings"]:
        n = len(r)
        for k in range(n):
            (ax, ay), (bx, by) = r[k], r[(k + 1) % n]
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                c = not c
    return c


def edge_distance(pl, x, y):
    d = math.inf
    for r in pl["rings"]:
        n = len(r)
        for k in range(n):
            (ax, ay), (bx, by) = r[k], r[(k + 1) % n]
            dx, dy = bx - ax, by - ay
            l2 = dx * dx + dy * dy
            t = 0 if l2 == 0 else max(0, min(1, ((x - ax) * dx + (y - ay) * dy) / l2))
            d = min(d, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return d


# ---- draws ----------------------------------------------------------------

def poisson(rng, lam):
    """Knuth's multiplication method, in chunks of 30 for large means."""
    k = 0
    while lam > 30:
        k += poisson(rng, 30)
        lam -= 30
    limit, p, n = math.exp(-lam), 1.0, 0
    while True:
        p *= rng.random()
        if p <= limit:
            return k + n
        n += 1


def point_in_place(rng, pl):
    x0, y0, x1, y1 = pl["bbox"]
    for _ in range(100000):
        x, y = x0 + (x1 - x0) * rng.random(), y0 + (y1 - y0) * rng.random()
        x, y = round(x, 2), round(y, 2)  # as written: never on an edge after rounding
        if inside(pl, x, y) and edge_distance(pl, x, y) >= 0.01:
            return x, y
    raise RuntimeError("cannot draw a point inside place %s" % pl["id"])


def point_in_ring(rng, pl, places, inner, outer):
    x0, y0, x1, y1 = pl["bbox"]
    x0, y0, x1, y1 = x0 - outer, y0 - outer, x1 + outer, y1 + outer
    for _ in range(100000):
        x, y = x0 + (x1 - x0) * rng.random(), y0 + (y1 - y0) * rng.random()
        x, y = round(x, 2), round(y, 2)  # as written: never on an edge after rounding
        if inside(pl, x, y):
            continue
        d = edge_distance(pl, x, y)
        if inner < d <= outer and not any(inside(q, x, y) or edge_distance(q, x, y) < 0.01
                                          for q in places if q is not pl):
            return x, y
    raise RuntimeError("cannot draw a point in the ring of place %s" % pl["id"])


def crime_type(rng):
    u, acc = rng.random(), 0.0
    for name, p in CRIME_TYPES:
        acc += p
        if u < acc:
            return name
    return CRIME_TYPES[-1][0]


def base_rates(places, rate):
    ev = [p["events"] for p in places]
    if any(e is None for e in ev) or sum(ev) <= 0:
        return [rate] * len(places)
    mean = sum(ev) / len(ev)
    return [rate * e / mean for e in ev]


def read_schedule(path):
    with open(path, newline="") as f:
        return [(r["date"], str(r["place"]).strip(), r["arm"].strip()) for r in csv.DictReader(f)]


def dosage_row(rng, arm, compliance, control_minutes):
    """Minutes and visits of one place-day: a 15-20 minute patrol on a
    delivered treatment day (Southend's dosage), otherwise background
    presence with mean control_minutes (Basford et al.: about 2)."""
    if arm == "treatment" and rng.random() < compliance:
        return 15 + 5 * rng.random(), 1
    if rng.random() < 0.5:
        return 0.0, 0
    return rng.expovariate(1 / (2 * control_minutes)), 1


def simulate(a):
    places, crs = (read_gpkg if a.places.endswith(".gpkg") else read_geojson)(a.places)
    by_id = {p["id"]: p for p in places}
    rng = random.Random(a.seed)
    base = dict(zip((p["id"] for p in places), base_rates(places, a.rate)))
    ring_rate = a.rate if a.ring_rate is None else a.ring_rate
    ring_base = dict(zip((p["id"] for p in places), base_rates(places, ring_rate)))
    inner, outer = a.ring
    events, dose, truth = [], [], {"treatment": 0, "control": 0, "ring_treatment": 0,
                                   "ring_control": 0}
    for date, pid, arm in read_schedule(a.schedule):
        pl = by_id.get(pid)
        if pl is None:
            sys.exit("sim_trial: schedule place '%s' is not in %s" % (pid, a.places))
        f = rng.gammavariate(a.overdispersion, 1 / a.overdispersion) if a.overdispersion else 1
        treat = arm == "treatment"
        n = poisson(rng, base[pid] * f * (a.rr if treat else 1))
        m = poisson(rng, ring_base[pid] * f * (a.ring_rr if treat else 1)) if outer > 0 else 0
        truth[arm] += n
        truth["ring_" + arm] += m
        for _ in range(n):
            x, y = point_in_place(rng, pl)
            events.append((x, y, date, crime_type(rng), "place:" + pid))
        for _ in range(m):
            x, y = point_in_ring(rng, pl, places, inner, outer)
            events.append((x, y, date, crime_type(rng), "ring:" + pid))
        minutes, visits = dosage_row(rng, arm, a.compliance, a.control_minutes)
        if minutes > 0:
            dose.append((pid, date, minutes, visits, 1 if visits else 0))
    return events, dose, truth, crs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--places", required=True, help="places.gpkg or GeoJSON polygons")
    ap.add_argument("--schedule", required=True, help="schedule.csv (date,place,arm)")
    ap.add_argument("--rr", type=float, required=True, help="true rate ratio in the places")
    ap.add_argument("--ring-rr", type=float, default=1.0, help="true rate ratio in the rings")
    ap.add_argument("--rate", type=float, default=0.2, help="mean events per place-day")
    ap.add_argument("--ring-rate", type=float, help="mean ring events per place-day (= rate)")
    ap.add_argument("--ring", default="0,150", help="INNER,OUTER metres beyond the edge")
    ap.add_argument("--overdispersion", type=float, default=0, help="gamma shape K (0: none)")
    ap.add_argument("--compliance", type=float, default=0.98, help="delivered patrol days")
    ap.add_argument("--control-minutes", type=float, default=2, help="background minutes")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--events", required=True, help="events CSV to write")
    ap.add_argument("--dosage", help="dosage CSV to write")
    a = ap.parse_args()
    a.ring = tuple(float(v) for v in a.ring.split(","))
    if len(a.ring) == 1:
        a.ring = (0.0, a.ring[0])
    events, dose, truth, crs = simulate(a)
    with open(a.events, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["x", "y", "date", "crime_type", "truth"])
        for x, y, d, t, tr in events:
            w.writerow(["%.2f" % x, "%.2f" % y, d, t, tr])
    if a.dosage:
        with open(a.dosage, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["place", "date", "minutes", "visits", "devices"])
            for pid, d, m, v, dv in dose:
                w.writerow([pid, d, "%.2f" % m, v, dv])
    print("sim_trial: %d events (%d on treatment, %d on control place-days; ring %d/%d), "
          "CRS %s" % (len(events), truth["treatment"], truth["control"],
                      truth["ring_treatment"], truth["ring_control"], crs or "unknown"))


if __name__ == "__main__":
    main()
