"""The ``copro`` command: run and manage the co-production assistant.

Each group of commands lives in its own module; this one gathers them under ``copro`` and
runs them with :func:`main`, which returns the command's exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from bot.cli.concerns import concerns_group
from bot.cli.db import db_group
from bot.cli.language import charters_group, nlp_group, redact_command, safety_group
from bot.cli.pledges import pledges_command
from bot.cli.reports import export_command, purge_command, quality_group, run_purge
from bot.cli.reviews import review_group
from bot.cli.run import run_command, stop_processes
from bot.cli.safeguarding import safeguarding_group
from bot.cli.services import (
    MODEL_PATH,
    action_server_command,
    production_problems,
    production_services,
    rasa_server_command,
    server_command,
    service_commands,
    service_env,
    telegram_poll_command,
)
from bot.cli.shape import CoproGroup, iso_date
from bot.cli.staff import staff_group
from bot.cli.telegram import push_telegram, telegram_group
from bot.staff.reviews import CODE_ALPHABET, new_review_code

__all__ = [
    "CODE_ALPHABET",
    "MODEL_PATH",
    "action_server_command",
    "copro",
    "iso_date",
    "main",
    "new_review_code",
    "production_problems",
    "production_services",
    "push_telegram",
    "rasa_server_command",
    "run_purge",
    "server_command",
    "service_commands",
    "service_env",
    "stop_processes",
    "telegram_poll_command",
]


@click.group(
    "copro",
    cls=CoproGroup,
    help="Co-production companion: run and manage the assistant.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
def copro() -> None:
    """The root of every ``copro`` command."""


for command in (
    run_command,
    nlp_group,
    safety_group,
    redact_command,
    charters_group,
    db_group,
    purge_command,
    safeguarding_group,
    export_command,
    pledges_command,
    concerns_group,
    quality_group,
    telegram_group,
    staff_group,
    review_group,
):
    copro.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``copro`` with ``argv`` (default: this process's arguments); the exit code.

    Help and mistakes in the arguments leave with SystemExit, as the command line always has:
    0 after help, 2 after a usage mistake (explained on standard error). Click's own
    ``standalone_mode=False`` would turn help into a plain 0, so the context is run here.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with copro.make_context("copro", args) as ctx:
            return int(copro.invoke(ctx) or 0)
    except click.exceptions.Exit as finished:
        raise SystemExit(finished.exit_code) from None
    except click.UsageError as problem:
        problem.show()
        raise SystemExit(problem.exit_code) from None
    except click.ClickException as problem:
        problem.show()
        return problem.exit_code
    except click.Abort:
        print("Aborted!", file=sys.stderr)
        return 1
