"""c_lexer.py: the bit of C lexing the structure checks share
(tools/exports.py, tools/check-functions.py, tools/check-deps.py).

blank(text) returns the text with every comment, the contents of every
string and character literal, and every preprocessor line (with its
backslash continuations) replaced by spaces. Newlines are kept, so line
numbers and brace positions in the result are those of the source; what is
left is code whose braces, parentheses and semicolons can be counted.
With keep_directives, preprocessor lines are kept as they are.
"""


def _skip_literal(text, i, quote):
    """Index just past the literal that opens at text[i] (a quote)."""
    n = len(text)
    j = i + 1
    while j < n and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" else 1
    return j + 1 if j < n and text[j] == quote else min(j, n)


def _line_is_directive(text, i):
    """True when text[i] == '#' is the first non-blank character of its line."""
    k = i - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n"


def _directive_end(text, i):
    """Index of the newline that ends the directive starting at i (a
    comment inside a directive is part of it; continuations are followed)."""
    n = len(text)
    j = i
    while j < n:
        if text.startswith("/*", j):
            end = text.find("*/", j + 2)
            j = n if end < 0 else end + 2
        elif text[j] in "\"'":
            j = _skip_literal(text, j, text[j])
        elif text[j] == "\\" and j + 1 < n and text[j + 1] == "\n":
            j += 2
        elif text[j] == "\n":
            return j
        else:
            j += 1
    return n


def _spaces(s):
    return "".join(c if c == "\n" else " " for c in s)


def blank(text, keep_directives=False):
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c in "\"'":
            j = _skip_literal(text, i, c)
            closed = j - i >= 2 and text[j - 1] == c
            out.append(c + _spaces(text[i + 1:j - closed]) + (c if closed else ""))
            i = j
            continue
        elif c == "#" and _line_is_directive(text, i):
            j = _directive_end(text, i)
            if keep_directives:
                out.append(text[i:j])
                i = j
                continue
        else:
            out.append(c)
            i += 1
            continue
        out.append(_spaces(text[i:j]))
        i = j
    return "".join(out)


def line_of(text, pos):
    """1-based line number of offset pos."""
    return text.count("\n", 0, pos) + 1
