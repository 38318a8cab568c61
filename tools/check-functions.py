#!/usr/bin/env python3
"""check-functions.py: the length of every C function; fails past a limit.

    tools/check-functions.py [--max N] [--list] file.c|folder ...

A function's length is the number of lines from the line of its body's
opening brace to the line of its closing brace, both included: with the
project's layout (signature, then "{" alone on a line) that is the body plus
two. Signature lines are not counted. Comments, string and character
literals and preprocessor lines are blanked first (tools/c_lexer.py), so
braces inside them do not count; lines inside a body are counted whatever
they hold (blank lines, comments, #if branches).

A function is a brace block at file scope that follows a ')' (its parameter
list, or an __attribute__((...)) after it); struct, union and enum bodies
and initialisers are not. Folders are searched for *.c files.

Prints the number of functions, the median, the 90th percentile (nearest
rank) and the longest, then every function over the limit (default 100) as
file:line: name (N lines). --list prints every function as
"file:line name length" first. Exit status 1 when a function is over the
limit, 2 when a file's braces do not balance.
"""
import os
import statistics
import sys

sys.dont_write_bytecode = True
from c_lexer import blank, line_of  # noqa: E402 (tools/c_lexer.py)

ATTRIBUTES = ("__attribute__", "__attribute")


def prev_nonspace(code, k):
    """Index of the last non-blank character before code[k], or -1."""
    k -= 1
    while k >= 0 and code[k].isspace():
        k -= 1
    return k


def ident_before(code, k):
    """(identifier ending just before code[k] bar blanks, its start)."""
    end = prev_nonspace(code, k) + 1
    start = end
    while start > 0 and (code[start - 1].isalnum() or code[start - 1] == "_"):
        start -= 1
    return code[start:end], start


def matching_open(code, close):
    """Index of the '(' that matches the ')' at code[close]."""
    depth = 0
    for k in range(close, -1, -1):
        depth += {")": 1, "(": -1}.get(code[k], 0)
        if depth == 0:
            return k
    return -1


def function_name(code, head):
    """Name of the function whose header ends with the ')' at code[head],
    skipping __attribute__((...)) clauses that follow the parameters."""
    while head >= 0 and code[head] == ")":
        open_ = matching_open(code, head)
        name, start = ident_before(code, max(open_, 0))
        if open_ < 0 or not name:
            return "?"
        if name not in ATTRIBUTES:
            return name
        head = prev_nonspace(code, start)
    return "?"


def functions(path):
    """[(name, first line, length)] of the functions in path; raises
    ValueError when its braces do not balance."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = blank(f.read())
    found, depth, start = [], 0, None
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                head = prev_nonspace(code, i)
                start = (i, head) if head >= 0 and code[head] == ")" else None
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                raise ValueError("%s:%d: unbalanced '}'" % (path, line_of(code, i)))
            if depth == 0 and start:
                first = line_of(code, start[0])
                found.append((function_name(code, start[1]), first, line_of(code, i) - first + 1))
                start = None
    if depth:
        raise ValueError("%s: %d unclosed '{'" % (path, depth))
    return found


def c_files(args):
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs.sort()
                yield from (os.path.join(root, f) for f in sorted(files) if f.endswith(".c"))
        else:
            yield a


def percentile(sorted_values, p):
    """Nearest-rank percentile (p in 0..100) of a sorted list."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def parse_args(argv):
    limit, listing, paths = 100, False, []
    it = iter(argv)
    for a in it:
        if a == "--max":
            limit = int(next(it))
        elif a == "--list":
            listing = True
        else:
            paths.append(a)
    return limit, listing, paths


def main(argv):
    limit, listing, paths = parse_args(argv[1:])
    rows = []
    try:
        for path in c_files(paths):
            rows += [(path, line, name, n) for name, line, n in functions(path)]
    except ValueError as e:
        sys.stderr.write("check-functions: %s\n" % e)
        return 2
    if not rows:
        sys.stderr.write("check-functions: no functions found\n")
        return 2
    if listing:
        sys.stdout.write("".join("%s:%d %s %d\n" % r for r in rows))
    lengths = sorted(r[3] for r in rows)
    print("functions: %d, median %g lines, 90th percentile %d, longest %d (limit %d)"
          % (len(rows), statistics.median(lengths), percentile(lengths, 90), lengths[-1], limit))
    over = [r for r in rows if r[3] > limit]
    for path, line, name, n in over:
        print("%s:%d: %s is %d lines (limit %d)" % (path, line, name, n, limit))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
