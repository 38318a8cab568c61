#!/usr/bin/python3
"""Deterministic synthetic point generator for the crime-hotspot benchmark anchors.

Box: British National Grid (EPSG:27700), 60 km x 60 km, origin (560000, 180000),
i.e. x in [560000, 620000), y in [180000, 240000).

offences_large.csv : 1,000,000 offences = 80% mixture of 200 isotropic Gaussian
                     clusters (sd 100..800 m) + 20% uniform background.
offences_small.csv : the first 10,000 rows of offences_large (the large set is
                     shuffled, so this is a random subsample of the same process).
pubs.csv           : 3,000 'risk setting' points (pubs) clustered in 25 town
                     centres (chosen among the heaviest offence clusters) + 10%
                     scattered uniformly.
Coordinates are rounded to 0.01 m (so CSV text == GeoPackage doubles exactly).
All points lie strictly inside the box (draws outside are rejected and redrawn).
Run:  /usr/bin/python3 tools/gen_points.py [outdir]   (default: bench-out/)
"""
import os, sys, hashlib
import numpy as np

SEED = 20240611
X0, Y0, W = 560000.0, 180000.0, 60000.0
N_LARGE, N_SMALL, N_PUBS = 1_000_000, 10_000, 3_000
N_CLUST, BG_FRAC = 200, 0.20
N_TOWNS = 25


def inside(x, y):
    return (x > X0) & (x < X0 + W) & (y > Y0) & (y < Y0 + W)


def draw_mixture(rng, n, cx, cy, sd, w):
    """n points from a Gaussian mixture, rejecting draws outside the box."""
    outx, outy, have = [], [], 0
    while have < n:
        m = int((n - have) * 1.1) + 100
        k = rng.choice(len(w), size=m, p=w)
        x = cx[k] + sd[k] * rng.standard_normal(m)
        y = cy[k] + sd[k] * rng.standard_normal(m)
        ok = inside(x, y)
        outx.append(x[ok]); outy.append(y[ok]); have += int(ok.sum())
    return np.concatenate(outx)[:n], np.concatenate(outy)[:n]


def draw_uniform(rng, n):
    x = X0 + W * rng.random(n)
    y = Y0 + W * rng.random(n)
    # rounding below can only push to X0+W when u ~ 1-1e-12; clamp defensively
    return x, y


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench-out')
    os.makedirs(out, exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(SEED))

    # cluster structure (shared by offences and pubs)
    cx = X0 + 2000 + (W - 4000) * rng.random(N_CLUST)
    cy = Y0 + 2000 + (W - 4000) * rng.random(N_CLUST)
    sd = 100.0 + 700.0 * rng.random(N_CLUST)
    w = rng.lognormal(mean=0.0, sigma=1.0, size=N_CLUST)
    w /= w.sum()

    # offences (LARGE), then shuffle; SMALL = first N_SMALL rows
    n_bg = int(round(BG_FRAC * N_LARGE))
    mx, my = draw_mixture(rng, N_LARGE - n_bg, cx, cy, sd, w)
    ux, uy = draw_uniform(rng, n_bg)
    ox = np.concatenate([mx, ux]); oy = np.concatenate([my, uy])
    perm = rng.permutation(N_LARGE)
    ox, oy = ox[perm], oy[perm]

    # pubs: town centres = the N_TOWNS heaviest clusters, spread 300..1200 m
    towns = np.argsort(-w)[:N_TOWNS]
    tw = w[towns] / w[towns].sum()
    tsd = 300.0 + 900.0 * rng.random(N_TOWNS)
    n_rural = int(round(0.10 * N_PUBS))
    px, py = draw_mixture(rng, N_PUBS - n_rural, cx[towns], cy[towns], tsd, tw)
    rx, ry = draw_uniform(rng, n_rural)
    px = np.concatenate([px, rx]); py = np.concatenate([py, ry])
    pp = rng.permutation(N_PUBS)
    px, py = px[pp], py[pp]

    def rnd(a):
        a = np.round(a, 2)
        return a

    sets = {
        'offences_large': (rnd(ox), rnd(oy)),
        'offences_small': (rnd(ox[:N_SMALL]), rnd(oy[:N_SMALL])),
        'pubs': (rnd(px), rnd(py)),
    }
    for name, (x, y) in sets.items():
        assert inside(x, y).all(), name
        path = os.path.join(out, name + '.csv')
        with open(path, 'w') as f:
            f.write('x,y\n')
            np.savetxt(f, np.column_stack([x, y]), fmt='%.2f', delimiter=',')
        h = hashlib.sha256(open(path, 'rb').read()).hexdigest()
        print(f'{path}\t{len(x)}\tsha256={h}')
    # cluster parameters, for documentation
    np.savetxt(os.path.join(out, 'clusters.csv'), np.column_stack([cx, cy, sd, w]),
               fmt=['%.2f', '%.2f', '%.2f', '%.8f'], delimiter=',', header='cx,cy,sd,weight', comments='')


if __name__ == '__main__':
    main()
