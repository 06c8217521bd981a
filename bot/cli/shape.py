"""What every ``copro`` command shares: usage lines and mistakes worded as staff know them
(``usage: copro ...``, ``invalid choice``), dates, the default charter, and output to a file
or the screen."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot.settings import get_settings


class CoproShape:
    """Usage lines that start ``usage: copro ...``, as the guides quote them, and command
    lists that show each command's whole summary."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="usage: ")

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=300)  # type: ignore[misc]


class CoproCommand(CoproShape, click.Command):
    """A ``copro`` command."""


class CoproGroup(CoproShape, click.Group):
    """A group of ``copro`` commands (``copro review``, ``copro staff``, ...)."""

    command_class = CoproCommand
    group_class = type


class OneOf(click.Choice):
    """A value from a fixed list; anything else is an ``invalid choice``, naming the list."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        choices = ", ".join(map(repr, self.choices))
        return f"invalid choice: {value!r} (choose from {choices})"


def iso_date(text: str) -> date:
    """A date written like 2026-03-31; a usage mistake otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} is not a date like 2026-03-31") from error


class IsoDate(click.ParamType):
    """An option's value read with :func:`iso_date`."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):  # type: ignore[no-untyped-def]
        if isinstance(value, date):
            return value
        try:
            return iso_date(value)
        except click.BadParameter as problem:
            self.fail(problem.message, param, ctx)


def charter_or_default(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The charter pack given with --charter, or COPRO_CHARTER's when none is."""
    return get_settings().charter if value is None else value


def text_refused(what: str, problem: Exception, limit: int) -> int:
    """Say why a text to send was refused (empty or too long); the usage mistake's code, 2."""
    print(f"The {what} is {problem}: please write up to {limit} characters.", file=sys.stderr)
    return 2


def write_or_print(text: str, out: str | None, written: str) -> None:
    """Write ``text`` to the file ``out`` and say ``written``, or print it when there is none."""
    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(written)
    else:
        sys.stdout.write(text)
