#!/usr/bin/env python3
"""sim_near_repeat.py: seeded simulated burglaries with day-level dates and
times of day, for the tests and the benchmark of `rtm knox` / `rtm repeats`.

  sim_near_repeat.py N SEED [--box M] [--days D] [--repeat-share S]
                     [--repeat-distance R] [--repeat-days T] > events.csv

Background events are uniform in an M x M m box of EPSG:27700 from
(530000, 170000) and uniform over D days from 2023-01-01. With
--repeat-share S > 0, that share of the events is planted as near repeats:
each copies a random earlier event and is moved uniformly within R m
(a disc) and 1..T days later - the known truth: Knox ratios above 1 in the
bands within R m and T days, about 1 elsewhere. S = 0 is the null (space and
time independent). Times of day: 18:00-06:00 for 60 % of events, otherwise
uniform. Columns: x, y, Date (YYYY-MM-DD), Time (HH:MM), Location.
"""
import argparse, datetime, math, random, sys

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("seed", type=int)
ap.add_argument("--box", type=float, default=20000)
ap.add_argument("--days", type=int, default=730)
ap.add_argument("--repeat-share", type=float, default=0.0)
ap.add_argument("--repeat-distance", type=float, default=200)
ap.add_argument("--repeat-days", type=int, default=14)
a = ap.parse_args()
rng = random.Random(a.seed)
start = datetime.date(2023, 1, 1)
ev = []
for i in range(a.n):
    if ev and rng.random() < a.repeat_share:
        x0, y0, d0 = ev[rng.randrange(len(ev))]
        r = a.repeat_distance * math.sqrt(rng.random())
        th = rng.random() * 2 * math.pi
        x, y = x0 + r * math.cos(th), y0 + r * math.sin(th)
        d = d0 + rng.randint(1, a.repeat_days)
    else:
        x = 530000 + rng.random() * a.box
        y = 170000 + rng.random() * a.box
        d = rng.randrange(a.days)
    ev.append((x, y, d))
out = sys.stdout
out.write("x,y,Date,Time,Location\n")
for i, (x, y, d) in enumerate(ev):
    if rng.random() < 0.6:
        m = (18 * 60 + rng.randrange(12 * 60)) % 1440
    else:
        m = rng.randrange(1440)
    date = start + datetime.timedelta(days=d)
    out.write("%.1f,%.1f,%s,%02d:%02d,On or near street %d\n"
              % (x, y, date.isoformat(), m // 60, m % 60, int(x // 250) * 100 + int(y // 250) % 100))
