#!/usr/bin/env python3
"""Category harm weights from a force's own offence mix.

A police.uk category (e.g. "Violence and sexual offences") holds many
offences with very different harm (homicide 5475 CCHI days, harassment 10).
Its weight is therefore an average over the offences inside it, and the
right average is the force's own:

    weight(category) = sum over its offences o of count(o) * weight(o)
                       / sum over its offences o of count(o)

Usage:
    harm-category-weights.py OFFENCE_TABLE COUNTS > category_table.csv

OFFENCE_TABLE: a per-offence harm table (layers/harm/cchi_offences_example.csv
format): columns offence name or code, weight, unit, category, ...
COUNTS: CSV with columns offence (as in the table) and count (the force's
recorded offences over a period, e.g. a year).
Offences in COUNTS without a weight are listed on stderr and left out.
"""
import csv
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    cat_col = [h.lower() for h in head].index("category")
    unit_col = [h.lower() for h in head].index("unit") if "unit" in [h.lower() for h in head] else None
    weight = {r[0]: float(r[1]) for r in body}
    category = {r[0]: r[cat_col] for r in body}
    unit = body[0][unit_col] if unit_col is not None and body else "harm"
    num, den, missing = {}, {}, []
    with open(argv[2], newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            o, n = r["offence"], float(r["count"])
            if o not in weight:
                missing.append(o)
                continue
            c = category[o]
            num[c] = num.get(c, 0.0) + n * weight[o]
            den[c] = den.get(c, 0.0) + n
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["Crime type", "weight", "unit", "basis", "source"])
    for c in sorted(num):
        if den[c] > 0:
            out.writerow([c, "%.6g" % (num[c] / den[c]), unit,
                          "volume-weighted mean over %d recorded offences" % den[c],
                          "%s with the force's offence counts %s" % (argv[1], argv[2])])
    for o in missing:
        sys.stderr.write("no weight for offence '%s': left out\n" % o)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
