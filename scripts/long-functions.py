#!/usr/bin/env python3
"""Lists the functions in src/ whose bodies run over a line limit, longest first.

A function's length is its lines from the `fn` keyword to its closing brace, both counted.
Comments, strings, raw strings and char literals are skipped when matching braces, so a
brace in `"{}"` or `'{'` is not taken for code. A function nested in another is counted on
its own (and inside its parent's length too).

usage: scripts/long-functions.py [--limit N] [--allow K] [ROOT...]

Prints `LINES PATH:LINE NAME` for each function over N lines (default 100). With --allow K
it exits 1 when more than K functions are over the limit (the CI check: at most 3 in src/).
"""

import argparse
import pathlib
import sys


def tokens(text):
    """Yields (kind, value, line) for identifiers and the punctuation that matters here."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        elif c == "r" and i + 1 < n and text[i + 1] in '#"' and not ident_before(text, i):
            # r"..." or r#"..."#
            j = i + 1
            while j < n and text[j] == "#":
                j += 1
            if j < n and text[j] == '"':
                end = '"' + "#" * (j - i - 1)
                k = text.find(end, j + 1)
                k = n if k < 0 else k + len(end)
                line += text.count("\n", i, k)
                i = k
            else:
                i += 1
        elif c == "b" and i + 1 < n and text[i + 1] in "'\"" and not ident_before(text, i):
            i += 1  # a byte string or byte char: the quote that follows is read next
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '{') or a lifetime ('a).
            if i + 2 < n and text[i + 1] == "\\":
                j = text.find("'", i + 2)
                i = n if j < 0 else j + 1
            elif i + 2 < n and text[i + 2] == "'":
                i += 3
            else:
                i += 1
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield ("ident", text[i:j], line)
            i = j
        else:
            if c in "{}();[]":
                yield ("punct", c, line)
            i += 1


def ident_before(text, i):
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def functions(text):
    """Yields (name, first line, last line) for every fn with a body."""
    toks = list(tokens(text))
    for k, (kind, value, line) in enumerate(toks):
        if kind != "ident" or value != "fn" or k + 1 >= len(toks):
            continue
        name = toks[k + 1][1] if toks[k + 1][0] == "ident" else "?"
        # The body is the first `{` outside parentheses and brackets; a `;` first means none.
        depth, j = 0, k + 1
        while j < len(toks):
            v = toks[j][1]
            if v in "([":
                depth += 1
            elif v in ")]":
                depth -= 1
            elif depth == 0 and v in "{;":
                break
            j += 1
        if j >= len(toks) or toks[j][1] == ";":
            continue
        braces = 0
        for m in range(j, len(toks)):
            v = toks[m][1]
            if v == "{":
                braces += 1
            elif v == "}":
                braces -= 1
                if braces == 0:
                    yield (name, line, toks[m][2])
                    break


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--allow", type=int)
    ap.add_argument("roots", nargs="*", default=["src"])
    args = ap.parse_args()
    long = []
    paths = set()
    for root in map(pathlib.Path, args.roots):
        paths.update([root] if root.is_file() else root.rglob("*.rs"))
    for path in sorted(paths):
        text = path.read_text(encoding="utf-8")
        for name, first, last in functions(text):
            lines = last - first + 1
            if lines > args.limit:
                long.append((lines, f"{path}:{first}", name))
    long.sort(key=lambda x: (-x[0], x[1]))
    for lines, where, name in long:
        print(f"{lines:5} {where} {name}")
    print(f"{len(long)} functions over {args.limit} lines")
    if args.allow is not None and len(long) > args.allow:
        print(f"more than {args.allow} functions over {args.limit} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
