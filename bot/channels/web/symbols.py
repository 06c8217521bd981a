"""The symbols on the web chat's buttons, as pictures that look the same on every phone.

Every button title starts with a symbol and then its words ("✅ Yes"). The widget
shows that symbol as an SVG from ``static/symbols/`` (OpenMoji, CC BY-SA 4.0) when
the set has it, and as text when it does not. Each file is named as OpenMoji names
it: the symbol's code points in hex, joined by "-" (``2705.svg``, ``1F9D1-200D-1F3EB.svg``).

This module finds the symbols the buttons use (``domain.yml``, the widget's own
words, the actions and the channel messages) and copies their pictures from the
OpenMoji npm package, unpacked in a folder::

    npm pack openmoji@17.0.0 && tar xzf openmoji-17.0.0.tgz
    .venv/bin/python -m bot.channels.web.symbols package

It removes pictures no button uses any more and writes the list of files into
``widget.js`` (``SYMBOL_FILES``). The server never uses this module: the pictures
are kept in the repository and served as they are.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

WEB = Path(__file__).resolve().parent
ROOT = WEB.parents[2]
SYMBOLS_DIR = WEB / "static" / "symbols"
WIDGET_JS = WEB / "static" / "widget.js"
DOMAIN = ROOT / "domain.yml"
ACTIONS = ROOT / "actions"
CHANNEL_MESSAGES = ROOT / "bot" / "content" / "channel_messages.yml"

# Symbols a button may start with that stay as text on purpose, each with the reason.
# None today: OpenMoji has every symbol the buttons use. A symbol goes here only when
# OpenMoji has no picture for it, or its picture would say something else.
LEFT_AS_TEXT: dict[str, str] = {}

# A button title that starts with a symbol: the symbol, then the words (as in widget.js).
LEADING_SYMBOL = re.compile(r"^([^\w\s]+)\s+\S", re.S)
# The invisible mark that asks for the emoji look. OpenMoji leaves it out of most names.
EMOJI_LOOK = "\ufe0f"
# In widget.js: which WORDS are button titles, and the list of shipped files.
WIDGET_BUTTON_WORDS = re.compile(r"(?:button\(|setLabel\(\w+,\s*|title:\s*)WORDS\.(\w+)")
WIDGET_FILE_LIST = re.compile(r"var SYMBOL_FILES = \[[^\]]*\];")
# In the actions: titles written out ("title": "❌ No thanks", ("👪 Parent or carer", ...)).
ACTION_TITLE = re.compile(r"""(?:"title":\s*|_button\(|^\s*\()f?"([^"]+)\"""", re.M)


def leading_symbol(title: str) -> str | None:
    """The symbol a button title starts with, or None when it starts with a word."""
    match = LEADING_SYMBOL.match(title)
    return match.group(1) if match else None


def symbol_key(symbol: str) -> str:
    """What a symbol is matched to its file by: its code points, without the emoji-look mark.

    ``symbol_key("⚙️") == "2699"``, as ``file_key("2699")``; widget.js matches the same way.
    """
    return "-".join(f"{ord(c):04X}" for c in symbol if c != EMOJI_LOOK)


def file_key(name: str) -> str:
    """The key of a picture's file name (``2699`` or ``2764-FE0F-200D-1F525``)."""
    return "-".join(p.upper().zfill(4) for p in name.split("-") if p.upper() != "FE0F")


def _widget_words() -> dict[str, str]:
    text = WIDGET_JS.read_text(encoding="utf-8")
    block = text[text.index("var WORDS = {") : text.index("};", text.index("var WORDS = {"))]
    return dict(re.findall(r'^\s+(\w+): "([^"]*)"', block, re.M))


def button_titles() -> Iterator[tuple[str, str]]:
    """(where, title) for every button title a family can see in the web chat."""
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    for name, variants in domain.get("responses", {}).items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                yield f"domain.yml {name}", button["title"]
    words = _widget_words()
    for key in sorted(set(WIDGET_BUTTON_WORDS.findall(WIDGET_JS.read_text(encoding="utf-8")))):
        yield f"widget.js WORDS.{key}", words[key]
    for path in sorted(ACTIONS.glob("*.py")):
        for title in ACTION_TITLE.findall(path.read_text(encoding="utf-8")):
            if not title[0].isascii():
                yield f"actions/{path.name}", title
    messages = yaml.safe_load(CHANNEL_MESSAGES.read_text(encoding="utf-8"))
    for key in ("safety_check_yes", "safety_check_no"):
        yield f"channel_messages.yml {key}", messages[key]


def button_symbols() -> dict[str, list[str]]:
    """Each symbol a button title starts with, and where it is used."""
    found: dict[str, list[str]] = {}
    for where, title in button_titles():
        symbol = leading_symbol(title)
        if symbol:
            found.setdefault(symbol, []).append(where)
    return found


def shipped() -> dict[str, str]:
    """The shipped pictures: key (see ``symbol_key``) to file name."""
    return {file_key(path.stem): path.name for path in sorted(SYMBOLS_DIR.glob("*.svg"))}


def _file_list(names: list[str]) -> str:
    lines, line = [], "   "
    for name in names:
        item = f' "{name}",'
        if len(line) + len(item) > 95:
            lines.append(line)
            line = "   "
        line += item
    lines.append(line.rstrip(","))
    return "var SYMBOL_FILES = [\n" + "\n".join(lines) + "\n  ];"


def copy_from(package: Path) -> list[str]:
    """Copy the pictures the buttons use from an unpacked OpenMoji npm package.

    Returns the symbols OpenMoji has no picture for (they stay as text).
    """
    data = json.loads((package / "data" / "openmoji.json").read_text(encoding="utf-8"))
    hexcodes = {file_key(entry["hexcode"]): entry["hexcode"] for entry in data}
    SYMBOLS_DIR.mkdir(parents=True, exist_ok=True)
    wanted, missing = [], []
    for symbol in button_symbols():
        hexcode = hexcodes.get(symbol_key(symbol))
        if symbol in LEFT_AS_TEXT or hexcode is None:
            missing.append(symbol)
            continue
        name = f"{hexcode}.svg"
        shutil.copyfile(package / "color" / "svg" / name, SYMBOLS_DIR / name)
        wanted.append(name)
    for old in SYMBOLS_DIR.glob("*.svg"):
        if old.name not in wanted:
            old.unlink()
    names = sorted(name.removesuffix(".svg") for name in wanted)
    widget = WIDGET_JS.read_text(encoding="utf-8")
    WIDGET_JS.write_text(WIDGET_FILE_LIST.sub(_file_list(names), widget), encoding="utf-8")
    return missing


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not (Path(args[0]) / "data" / "openmoji.json").exists():
        print("Usage: python -m bot.channels.web.symbols PATH_TO_UNPACKED_OPENMOJI_PACKAGE")
        return 2
    package = Path(args[0])
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    missing = copy_from(package)
    print(f"OpenMoji {version}: {len(shipped())} pictures in {SYMBOLS_DIR}")
    if missing:
        print("Left as text (not in OpenMoji, or in LEFT_AS_TEXT): " + " ".join(missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
