"""Random small templates for the differential test: whitespace control and expressions.

Real chat templates exercise trim_blocks / lstrip_blocks only in the shapes their authors wrote.
These fragments mix tags with `-` and `+` markers, comments, raw blocks, indentation with spaces
and tabs, blank lines and CRLF, around if/for/set/macro statements and a pool of expressions,
so that the subtle cases of Jinja2's lexer are compared too. Deterministic per seed.
"""
import random

WS = ["", " ", "  ", "\t", "\n", "\n  ", "  \n", "\n\n", " \t \n", "\r\n", "\n    ", "\u3000"]
MARK_OPEN = ["", "", "", "-", "+"]
MARK_CLOSE = ["", "", "", "-", "+"]

EXPRESSIONS = [
    "x", "x + 1", "x * 2 - 3", "x // 2", "x % 3", "x ** 2", "-x", "x / 4", "s", "s|upper",
    "s|trim", "s ~ x", "s[1:]", "s[::-1]", "s|length", "l", "l|length", "l[0]", "l[-1]",
    "l|join(',')", "l|sort", "l|reverse|list", "l|map('string')|join('+')", "d", "d.a", "d['b']",
    "d.missing", "d|tojson", "d|items|list", "d.get('a', 0)", "'lit'", '"q\\"uote"', "1.5",
    "1e3", "none", "true", "x > 2", "x in l", "'a' in s", "x if x > 1 else 'small'",
    "l|select('odd')|list", "l|sum", "l|max", "(x, s)", "[x, s, none]", "{'k': x}",
    "s.split(' ')", "s.startswith('h')", "s.replace('l', 'L')", "loop_index", "ns.v",
    "x is odd", "s is string", "d is mapping", "undefined_var is defined", "l|first",
    "'%s-%d' % (s, x)", "s|title", "(s ~ ' ')|trim|capitalize", "l[1:3]", "d.b|default('n')",
]

CONDITIONS = ["x > 1", "x", "not x", "s", "l|length > 2", "d.a is defined", "false", "true",
              "x is even and s", "undefined_var", "none", "x == 3 or l"]


def tag(rng, body):
    return "{%" + rng.choice(MARK_OPEN) + " " + body + " " + rng.choice(MARK_CLOSE) + "%}"


def var(rng, expr):
    return "{{" + rng.choice(["", "", "-"]) + " " + expr + " " + rng.choice(["", "", "-"]) + "}}"


def text(rng):
    return rng.choice(["", "a", "text", "x y", "é", "[", "]", "}", "{", "%", "#"]) + rng.choice(WS)


def block(rng, depth):
    parts = []
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(WS))
        kind = rng.random()
        if kind < 0.3 or depth > 2:
            parts.append(var(rng, rng.choice(EXPRESSIONS)))
        elif kind < 0.45:
            parts.append(tag(rng, "if " + rng.choice(CONDITIONS)) + block(rng, depth + 1))
            if rng.random() < 0.4:
                parts.append(tag(rng, "elif " + rng.choice(CONDITIONS)) + block(rng, depth + 1))
            if rng.random() < 0.4:
                parts.append(tag(rng, "else") + block(rng, depth + 1))
            parts.append(tag(rng, "endif"))
        elif kind < 0.6:
            parts.append(tag(rng, rng.choice(["for loop_index in l", "for k in d",
                                               "for c in s if c != 'l'", "for i in range(x)"])))
            parts.append(block(rng, depth + 1))
            if rng.random() < 0.2:
                parts.append(tag(rng, "else") + block(rng, depth + 1))
            parts.append(tag(rng, "endfor"))
        elif kind < 0.7:
            parts.append(tag(rng, "set ns.v = " + rng.choice(EXPRESSIONS)))
        elif kind < 0.78:
            parts.append("{#" + rng.choice(MARK_OPEN) + " note " + rng.choice(MARK_CLOSE) + "#}")
        elif kind < 0.83:
            parts.append(tag(rng, "raw") + rng.choice(["{{ raw }}", " x ", "\n"]) + tag(rng, "endraw"))
        elif kind < 0.9:
            parts.append(tag(rng, "set tmp") + block(rng, depth + 1) + tag(rng, "endset") +
                         var(rng, "tmp|trim"))
        else:
            parts.append(text(rng))
        parts.append(text(rng))
    return "".join(parts)


def make_fragment(index):
    rng = random.Random(f"fragment:{index}")
    head = "{% set ns = namespace(v=0) %}" if rng.random() < 0.5 else tag(rng, "set ns = namespace(v=0)")
    src = head + rng.choice(WS) + block(rng, 0) + rng.choice(WS + ["\n"])
    ctx = {"x": rng.choice([0, 1, 2, 3, 7]), "s": rng.choice(["hello world", "", "é ü", " pad "]),
           "l": rng.choice([[], [1], [3, 1, 2], [5, 4, 3, 2]]),
           "d": rng.choice([{}, {"a": 1}, {"a": 2, "b": "two"}])}
    return src, ctx
