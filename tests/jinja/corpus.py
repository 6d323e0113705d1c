"""Deterministic corpus of chat-template contexts for the differential test.

Each case is what transformers' apply_chat_template passes to a template: messages, tools (None
when absent), documents (None), add_generation_prompt, the special tokens and the template's own
keyword arguments (enable_thinking, reasoning_effort ...). Conversations vary: with and without a
system message, several turns, tools with nested JSON schemas, assistant tool calls with
arguments as objects (or JSON strings where a template wants them), tool results, reasoning,
Unicode and special characters in every string, and some malformed conversations that make
templates raise.
"""
import json
import random

WORDS = [
    "hello", "world", "naïve", "café", "日本語", "中文测试", "😀", "🚀🔥", "Ünïcödé", "مرحبا",
    "שלום", "Привет", "Straße", "'quote'", '"double"', "back\\slash", "tab\there", "new\nline",
    "{{ not_jinja }}", "{% if %}", "<think>", "</think>", "<tool_call>", "&amp; <b>", "100%",
    "$HOME", "  spaced  ", "nbsp\u00a0here", "zero\u200bwidth", "👨‍👩‍👧", "ÀÉÎÕÜ", "ελληνικά",
    "x=1; y=2", "C:\\path\\file", "a\r\nb", "[INST]", "<|im_end|>", "json: {\"k\": [1, 2]}",
    "emoji 🧪 test", "trailing ", " leading", "\n", "\t",
]

FLOATS = [3.14, 0.1, 1e-07, 2.5e20, 100.0, -0.5, 1e16, 123456.789, 0.0, -0.0]


def text(rng, lo=1, hi=10):
    parts = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    sep = rng.choice([" ", " ", " ", "\n", ""])
    s = sep.join(parts)
    if rng.random() < 0.15:
        s = rng.choice(["  ", "\n", "\n\n", " \t"]) + s + rng.choice(["", " ", "\n", "\n\n"])
    return s


def json_value(rng, depth=0):
    kind = rng.choice(["str", "int", "float", "bool", "null", "list", "dict"] if depth < 2
                      else ["str", "int", "float", "bool", "null"])
    if kind == "str":
        return text(rng, 1, 4)
    if kind == "int":
        return rng.choice([0, 1, -7, 42, 2**40, 10**15])
    if kind == "float":
        return rng.choice(FLOATS)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["a", "key", "ключ", "名前", "nested_obj", "x y"]) + str(i):
            json_value(rng, depth + 1) for i in range(rng.randint(0, 3))}


def schema(rng, depth=0):
    t = rng.choice(["string", "number", "integer", "boolean", "array", "object"] if depth < 2
                   else ["string", "number", "integer", "boolean"])
    s = {"type": t}
    if rng.random() < 0.7:
        s["description"] = text(rng, 1, 5)
    if t == "string" and rng.random() < 0.3:
        s["enum"] = [text(rng, 1, 1) for _ in range(rng.randint(1, 3))]
    if t == "array":
        s["items"] = schema(rng, depth + 1)
    if t == "object":
        props = {f"field_{i}": schema(rng, depth + 1) for i in range(rng.randint(1, 3))}
        s["properties"] = props
        s["required"] = [k for k in props if rng.random() < 0.5]
    if rng.random() < 0.15:
        s["default"] = json_value(rng, 2)
    if rng.random() < 0.1:
        s["nullable"] = True
    return s


def tool(rng, i, spec):
    props = {f"param_{j}": schema(rng) for j in range(rng.randint(0, 4))}
    params = {"type": "object", "properties": props}
    if props:
        params["required"] = [k for k in props if rng.random() < 0.6]
    name = rng.choice(["get_weather", "search", "run_code", "read_file", "翻译"]) + f"_{i}"
    if spec.get("builtin_names") and rng.random() < 0.4:
        name = rng.choice(["brave_search", "code_interpreter", "wolfram_alpha"])
    return {"type": "function", "function": {
        "name": name,
        "description": text(rng, 2, 8),
        "parameters": params,
    }}


def call_id(rng, valid=True):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = 9 if valid else rng.choice([5, 12])
    return "".join(rng.choice(alphabet) for _ in range(n))


def tool_call(rng, tools, spec):
    fn = rng.choice(tools)["function"] if tools else {"name": "unknown_tool"}
    args = {k: json_value(rng) for k in list(fn.get("parameters", {}).get("properties", {}))[:3]}
    if not args:
        args = {"query": text(rng, 1, 3)}
    as_string = spec.get("string_args", 0.1)
    arguments = json.dumps(args, ensure_ascii=rng.random() < 0.5) if rng.random() < as_string else args
    return {"id": call_id(rng, rng.random() > 0.03), "type": "function",
            "function": {"name": fn["name"], "arguments": arguments}}


def add_reasoning(rng, msg, spec):
    r = rng.random()
    field = spec.get("reasoning_field", "reasoning_content")
    if r < 0.35:
        msg[field] = text(rng, 2, 8)
    elif r < 0.45 and field == "reasoning_content":
        msg["content"] = "<think>\n" + text(rng, 1, 5) + "\n</think>\n\n" + (msg.get("content") or "")


def user_content(rng, spec):
    if spec.get("blocks") and rng.random() < 0.2:
        blocks = [{"type": "text", "text": text(rng)} for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.3:
            blocks.insert(0, {"type": "image", "image": "file.png"})
        return blocks
    return text(rng)


def conversation(rng, spec, tools):
    messages = []
    if rng.random() < 0.5:
        messages.append({"role": "system", "content": text(rng, 3, 12)})
    turns = rng.randint(1, 4)
    max_calls = spec.get("max_calls", 2)
    for t in range(turns):
        messages.append({"role": "user", "content": user_content(rng, spec)})
        if t == turns - 1 and rng.random() < 0.5:
            break
        if tools and rng.random() < 0.6:
            calls = [tool_call(rng, tools, spec) for _ in range(rng.randint(1, max_calls))]
            msg = {"role": "assistant", "content": rng.choice(["", text(rng, 1, 4), None]),
                   "tool_calls": calls}
            add_reasoning(rng, msg, spec)
            messages.append(msg)
            for c in calls:
                content = json.dumps(json_value(rng), ensure_ascii=False) if rng.random() < 0.5 \
                    else text(rng)
                messages.append({"role": "tool", "tool_call_id": c["id"],
                                 "name": c["function"]["name"], "content": content})
            if rng.random() < 0.7:
                msg = {"role": "assistant", "content": text(rng)}
                add_reasoning(rng, msg, spec)
                messages.append(msg)
        else:
            msg = {"role": "assistant", "content": text(rng)}
            add_reasoning(rng, msg, spec)
            messages.append(msg)
    return messages


def break_conversation(rng, messages):
    """Malformed inputs that real templates reject or render oddly."""
    kind = rng.choice(["system_late", "bad_role", "empty", "assistant_first", "none_content"])
    if kind == "system_late":
        messages.append({"role": "system", "content": "late system"})
    elif kind == "bad_role":
        messages.insert(len(messages) // 2, {"role": "narrator", "content": "odd role"})
    elif kind == "empty":
        messages.clear()
    elif kind == "assistant_first":
        messages.insert(0, {"role": "assistant", "content": "I speak first"})
    else:
        messages[-1]["content"] = None
    return messages


def make_case(name, spec, index):
    rng = random.Random(f"{name}:{index}")
    tools = [tool(rng, i, spec) for i in range(rng.randint(1, 3))] if rng.random() < 0.6 else None
    messages = conversation(rng, spec, tools)
    if rng.random() < 0.1:
        messages = break_conversation(rng, messages)
    ctx = {
        "messages": messages,
        "tools": tools,
        "documents": None,
        "add_generation_prompt": rng.random() < 0.6,
        "bos_token": spec.get("bos", ""),
        "eos_token": spec.get("eos", ""),
    }
    for key, choices in spec.get("kwargs", {}).items():
        pick = rng.choice(choices)
        if pick != "<absent>":
            ctx[key] = pick
    return ctx


SPECS = {
    "qwen3": {"bos": "", "eos": "<|im_end|>",
              "kwargs": {"enable_thinking": ["<absent>", True, False]}},
    "qwen3_5": {"eos": "<|im_end|>", "blocks": True,
                "kwargs": {"enable_thinking": ["<absent>", True, False],
                           "add_vision_id": ["<absent>", True]}},
    "qwen3_6": {"eos": "<|im_end|>", "blocks": True,
                "kwargs": {"enable_thinking": ["<absent>", True, False],
                           "preserve_thinking": ["<absent>", True, False, None],
                           "add_vision_id": ["<absent>", True]}},
    "qwen3_coder": {"eos": "<|im_end|>"},
    "qwen2_5": {"eos": "<|im_end|>"},
    "llama3_1": {"bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "max_calls": 1,
                 "builtin_names": True,
                 "kwargs": {"date_string": ["<absent>", "01 Jan 2025"],
                            "tools_in_user_message": ["<absent>", False],
                            "builtin_tools": ["<absent>", ["code_interpreter", "brave_search"]]}},
    "llama3_2": {"bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "max_calls": 1,
                 "kwargs": {"date_string": ["<absent>", "01 Jan 2025"],
                            "tools_in_user_message": ["<absent>", False]}},
    "mistral_small_3_2": {"bos": "<s>", "eos": "</s>", "blocks": True},
    "devstral_small_2507": {"bos": "<s>", "eos": "</s>", "blocks": True},
    "deepseek_v3_1": {"bos": "<｜begin▁of▁sentence｜>", "eos": "<｜end▁of▁sentence｜>",
                      "string_args": 0.95, "kwargs": {"thinking": ["<absent>", True, False]}},
    "glm4_6": {"eos": "<|endoftext|>", "kwargs": {"enable_thinking": ["<absent>", True, False]}},
    "gpt_oss": {"eos": "<|return|>", "reasoning_field": "thinking", "max_calls": 1,
                "kwargs": {"reasoning_effort": ["<absent>", "low", "high"],
                           "builtin_tools": ["<absent>", ["browser"], ["python", "browser"]],
                           "model_identity": ["<absent>", "You are a test model ✓."]}},
}

DEFAULT_SPEC = {"eos": "</s>"}
