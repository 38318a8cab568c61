#!/usr/bin/python3
"""National-scale synthetic workload: crime-like events and 30 risk-factor
point layers over England and Wales, in British National Grid (EPSG:27700).

Run:  python3 tools/gen_national.py OUTDIR [--events N] [--seed S]
Writes OUTDIR/events.csv (columns x,y) and OUTDIR/factors/f01_<name>.csv ..
f30_<name>.csv (columns x,y), coordinates in metres rounded to 0.1 m.
Deterministic: the same N and seed give the same bytes.

Extent: the bounding box x 130000..660000, y 0..660000 (England and Wales
and some sea); no land polygon is used - the events are drawn around real
town and city centres, so nearly all of them fall on land, but the grid is
the whole box (about 5.6e8 cells at 25 m). Draws outside the box are
redrawn.

Events (default 6,000,000), a mixture like recorded crime (concentrated at
a few places, around centres, with a thin spread elsewhere; Weisburd 2015,
"The law of crime concentration and the criminology of place",
Criminology 53(2)):
  25 % town-centre night-time economy: Gaussian of sd 250 m around the
       centre (sd grows as sqrt(population / 100k), at most 3x);
  30 % micro hot spots: each town has about one per 4,000 residents
       (at least 3) placed like the residential spread, events around them
       with sd 40 m; hot spots weighted by a Pareto(1.2) draw, so a few
       streets take much of the crime;
  38 % residential spread: Gaussian of sd 2.5 km x sqrt(population / 100k);
   7 % rural background: Gaussian of sd 20 km around the towns.
Towns are chosen with probability proportional to population.

Risk factors: 30 layers (pubs, takeaways, stations, ...), 2,000 to 40,000
points each (scaled with --events / 6e6, at least 200), around the same
centres, each with its own mix of centre share, spreads and a share of
background, and its own seed.

TOWNS: 125 centres of England and Wales with approximate British
National Grid coordinates of the town centre (rounded to 100 m - 1 km) and
approximate usual-resident populations of the built-up area (rounded,
order of the 2011 census built-up areas), entered by hand from public
gazetteer figures (Ordnance Survey grid references of the centres, ONS
built-up-area populations); they are approximate and only shape a
synthetic workload. London and the largest conurbations are split into
several centres.
"""
import argparse
import os
import sys

import numpy as np

XMIN, YMIN, XMAX, YMAX = 130000.0, 0.0, 660000.0, 660000.0

# name, easting, northing, population (approximate; see the docstring)
TOWNS = [
    ("Westminster", 529500, 180500, 900000), ("City of London", 532500, 181300, 500000),
    ("Camden", 529000, 184000, 400000), ("Stratford", 538500, 184500, 450000),
    ("Brixton", 531000, 175500, 450000), ("Hammersmith", 523000, 178500, 350000),
    ("Croydon", 532500, 165500, 400000), ("Ealing", 517800, 180600, 350000),
    ("Kingston", 518000, 169200, 250000), ("Romford", 551300, 188800, 300000),
    ("Harrow", 515300, 188600, 300000), ("Enfield", 533000, 196500, 300000),
    ("Bromley", 540500, 169200, 300000), ("Wood Green", 531000, 190500, 300000),
    ("Lewisham", 538000, 175500, 300000), ("Hounslow", 513500, 175800, 250000),
    ("Birmingham", 407000, 287000, 1100000), ("Wolverhampton", 391500, 298700, 250000),
    ("Walsall", 401200, 298700, 170000), ("West Bromwich", 400000, 291500, 170000),
    ("Dudley", 394300, 290400, 180000), ("Solihull", 415200, 279500, 120000),
    ("Coventry", 433400, 279000, 330000), ("Manchester", 384000, 398000, 550000),
    ("Salford", 381000, 399000, 200000), ("Stockport", 389700, 390400, 140000),
    ("Bolton", 371700, 409300, 190000), ("Oldham", 392500, 405000, 150000),
    ("Wigan", 358000, 405800, 100000), ("Rochdale", 389600, 413400, 110000),
    ("Liverpool", 335000, 390300, 500000), ("Birkenhead", 332500, 388700, 140000),
    ("St Helens", 351300, 395600, 100000), ("Warrington", 360700, 388200, 170000),
    ("Leeds", 430000, 433500, 750000), ("Bradford", 416300, 433000, 350000),
    ("Huddersfield", 414500, 416500, 160000), ("Wakefield", 433500, 420800, 100000),
    ("Halifax", 409300, 425200, 90000), ("Sheffield", 435300, 387300, 550000),
    ("Rotherham", 442800, 392800, 110000), ("Barnsley", 434500, 406500, 90000),
    ("Doncaster", 457500, 403200, 110000), ("York", 460300, 451900, 150000),
    ("Harrogate", 430500, 455500, 70000), ("Hull", 509000, 429000, 260000),
    ("Scarborough", 504500, 488500, 60000), ("Newcastle", 424800, 564200, 300000),
    ("Gateshead", 425800, 563000, 120000), ("Sunderland", 439700, 557000, 170000),
    ("Middlesbrough", 449500, 520000, 140000), ("Darlington", 428900, 514600, 100000),
    ("Durham", 427300, 542300, 50000), ("Carlisle", 340000, 555800, 75000),
    ("Berwick-upon-Tweed", 399600, 652900, 12000), ("Lancaster", 347700, 461800, 50000),
    ("Preston", 354000, 429500, 140000), ("Blackpool", 331000, 436000, 140000),
    ("Blackburn", 368300, 428000, 120000), ("Burnley", 384000, 432500, 75000),
    ("Chester", 340500, 366300, 80000), ("Stoke-on-Trent", 388000, 347000, 250000),
    ("Derby", 435300, 336300, 250000), ("Nottingham", 457000, 340000, 300000),
    ("Leicester", 458600, 304300, 330000), ("Lincoln", 497500, 371500, 100000),
    ("Grimsby", 527000, 409000, 90000), ("Shrewsbury", 349300, 312500, 70000),
    ("Telford", 369800, 308800, 140000), ("Worcester", 385000, 254800, 100000),
    ("Hereford", 351000, 240000, 60000), ("Gloucester", 383000, 218500, 130000),
    ("Cheltenham", 395000, 222000, 120000), ("Northampton", 475500, 260500, 210000),
    ("Peterborough", 519000, 298700, 180000), ("Milton Keynes", 485500, 238500, 230000),
    ("Bedford", 505000, 249700, 100000), ("Luton", 509000, 221500, 210000),
    ("Cambridge", 545000, 258500, 130000), ("Norwich", 623000, 308500, 140000),
    ("Great Yarmouth", 652500, 307500, 40000), ("King's Lynn", 562000, 320000, 40000),
    ("Ipswich", 616500, 244500, 130000), ("Colchester", 599700, 225300, 120000),
    ("Chelmsford", 570800, 207000, 110000), ("Southend-on-Sea", 588500, 186000, 170000),
    ("Watford", 511000, 196500, 130000), ("Oxford", 451300, 206300, 150000),
    ("Reading", 471500, 173500, 160000), ("Slough", 497800, 179800, 160000),
    ("Swindon", 415000, 185000, 180000), ("Bristol", 358800, 173000, 450000),
    ("Bath", 375000, 164800, 90000), ("Guildford", 499500, 149500, 80000),
    ("Basingstoke", 463700, 152000, 100000), ("Crawley", 527000, 136500, 110000),
    ("Maidstone", 575900, 155700, 110000), ("Canterbury", 615000, 157800, 55000),
    ("Dover", 632000, 141500, 30000), ("Brighton", 531000, 104500, 230000),
    ("Eastbourne", 561000, 99000, 100000), ("Hastings", 581400, 109500, 90000),
    ("Southampton", 442000, 112000, 250000), ("Portsmouth", 464000, 100500, 200000),
    ("Bournemouth", 408500, 91200, 180000), ("Salisbury", 414500, 130000, 40000),
    ("Exeter", 292000, 92500, 120000), ("Plymouth", 248000, 54500, 260000),
    ("Torquay", 291600, 63900, 65000), ("Taunton", 322800, 124600, 60000),
    ("Barnstaple", 256000, 133000, 30000), ("Truro", 182800, 44800, 20000),
    ("Penzance", 147500, 30200, 20000), ("Cardiff", 318500, 176500, 350000),
    ("Swansea", 265500, 193000, 240000), ("Newport", 331000, 188000, 150000),
    ("Bridgend", 290500, 180000, 50000), ("Merthyr Tydfil", 305000, 206000, 45000),
    ("Carmarthen", 241500, 220000, 15000), ("Haverfordwest", 195500, 215500, 13000),
    ("Aberystwyth", 258500, 281500, 19000), ("Newtown", 310800, 291500, 11000),
    ("Wrexham", 333500, 350200, 65000), ("Bangor", 258000, 372000, 18000),
    ("Llandudno", 278300, 382300, 20000),
]

# 30 risk-factor layers: name, points at 6e6 events, centre share, centre sd
# (m), residential sd (km at 100k), background share
FACTORS = [
    ("pubs", 40000, 0.45, 400, 2.5, 0.10), ("bars", 12000, 0.80, 250, 1.5, 0.01),
    ("nightclubs", 2000, 0.90, 200, 1.0, 0.00), ("takeaways", 30000, 0.40, 500, 2.5, 0.03),
    ("restaurants", 35000, 0.55, 400, 2.0, 0.05), ("off_licences", 15000, 0.25, 700, 2.5, 0.03),
    ("convenience", 25000, 0.20, 900, 2.8, 0.08), ("supermarkets", 6000, 0.25, 1200, 3.0, 0.05),
    ("pharmacies", 11000, 0.30, 800, 2.8, 0.05), ("banks_atms", 20000, 0.60, 350, 2.0, 0.04),
    ("pawn_cash", 3000, 0.70, 400, 1.8, 0.00), ("betting_shops", 8000, 0.60, 450, 2.0, 0.01),
    ("rail_stations", 2500, 0.30, 600, 4.0, 0.35), ("bus_stops", 40000, 0.15, 1000, 3.2, 0.20),
    ("metro_stops", 2000, 0.50, 800, 2.5, 0.00), ("car_parks", 18000, 0.45, 600, 2.5, 0.10),
    ("schools", 24000, 0.05, 1500, 3.0, 0.20), ("colleges", 3000, 0.40, 800, 2.5, 0.05),
    ("hostels", 2000, 0.70, 500, 2.0, 0.02), ("social_housing", 30000, 0.05, 1500, 2.2, 0.02),
    ("vacant_premises", 12000, 0.35, 700, 2.5, 0.05), ("hospitals", 2000, 0.35, 1500, 3.0, 0.10),
    ("gp_surgeries", 8000, 0.20, 1200, 3.0, 0.15), ("parks", 27000, 0.05, 1800, 3.5, 0.25),
    ("sports_venues", 5000, 0.15, 1800, 3.5, 0.15), ("shopping_centres", 2000, 0.85, 300, 2.0, 0.00),
    ("hotels", 10000, 0.55, 500, 2.5, 0.20), ("petrol_stations", 8000, 0.10, 2000, 3.5, 0.30),
    ("churches", 30000, 0.20, 1000, 3.0, 0.35), ("street_lights_out", 20000, 0.10, 1300, 2.6, 0.05),
]


def town_arrays():
    xy = np.array([(t[1], t[2]) for t in TOWNS], dtype=float)
    pop = np.array([t[3] for t in TOWNS], dtype=float)
    return xy, pop


def inside(p):
    return (p[:, 0] > XMIN) & (p[:, 0] < XMAX) & (p[:, 1] > YMIN) & (p[:, 1] < YMAX)


def around(rng, centres, sd, n_max=1000):
    """Gaussian draws around centres (k x 2) with per-row sd, redrawn while
    outside the box (bounded: at most n_max rounds)."""
    p = centres + rng.standard_normal(centres.shape) * sd[:, None]
    for _ in range(n_max):
        bad = ~inside(p)
        if not bad.any():
            return p
        p[bad] = centres[bad] + rng.standard_normal((int(bad.sum()), 2)) * sd[bad, None]
    sys.exit("gen_national: draws keep falling outside the box")


def scale(pop):
    return np.sqrt(pop / 1e5)


def hotspots(rng, xy, pop):
    """Micro hot spots per town: positions like the residential spread,
    Pareto weights. Returns (centres k x 2, weights k)."""
    per = np.maximum(3, (pop / 4000).astype(int))
    town = np.repeat(np.arange(len(pop)), per)
    c = around(rng, xy[town], 2500.0 * scale(pop[town]))
    w = rng.pareto(1.2, len(town)) + 1.0
    w *= np.repeat(pop / per, per)  # a town's hot spots share its population
    return c, w / w.sum()


def events(rng, n, xy, pop):
    ptown = pop / pop.sum()
    share = np.array([0.25, 0.30, 0.38, 0.07])
    k = rng.multinomial(n, share)
    s = scale(pop)
    parts = []
    t = rng.choice(len(pop), k[0], p=ptown)  # night-time economy
    parts.append(around(rng, xy[t], 250.0 * np.minimum(np.maximum(s[t], 0.5), 3.0)))
    hc, hw = hotspots(rng, xy, pop)  # micro hot spots
    h = rng.choice(len(hw), k[1], p=hw)
    parts.append(around(rng, hc[h], np.full(k[1], 40.0)))
    t = rng.choice(len(pop), k[2], p=ptown)  # residential
    parts.append(around(rng, xy[t], 2500.0 * s[t]))
    t = rng.choice(len(pop), k[3], p=ptown)  # rural background
    parts.append(around(rng, xy[t], np.full(k[3], 20000.0)))
    p = np.concatenate(parts)
    return p[rng.permutation(len(p))]


def factor(rng, n, spec, xy, pop):
    _, _, cshare, csd, rsd_km, bg = spec
    ptown = pop / pop.sum()
    k = rng.multinomial(n, [cshare, 1.0 - cshare - bg, bg])
    s = scale(pop)
    t0, t1, t2 = (rng.choice(len(pop), m, p=ptown) for m in k)
    p = np.concatenate([around(rng, xy[t0], csd * np.minimum(np.maximum(s[t0], 0.5), 3.0)),
                        around(rng, xy[t1], rsd_km * 1000.0 * s[t1]),
                        around(rng, xy[t2], np.full(k[2], 20000.0))])
    return p[rng.permutation(len(p))]


def write_csv(path, p):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("x,y\n")
        step = 1_000_000
        for i in range(0, len(p), step):  # bounded: len(p) / step chunks
            q = np.round(p[i:i + step], 1)
            f.write("\n".join("%.1f,%.1f" % (a, b) for a, b in q))
            f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--events", type=int, default=6_000_000)
    ap.add_argument("--seed", type=int, default=20261206)
    a = ap.parse_args()
    if a.events < 1000:
        sys.exit("gen_national: --events must be at least 1000")
    xy, pop = town_arrays()
    os.makedirs(os.path.join(a.outdir, "factors"), exist_ok=True)
    rng = np.random.default_rng(a.seed)
    write_csv(os.path.join(a.outdir, "events.csv"), events(rng, a.events, xy, pop))
    f = a.events / 6e6
    for i, spec in enumerate(FACTORS):
        frng = np.random.default_rng([a.seed, i + 1])
        n = max(200, int(round(spec[1] * f)))
        name = "f%02d_%s.csv" % (i + 1, spec[0])
        write_csv(os.path.join(a.outdir, "factors", name), factor(frng, n, spec, xy, pop))
    print("gen_national: %d events, %d towns, %d factor layers in %s (seed %d)"
          % (a.events, len(TOWNS), len(FACTORS), a.outdir, a.seed))


if __name__ == "__main__":
    main()
