"""The store owns every query: outside bot/store/, no module builds or runs one.

Every Python module under bot/ and actions/ (bot/store/ apart) may import from
SQLAlchemy only ``Session`` from ``sqlalchemy.orm`` (for type hints) and names
from ``sqlalchemy.exc`` (to catch the store's errors), and calls no ``.query(``,
``.execute(``, ``.scalars(`` or ``.scalar(`` on anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("bot", "actions")
STORE = ROOT / "bot" / "store"
QUERY_CALLS = {"query", "execute", "scalars", "scalar"}
ALLOWED_FROM = {"sqlalchemy.orm": {"Session"}}
ALLOWED_ANY_NAME = {"sqlalchemy.exc"}


def _is_sqlalchemy(module: str) -> bool:
    return module == "sqlalchemy" or module.startswith("sqlalchemy.")


def breaches(source: str, where: str) -> list[str]:
    """Each import or call in ``source`` that only the store may make, as "where:line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_sqlalchemy(alias.name):
                    found.append(f"{where}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not _is_sqlalchemy(node.module) or node.module in ALLOWED_ANY_NAME:
                continue
            allowed = ALLOWED_FROM.get(node.module, set())
            for alias in node.names:
                if alias.name not in allowed:
                    found.append(f"{where}:{node.lineno}: from {node.module} import {alias.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_CALLS
        ):
            found.append(f"{where}:{node.lineno}: .{node.func.attr}(...)")
    return sorted(found, key=lambda breach: int(breach.split(":")[1]))


def checked_modules() -> list[Path]:
    """Every Python module under bot/ and actions/, bot/store/ apart."""
    return sorted(
        path
        for folder in CHECKED
        for path in (ROOT / folder).rglob("*.py")
        if STORE not in path.parents
    )


def test_only_the_store_queries():
    modules = checked_modules()
    assert len(modules) > 20  # the walk found the product's modules
    found = [
        breach
        for path in modules
        for breach in breaches(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "Only bot/store/ may query the database:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source,expected",
    [
        ("from sqlalchemy import select\n", ["example.py:1: from sqlalchemy import select"]),
        ("import sqlalchemy as sa\n", ["example.py:1: import sqlalchemy"]),
        (
            "from sqlalchemy.orm import Session, selectinload\n",
            ["example.py:1: from sqlalchemy.orm import selectinload"],
        ),
        ("x = 1\nrows = session.execute(q)\n", ["example.py:2: .execute(...)"]),
        ("def f(s):\n    return s.scalar(q)\n", ["example.py:2: .scalar(...)"]),
        ("s.query(Review).all()\n", ["example.py:1: .query(...)"]),
        ("list(session.scalars(q))\n", ["example.py:1: .scalars(...)"]),
    ],
)
def test_a_query_outside_the_store_is_named_with_its_line(source, expected):
    assert breaches(source, "example.py") == expected


def test_type_hints_and_the_stores_errors_are_allowed():
    source = (
        "from sqlalchemy.orm import Session\n"
        "from sqlalchemy.exc import IntegrityError, SQLAlchemyError\n"
        "from bot.store import quality\n"
        "from . import sibling\n"
        "rows = quality.ratings_in(session, ids)\n"
    )
    assert breaches(source, "example.py") == []
