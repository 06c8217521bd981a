"""The project's YAML files, each parsed once per test process (with libyaml when it is there)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _parsed(relative: str) -> Any:
    return yaml.load((PROJECT_ROOT / relative).read_text(encoding="utf-8"), Loader=LOADER)


def project_yaml(relative: str) -> Any:
    """A file of the project (a path from its root) as data: a copy a test may change."""
    return copy.deepcopy(_parsed(relative))
