#!/usr/bin/env python3
"""check-deps.py: the library's file dependencies follow the data flow.

    tools/check-deps.py [--root DIR] [--obj DIR] [--allow FILE]

Builds the graph "file A depends on file B" over the sources of the library
and the CLI (DIR/rtm/<stage>/*.c, *.h) and the public headers
(DIR/include/rtm.h, DIR/include/rtm/*.h) from
  - #include "..." and #include <rtm...> lines, resolved against the
    including file's folder, then include/, then rtm/ (the build's -I
    order); system headers are not files of the graph;
  - symbols: nm on the compiled objects (OBJ/<stage>/<name>.o, default
    DIR/build/obj): A depends on B when A's object references (U) a symbol
    that B's object defines (T, D, B, R, G, S, V, W).
and fails (exit 1) on
  1. a file of a lower stage that includes a header of, or references a
     symbol defined in, a higher stage. The stages, low to high:
       core input surface model evaluate output product job run cli
     A public header belongs to the stage it is named after
     (include/rtm/<stage>.h; error.h and grid.h: core; glm.h: model; the
     umbrella include/rtm.h: above every library stage, cli only);
  2. a cycle between files (a strongly connected component of more than one
     file), printed with the includes and symbols that tie it, unless the
     allowlist covers it;
  3. a cycle between stage folders.
The allowlist (default DIR/tools/deps-allow.txt) holds the known exceptions
being fixed, one a line, each with its reason ('#' starts a comment):
  cycle PATTERN... -- why   a file cycle whose files all match the patterns;
  edge FROM TO -- why       dependencies of files matching FROM on files
                            matching TO against the stage order (they are
                            also left out of the folder graph).
Patterns are shell patterns on paths such as rtm/run/run_*.c. A line that
no longer matches anything is reported, so the list can only shrink.
Exit 2 when the tree cannot be read (no objects: build first).
"""
import fnmatch
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
from c_lexer import blank  # noqa: E402 (tools/c_lexer.py)

STAGES = ["core", "input", "surface", "model", "evaluate", "output", "product", "job", "run",
          "cli"]
HEADER_STAGE = {"error": "core", "grid": "core", "glm": "model",
                "evaluate_truth": "evaluate", "kde_plus": "surface", "model_tiles": "model"}
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)
DEFINED = set("TDBRGSVW")


class Graph:
    """Files, their stage, and edges file -> {file: set of reasons}."""

    def __init__(self):
        self.stage = {}
        self.edges = {}

    def add_file(self, path, stage):
        self.stage[path] = stage
        self.edges.setdefault(path, {})

    def add_edge(self, a, b, why):
        if a != b:
            self.edges[a].setdefault(b, set()).add(why)


def stage_rank(stage):
    """Position in the data flow; the umbrella header sits just below cli."""
    return STAGES.index("cli") - 0.5 if stage == "umbrella" else STAGES.index(stage)


def public_header_stage(name):
    base = os.path.splitext(os.path.basename(name))[0]
    return HEADER_STAGE.get(base, base if base in STAGES else None)


def source_files(root):
    """{path relative to root: stage} for rtm/<stage>/* and include/."""
    files, unknown = {}, []
    rtm = os.path.join(root, "rtm")
    for folder in sorted(os.listdir(rtm)):
        if not os.path.isdir(os.path.join(rtm, folder)):
            continue
        if folder not in STAGES:
            unknown.append("rtm/%s/" % folder)
            continue
        for f in sorted(os.listdir(os.path.join(rtm, folder))):
            if f.endswith((".c", ".h")):
                files["rtm/%s/%s" % (folder, f)] = folder
    if os.path.exists(os.path.join(root, "include/rtm.h")):
        files["include/rtm.h"] = "umbrella"
    pub = os.path.join(root, "include/rtm")
    for f in sorted(os.listdir(pub)) if os.path.isdir(pub) else []:
        if f.endswith(".h"):
            files["include/rtm/" + f] = public_header_stage(f)
    return files, unknown


def resolve_include(src, name, quoted, files):
    """The graph file an #include names, or None (a system header)."""
    dirs = ([os.path.dirname(src)] if quoted else []) + ["include", "rtm"]
    for d in dirs:
        p = os.path.normpath(os.path.join(d, name))
        if p in files:
            return p
    return None


def add_includes(root, g):
    """#include edges between the files of g."""
    for src in list(g.stage):
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            code = blank(f.read(), keep_directives=True)   # no #include in comments
        for m in INCLUDE.finditer(code):
            dst = resolve_include(src, m.group(2), m.group(1) == '"', g.stage)
            if dst:
                g.add_edge(src, dst, "#include")


def object_symbols(paths):
    """{object: (defined, undefined) global symbol sets}, one nm run."""
    out = subprocess.run(["nm", "-P", "-A"] + paths, check=True, capture_output=True,
                         text=True).stdout
    syms = {p: (set(), set()) for p in paths}
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        f = rest.split()
        if path in syms and len(f) >= 2 and (f[1] in DEFINED or f[1] == "U"):
            syms[path][f[1] == "U"].add(f[0])
    return syms


def add_symbols(obj, g, notes):
    """Symbol edges between the .c files of g; returns False when no object
    was found at all."""
    objs = {}
    for src in sorted(g.stage):
        if not src.startswith("rtm/") or not src.endswith(".c"):
            continue
        o = os.path.join(obj, src[4:-2] + ".o")
        if os.path.exists(o):
            objs[o] = src
        else:
            notes.append("note: %s: not built (no %s), its symbols are not checked" % (src, o))
    if not objs:
        return False
    syms = {objs[o]: s for o, s in object_symbols(sorted(objs)).items()}
    owner = {}
    for src in sorted(syms):
        for s in syms[src][0]:
            owner.setdefault(s, src)
    for src, (_, undefined) in syms.items():
        for s in undefined:
            if s in owner:
                g.add_edge(src, owner[s], s)
    return True


def strongly_connected(nodes, edges):
    """Tarjan's algorithm (iterative); components in a deterministic order."""
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    comps.append(sorted(comp))
            elif w not in index:
                index[w] = low[w] = counter[0]
                counter[0] += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(edges.get(w, ())))))
            elif w in on:
                low[v] = min(low[v], index[w])
    return sorted(comps)


def why(reasons, most=4):
    r = sorted(reasons)
    return ", ".join(r[:most]) + (", ... (%d in all)" % len(r) if len(r) > most else "")


class Allow:
    """The allowlist: "cycle PATTERN... -- why" allows a file cycle whose
    every file matches one of the patterns; "edge FROM TO -- why" allows
    the dependencies of the files matching FROM on those matching TO to go
    against the stage order. Lines no longer needed are reported."""

    def __init__(self, path):
        self.entries, self.used, self.errors = [], set(), []
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    self._parse(line.split("#", 1)[0].strip(), n)

    def _parse(self, line, n):
        if not line:
            return
        words, _, reason = line.partition(" -- ")
        kind, pats = words.split()[0], words.split()[1:]
        if kind not in ("cycle", "edge") or not pats or (kind == "edge" and len(pats) != 2) \
           or not reason.strip():
            self.errors.append("allowlist line %d: want 'cycle PATTERN... -- why' or "
                               "'edge FROM TO -- why'" % n)
        else:
            self.entries.append((kind, pats, n))

    def _match(self, kind, test):
        for k, (kd, pats, _) in enumerate(self.entries):
            if kd == kind and test(pats):
                self.used.add(k)
                return True
        return False

    def cycle(self, files):
        return self._match("cycle", lambda pats: all(
            any(fnmatch.fnmatchcase(f, p) for p in pats) for f in files))

    def edge(self, a, b):
        return self._match("edge", lambda pats: fnmatch.fnmatchcase(a, pats[0])
                           and fnmatch.fnmatchcase(b, pats[1]))

    def unused(self):
        return ["note: allowlist line %d matches nothing any more: %s %s" % (n, kind, " ".join(p))
                for k, (kind, p, n) in enumerate(self.entries) if k not in self.used]


def upward(g, a, b):
    sa, sb = g.stage[a], g.stage[b]
    return bool(sa and sb and stage_rank(sb) > stage_rank(sa))


def stage_violations(g, allow):
    """[(allowed?, line)] for every dependency against the stage order."""
    return [(allow.edge(a, b), "%s (%s) -> %s (%s): %s"
             % (a, g.stage[a], b, g.stage[b], why(reasons)))
            for a in sorted(g.edges) for b, reasons in sorted(g.edges[a].items())
            if upward(g, a, b)]


def file_cycles(g):
    """Components of more than one file, each as (files, lines of ties)."""
    cycles = []
    for comp in strongly_connected(g.edges, g.edges):
        if len(comp) < 2:
            continue
        members = set(comp)
        ties = ["  %s -> %s: %s" % (a, b, why(r))
                for a in comp for b, r in sorted(g.edges[a].items()) if b in members]
        cycles.append((comp, ties))
    return cycles


def folder_cycles(g, allow):
    """Cycles between stage folders, leaving out the allowed edges."""
    fe = {}
    for a, out in g.edges.items():
        for b in out:
            sa, sb = g.stage[a], g.stage[b]
            if sa and sb and sa != sb and not (upward(g, a, b) and allow.edge(a, b)):
                fe.setdefault(sa, {}).setdefault(sb, set()).add("%s -> %s" % (a, b))
    comps = strongly_connected(set(g.stage.values()) - {None}, fe)
    return [(c, ["  %s -> %s: %s" % (a, b, why(fe[a][b], 2))
                 for a in c for b in sorted(fe.get(a, {})) if b in c])
            for c in comps if len(c) > 1]


def report(g, unknown, allow):
    """Prints every problem; returns how many fail the check."""
    bad = len(unknown) + len(allow.errors)
    for u in unknown:
        print("error: %s is not a stage (stages: %s)" % (u, " ".join(STAGES)))
    for e in allow.errors:
        print(e)
    for ok, v in stage_violations(g, allow):
        print("%s: %s" % ("allowed upward dependency" if ok else "lower stage depends on a "
                          "higher one", v))
        bad += 0 if ok else 1
    for comp, ties in file_cycles(g):
        ok = allow.cycle(comp)
        print("%s: %s" % ("allowed cycle" if ok else "cycle", " ".join(comp)))
        print("\n".join(ties))
        bad += 0 if ok else 1
    for comp, ties in folder_cycles(g, allow):
        print("folder cycle: %s" % " ".join(comp))
        print("\n".join(ties))
        bad += 1
    for note in allow.unused():
        print(note)
    return bad


def parse_args(argv):
    opts = {"root": ".", "obj": None, "allow": None}
    it = iter(argv)
    for a in it:
        if a in ("--root", "--obj", "--allow"):
            opts[a[2:]] = next(it)
        else:
            raise SystemExit("usage: check-deps.py [--root DIR] [--obj DIR] [--allow FILE]")
    root = opts["root"]
    opts["obj"] = opts["obj"] or os.path.join(root, "build/obj")
    if opts["allow"] is None:
        opts["allow"] = os.path.join(root, "tools/deps-allow.txt")
    return opts


def build_graph(opts, notes):
    files, unknown = source_files(opts["root"])
    g = Graph()
    for f, s in files.items():
        g.add_file(f, s)
        if s is None:
            notes.append("note: %s: no stage for this public header, not checked" % f)
    add_includes(opts["root"], g)
    if not add_symbols(opts["obj"], g, notes):
        return None, unknown
    return g, unknown


def main(argv):
    opts = parse_args(argv[1:])
    notes = []
    g, unknown = build_graph(opts, notes)
    if g is None:
        sys.stderr.write("check-deps: no objects under %s: build first\n" % opts["obj"])
        return 2
    for note in notes:
        print(note)
    bad = report(g, unknown, Allow(opts["allow"]))
    nedges = sum(len(e) for e in g.edges.values())
    print("check-deps: %d files, %d dependencies, %d problem%s"
          % (len(g.stage), nedges, bad, "" if bad == 1 else "s"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
