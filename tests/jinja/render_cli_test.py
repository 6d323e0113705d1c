#!/usr/bin/python3
"""End-to-end test of `anthropic-local render` (label e2e).

Writes a tiny Qwen3 GGUF (tools/make-test-model: the real Qwen3 tokenizer and chat template),
then renders /v1/messages bodies with the command and checks:
- the text equals Python Jinja2 (Hugging Face's environment) rendering the same template on the
  OpenAI-shaped conversation that src/chat/README.md says a body becomes, written here a second
  time, independently (system blocks joined, billing block left out, tool_use as tool_calls with
  object arguments, tool_result as tool messages, thinking as reasoning_content, system-role
  messages in place, deferred tools left out), for Claude Code's captured bodies and a synthetic
  one, through the model's own template and through `--template` files (Qwen3.6 with
  `<system-message>` user turns for system messages in the middle);
- --keep-billing-header, --preserve-thinking, --thinking and --no-generation-prompt;
- --ids equals `anthropic-local tokenize` of the text;
- an image is an invalid_request_error on stderr with exit status 1.
Exits 1 on the first failure, printing what differed.
"""
import argparse
import json
import os
import subprocess
import sys
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_env  # noqa: E402

BILLING = "x-anthropic-billing-header:"
# Templates that raise on (or move) system messages in the middle: they get <system-message>
# user turns (src/chat/README.md, "system-role messages inside messages").
WRAPS_SYSTEM = {"qwen3_5", "qwen3_6"}


def blocks(content):
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def convert(body, wraps_system, keep_billing=False):
    """The template variables for a /v1/messages body (text, tools, thinking; no images)."""
    system = [b["text"] for b in blocks(body.get("system", []))
              if keep_billing or not b["text"].startswith(BILLING)]
    messages = []
    if system:
        messages.append({"role": "system", "content": "\n".join(system)})
    names = {}
    for m in body["messages"]:
        content = blocks(m["content"])
        if m["role"] == "system":
            text = "\n".join(b["text"] for b in content)
            if not wraps_system:
                messages.append({"role": "system", "content": text})
            elif messages and messages[-1]["role"] == "tool":
                marked = "<system-message>\n" + text + "\n</system-message>"
                messages[-1]["content"] += "\n\n" + marked
            else:
                marked = "<system-message>\n" + text + "\n</system-message>"
                messages.append({"role": "user", "content": marked})
        elif m["role"] == "user":
            text, after_result = [], False

            def flush():
                if not text:
                    return
                if after_result:
                    messages[-1]["content"] += "\n\n" + "\n".join(text)
                else:
                    messages.append({"role": "user", "content": "\n".join(text)})
                text.clear()

            for b in content:
                if b["type"] == "text":
                    text.append(b["text"])
                elif b["type"] == "tool_result":
                    flush()
                    parts = [x["text"] for x in blocks(b.get("content", ""))]
                    result = ("Error: " if b.get("is_error") else "") + "\n".join(parts)
                    msg = {"role": "tool", "tool_call_id": b["tool_use_id"]}
                    if b["tool_use_id"] in names:
                        msg["name"] = names[b["tool_use_id"]]
                    msg["content"] = result
                    messages.append(msg)
                    after_result = True
            flush()
        else:
            text, reasoning, calls = [], [], []
            for b in content:
                if b["type"] == "text":
                    text.append(b["text"])
                elif b["type"] == "thinking":
                    reasoning.append(b["thinking"])
                elif b["type"] == "tool_use":
                    names[b["id"]] = b["name"]
                    calls.append({"id": b["id"], "type": "function",
                                  "function": {"name": b["name"], "arguments": b["input"]}})
            msg = {"role": "assistant", "content": "\n".join(text)}
            if "\n".join(reasoning):
                msg["reasoning_content"] = "\n".join(reasoning)
            if calls:
                msg["tool_calls"] = calls
            messages.append(msg)
    tools = []
    for t in body.get("tools", []):
        if t.get("defer_loading"):
            continue
        function = {"name": t["name"]}
        if t.get("description"):
            function["description"] = t["description"]
        function["parameters"] = t["input_schema"]
        tools.append({"type": "function", "function": function})
    ctx = {"messages": messages, "tools": tools or None, "documents": None,
           "add_generation_prompt": True, "bos_token": "", "eos_token": "<|im_end|>"}
    kind = body.get("thinking", {}).get("type")
    if kind in ("enabled", "adaptive"):
        ctx["enable_thinking"] = True
    elif kind == "disabled":
        ctx["enable_thinking"] = False
    return ctx


class Checker:
    def __init__(self, args):
        self.args = args
        self.failures = 0

    def run(self, body, *flags, expect_ok=True):
        cmd = [self.args.bin, "render", "--model", self.args.model_file, *flags]
        r = subprocess.run(cmd, input=json.dumps(body, ensure_ascii=False).encode(),
                           capture_output=True, timeout=120)
        if expect_ok and r.returncode != 0:
            self.fail(f"{' '.join(flags)}: exit {r.returncode}: {r.stderr.decode()[:2000]}")
            return ""
        if not expect_ok:
            return r
        return r.stdout.decode("utf-8")

    def fail(self, what):
        self.failures += 1
        print("FAIL:", what)

    def same(self, label, got, want):
        if got == want:
            print("ok:", label)
            return
        k = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                 min(len(got), len(want)))
        self.fail(f"{label}: first difference at char {k}: ours {got[k:k + 120]!r} "
                  f"python {want[k:k + 120]!r}")

    def check(self, label, condition):
        if condition:
            print("ok:", label)
        else:
            self.fail(label)


def synthetic_body():
    return {
        "model": "m", "max_tokens": 10,
        "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=9; cch=1;"},
                   {"type": "text", "text": "You are terse."}, {"type": "text", "text": "Ünïcödé ✓"}],
        "thinking": {"type": "adaptive"},
        "tools": [{"name": "Read", "description": "Reads a file",
                   "input_schema": {"type": "object", "properties": {
                       "path": {"type": "string"}, "limit": {"type": "integer"},
                       "opts": {"type": "object", "properties": {"z": {"type": "boolean"},
                                                                 "a": {"type": "array"}}}},
                       "required": ["path"]}},
                  {"name": "Later", "defer_loading": True, "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "first question"},
            {"role": "system", "content": "Plan mode is on."},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Read both.", "signature": ""},
                {"type": "text", "text": "Reading."},
                {"type": "tool_use", "id": "toolu_1", "name": "Read",
                 "input": {"path": "a.txt", "opts": {"z": True, "a": [1, "二"]}}},
                {"type": "tool_use", "id": "toolu_2", "name": "Read", "input": {"path": "b"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1",
                 "content": [{"type": "text", "text": "line 1"}, {"type": "text", "text": "line 2"}]},
                {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": True,
                 "content": "no such file"},
                {"type": "text", "text": "<system-reminder>note</system-reminder>"}]},
            {"role": "system", "content": [{"type": "text", "text": "Context 40% full."}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Done.", "signature": ""},
                {"type": "text", "text": "a.txt has two lines."}]},
            {"role": "user", "content": "thanks, and now?"}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tool", required=True, help="make-test-model")
    ap.add_argument("--tokenizer-dir", required=True)
    ap.add_argument("--source", required=True, help="the repository root")
    ap.add_argument("--work", required=True)
    ap.add_argument("--reuse-model", action="store_true", help="keep a model file already made")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    args.model_file = os.path.join(args.work, "render_qwen3_tiny.gguf")
    if not (args.reuse_model and os.path.exists(args.model_file)):
        subprocess.run([args.tool, "--arch", "qwen3", "--shape", "tiny", "--out", args.model_file,
                        "--tokenizer-dir", args.tokenizer_dir, "--quiet"], check=True, timeout=300)
    with open(os.path.join(args.tokenizer_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        model_template = json.load(f)["chat_template"]
    templates_dir = os.path.join(args.source, "tests", "data", "templates")
    env = hf_env.make_env(datetime(2024, 7, 26))
    c = Checker(args)

    bodies = {"first_turn": "claude_code_2.1.332_first_turn.json",
              "tool_result_turn": "claude_code_2.1.332_tool_result_turn.json"}
    cases = []
    for label, name in bodies.items():
        with open(os.path.join(args.source, "tests", "data", "api", name), encoding="utf-8") as f:
            cases.append((label, json.load(f)))
    cases.append(("synthetic", synthetic_body()))

    # The text, against Python Jinja2 on the independently converted conversation.
    for label, body in cases:
        want = env.from_string(model_template).render(**convert(body, False))
        c.same(f"{label} through the model's template", c.run(body), want)
        for tname in ("qwen3_5", "qwen3_6", "qwen3_coder", "qwen2_5"):
            path = os.path.join(templates_dir, tname + ".jinja")
            with open(path, encoding="utf-8") as f:
                source = f.read()
            want = env.from_string(source).render(**convert(body, tname in WRAPS_SYSTEM))
            c.same(f"{label} through --template {tname}", c.run(body, "--template", path), want)

    synthetic = synthetic_body()
    qwen36 = os.path.join(templates_dir, "qwen3_6.jinja")
    # The billing block: left out, or kept on request.
    kept = c.run(synthetic, "--keep-billing-header")
    want = env.from_string(model_template).render(**convert(synthetic, False, keep_billing=True))
    c.same("--keep-billing-header", kept, want)
    c.check("billing block only with --keep-billing-header",
            BILLING in kept and BILLING not in c.run(synthetic))
    # preserve_thinking: Qwen3.6 keeps the reasoning of the turns before the last query.
    preserved = c.run(synthetic, "--template", qwen36, "--preserve-thinking")
    ctx = convert(synthetic, True)
    ctx["preserve_thinking"] = True
    c.same("--preserve-thinking", preserved, env.from_string(open(qwen36).read()).render(**ctx))
    c.check("--preserve-thinking keeps earlier reasoning",
            "<think>\nRead both.\n</think>" in preserved and
            "<think>\nRead both.\n</think>" not in c.run(synthetic, "--template", qwen36))
    # Thinking default when the request has none; the generation prompt.
    plain = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    c.check("--thinking off", c.run(plain, "--thinking", "off").endswith(
        "<|im_start|>assistant\n<think>\n\n</think>\n\n"))
    c.check("--thinking default", c.run(plain).endswith("<|im_start|>assistant\n"))
    c.check("--no-generation-prompt",
            c.run(plain, "--no-generation-prompt") == "<|im_start|>user\nhi<|im_end|>\n")
    # --ids: the tokenizer's encoding of the text (no client text here holds special tokens).
    for label, body in cases:
        text = c.run(body)
        ids = json.loads(c.run(body, "--ids"))
        tok = subprocess.run([args.bin, "tokenize", "--model", args.model_file],
                             input=text.encode(), capture_output=True, timeout=120)
        c.same(f"{label} --ids", json.dumps(ids), json.dumps(json.loads(tok.stdout)))
    # Images: an invalid_request_error, as Anthropic's error JSON on stderr.
    image = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": "iVBORw0KGgo="}}]}]}
    r = c.run(image, expect_ok=False)
    try:
        err = json.loads(r.stderr)
    except ValueError:
        err = {}
    c.check("an image is an invalid_request_error",
            r.returncode == 1 and r.stdout == b"" and err.get("type") == "error" and
            err.get("error", {}).get("type") == "invalid_request_error" and
            err["error"]["message"].startswith("messages.0.content.1: image input is not supported"))

    print(f"{c.failures} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
