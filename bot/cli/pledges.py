"""``copro pledges``: the public pledge register (organisations by name, families as counts),
and recording that a charter's whole framework was reviewed."""

from __future__ import annotations

import sys

import click

from bot.cli.shape import CoproCommand, OneOf, write_or_print
from bot.cli.store import open_store
from bot.settings import get_settings


def known_pack(charter: str):  # type: ignore[no-untyped-def]
    """The charter pack ``charter``, or None after saying there is no such pack."""
    from bot.content import ContentError, get_pack

    try:
        return get_pack(charter)
    except ContentError as error:
        print(error, file=sys.stderr)
        return None


@click.command(
    "pledges",
    cls=CoproCommand,
    help="The public pledge register: organisations by name, families as counts.",
)
@click.option("--format", "file_format", default="csv", type=OneOf(("csv", "json")))
@click.option("--charter", "only_charter", help="Only this charter pack id.")
@click.option("--out", help="Write to this file instead of the screen.")
@click.option(
    "--framework-reviewed",
    metavar="CHARTER",
    help="Record that this charter's whole framework was reviewed today, and stop.",
)
def pledges_command(
    file_format: str,
    only_charter: str | None,
    out: str | None,
    framework_reviewed: str | None,
) -> int:
    """The public pledge register (or record a review of a charter's framework)."""
    from bot.reports.register import build_register, register_csv, register_json
    from bot.store import pledges as pledge_store

    with open_store() as session:
        if framework_reviewed is not None:
            pack = known_pack(framework_reviewed)
            if pack is None:
                return 2
            pledge_store.record_framework_review(session, pack.id)
            print(f"A review of the {pack.area} charter's framework is recorded today.")
            return 0
        if only_charter and known_pack(only_charter) is None:
            return 2
        registers = build_register(session, only_charter, min_group=get_settings().min_group)
    text = register_csv(registers) if file_format == "csv" else register_json(registers) + "\n"
    write_or_print(text, out, f"Wrote the pledge register to {out}.")
    return 0
