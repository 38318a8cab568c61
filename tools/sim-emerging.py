#!/usr/bin/env python3
"""sim-emerging.py: simulated day-dated events with known emerging hot spots,
for testing and demonstrating `rtm emerging` (police.uk data have months
only; week steps need days).

Events in a square of SIZE metres (British National Grid, EPSG:27700) from
START (a Monday) over WEEKS weeks:
  - background: Poisson(BACKGROUND) events per week, uniform over the square;
  - a persistent cluster: Poisson(PERSISTENT) events per week, every week,
    within 100 m of (x0 + 0.25 SIZE, y0 + 0.25 SIZE);
  - an emerging cluster: nothing until the last EMERGE weeks, then
    Poisson(EMERGING) events per week within 100 m of the centre of the square.
With the defaults and `rtm emerging --step week --resolution 100 --band 150`
the persistent cluster's centre cell is a persistent hot spot and the emerging
cluster's a consecutive hot spot (a run of hot weeks ending in the last week,
never hot before). Same seed, same file.

Usage: sim-emerging.py [--seed N] [--weeks W] [--emerge K] [--out FILE]
Columns: Easting, Northing, Date (YYYY-MM-DD), Crime type.
"""
import argparse
import datetime
import math
import random


def poisson(rng, lam):
    """Knuth's multiplication method (small lam)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def disc(rng, cx, cy, r):
    """A point uniform in the disc of radius r around (cx, cy)."""
    while True:
        dx, dy = rng.uniform(-r, r), rng.uniform(-r, r)
        if dx * dx + dy * dy <= r * r:
            return cx + dx, cy + dy


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--emerge", type=int, default=4)
    ap.add_argument("--start", default="2024-01-01")
    ap.add_argument("--x0", type=float, default=570000)
    ap.add_argument("--y0", type=float, default=205000)
    ap.add_argument("--size", type=float, default=3000)
    ap.add_argument("--background", type=float, default=60)
    ap.add_argument("--persistent", type=float, default=8)
    ap.add_argument("--emerging", type=float, default=10)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime.date.fromisoformat(a.start)
    if start.weekday() != 0:
        ap.error("--start must be a Monday")
    rows = []
    pc = (a.x0 + 0.25 * a.size, a.y0 + 0.25 * a.size)
    ec = (a.x0 + 0.5 * a.size, a.y0 + 0.5 * a.size)
    for w in range(a.weeks):
        def day():
            return start + datetime.timedelta(days=7 * w + rng.randrange(7))
        for _ in range(poisson(rng, a.background)):
            rows.append((a.x0 + rng.uniform(0, a.size), a.y0 + rng.uniform(0, a.size), day(),
                         "background"))
        for _ in range(poisson(rng, a.persistent)):
            rows.append(disc(rng, *pc, 100) + (day(), "persistent"))
        if w >= a.weeks - a.emerge:
            for _ in range(poisson(rng, a.emerging)):
                rows.append(disc(rng, *ec, 100) + (day(), "emerging"))
    out = open(a.out, "w") if a.out != "-" else None
    lines = ["Easting,Northing,Date,Crime type"]
    lines += ["%.1f,%.1f,%s,%s" % (x, y, d.isoformat(), c) for x, y, d, c in rows]
    text = "\n".join(lines) + "\n"
    if out:
        out.write(text)
        out.close()
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
