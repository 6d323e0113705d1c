#!/usr/bin/python3
"""Differential test: our jinja/ against Python Jinja2 on real chat templates.

For every tests/data/templates/<name>.jinja, renders a deterministic corpus of conversations
(corpus.py) with Python Jinja2 in Hugging Face's environment (hf_env.py) and with our
interpreter (the jinja_render CLI in batch mode), and compares byte for byte. A case where
Python raises must raise in ours too. Prints per template the cases, how many raised, and the
mismatches; exits 1 if any case mismatches.
"""
import argparse
import json
import os
import subprocess
import sys
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import fragments  # noqa: E402
import hf_env  # noqa: E402

NOW = "2024-07-26T10:20:30"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--templates", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--fragments", type=int, default=400,
                    help="random whitespace/expression templates (fragments.py)")
    ap.add_argument("--only", default="")
    ap.add_argument("--show", type=int, default=2, help="mismatches to print per template")
    args = ap.parse_args()

    env = hf_env.make_env(datetime.strptime(NOW, "%Y-%m-%dT%H:%M:%S"))
    os.makedirs(args.work, exist_ok=True)
    names = sorted(f[:-len(".jinja")] for f in os.listdir(args.templates) if f.endswith(".jinja"))
    if args.only:
        names = [n for n in names if n in args.only.split(",")]

    cases = []  # (name, template path, context, python_ok, python_output_or_error)
    for name in names:
        path = os.path.join(args.templates, name + ".jinja")
        with open(path, encoding="utf-8") as f:
            source = f.read()
        try:
            template = env.from_string(source)
        except Exception as e:  # a template Python cannot parse: every case must fail in ours
            template = None
            parse_error = str(e)
        spec = corpus.SPECS.get(name, corpus.DEFAULT_SPEC)
        for i in range(args.cases):
            ctx = corpus.make_case(name, spec, i)
            if template is None:
                cases.append((name, path, ctx, False, parse_error))

                continue
            try:
                cases.append((name, path, ctx, True, template.render(**ctx)))
            except Exception as e:
                cases.append((name, path, ctx, False, str(e)))

    if args.fragments:
        names.append("fragments")
        frag_dir = os.path.join(args.work, "fragments")
        os.makedirs(frag_dir, exist_ok=True)
        for i in range(args.fragments):
            source, ctx = fragments.make_fragment(i)
            path = os.path.join(frag_dir, f"f{i}.jinja")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(source)
            ctx_json = json.dumps(ctx, ensure_ascii=False)
            try:
                out = env.from_string(source).render(**ctx)
                cases.append(("fragments", path, json.loads(ctx_json), True, out))
            except Exception as e:
                cases.append(("fragments", path, json.loads(ctx_json), False, str(e)))

    batch = os.path.join(args.work, "cases.jsonl")
    with open(batch, "w", encoding="utf-8") as f:
        for name, path, ctx, _, _ in cases:
            f.write(json.dumps({"template": path, "context": ctx, "now": NOW},
                               ensure_ascii=False) + "\n")
    run = subprocess.run([args.cli, "--batch", batch], capture_output=True, timeout=240)
    if run.returncode != 0:
        print(run.stderr.decode("utf-8", "replace"))
        print(f"jinja_render exited with {run.returncode}")
        return 1
    results = [json.loads(line) for line in run.stdout.decode("utf-8").splitlines() if line]
    if len(results) != len(cases):
        print(f"expected {len(cases)} results from jinja_render, got {len(results)}")
        return 1

    stats = {n: [0, 0, 0, 0] for n in names}  # cases, raised, mismatches, other error text
    shown = {n: 0 for n in names}
    for (name, path, ctx, ok, expected), got in zip(cases, results):
        s = stats[name]
        s[0] += 1
        s[1] += 0 if ok else 1
        same = (got["ok"] and ok and got["output"] == expected) or (not got["ok"] and not ok)
        if same:
            if not ok and got["error"].split("\n")[0] != expected.split("\n")[0]:
                s[3] += 1  # both raised, with other words (informational)
            continue
        s[2] += 1
        if shown[name] < args.show:
            shown[name] += 1
            print(f"--- MISMATCH {name}")
            print("context:", json.dumps(ctx, ensure_ascii=False)[:3000])
            print("python:", "ok" if ok else "raised", repr(expected)[:3000])
            print("ours:  ", "ok" if got["ok"] else "raised",
                  repr(got.get("output", got.get("error")))[:3000])
            if ok and got["ok"]:
                out = got["output"]
                k = next((i for i in range(min(len(out), len(expected))) if out[i] != expected[i]),
                         min(len(out), len(expected)))
                print(f"first difference at char {k}: python {expected[k:k+80]!r} ours {out[k:k+80]!r}")

    total_mismatch = 0
    print(f"{'template':24} {'cases':>6} {'raised':>7} {'mismatches':>11} {'other error text':>17}")
    for n in names:
        c, r, m, w = stats[n]
        total_mismatch += m
        print(f"{n:24} {c:>6} {r:>7} {m:>11} {w:>17}")
    total = sum(v[0] for v in stats.values())
    print(f"{total - total_mismatch} passed, {total_mismatch} failed")
    return 1 if total_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
