#!/usr/bin/env python3
"""Renders the chat-template fixtures in tests/data/chat/expected/ with Python jinja2.

Every template in tests/data/chat/templates/ is rendered on every conversation in
tests/data/chat/conversations.json; the C++ interpreter (core/text/chat) must reproduce the
results byte for byte (tests/text/chat/template_fixture_test.cpp).

The environment is the one HuggingFace transformers' apply_chat_template builds, with one
difference: trim_blocks and lstrip_blocks on, the loopcontrols extension, a `tojson` filter that
is json.dumps(ensure_ascii=False, indent, separators, sort_keys=False), and a `raise_exception`
global -- but a SandboxedEnvironment instead of transformers' ImmutableSandboxedEnvironment,
because the immutable one refuses `list.append`/`list.pop`, which the Kimi-K2 templates call on
every tool call (llama.cpp's minja allows them too).

Variables: messages, add_generation_prompt, bos_token and eos_token (tests/data/chat/
templates.json), tools (None when the case has none, as transformers passes it), then the case's
"variables". A render that raises is stored as <case>.error (exception type, a tab, message).

Usage: python3 scripts/render_chat_templates.py   (with jinja2 installed, or, since jinja2 and
markupsafe are pure Python, with their source trees: PYTHONPATH=<jinja>/src:<markupsafe>/src)
"""
import json
import os
import sys

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import SandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "chat")


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def make_env():
    env = SandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def main() -> int:
    with open(os.path.join(DATA, "templates.json"), encoding="utf-8") as f:
        tokens = json.load(f)
    with open(os.path.join(DATA, "conversations.json"), encoding="utf-8") as f:
        cases = json.load(f)
    env = make_env()
    written = 0
    for stem, special in tokens.items():
        with open(os.path.join(DATA, "templates", stem + ".jinja"), encoding="utf-8", newline="") as f:
            template = env.from_string(f.read())
        out_dir = os.path.join(DATA, "expected", stem)
        os.makedirs(out_dir, exist_ok=True)
        for case in cases:
            variables = {
                "messages": case["messages"],
                "add_generation_prompt": case["add_generation_prompt"],
                "bos_token": special["bos_token"],
                "eos_token": special["eos_token"],
                "tools": case.get("tools"),
            }
            variables.update(case.get("variables", {}))
            for old in ("txt", "error"):
                path = os.path.join(out_dir, f"{case['name']}.{old}")
                if os.path.exists(path):
                    os.remove(path)
            try:
                text, ext = template.render(**variables), "txt"
            except Exception as e:  # the C++ side must fail too; raise_exception's text must match
                text, ext = f"{type(e).__name__}\t{e}", "error"
            with open(os.path.join(out_dir, f"{case['name']}.{ext}"), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            written += 1
    print(f"jinja2 from {os.path.dirname(jinja2.__file__)}: wrote {written} renderings under {DATA}/expected",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
