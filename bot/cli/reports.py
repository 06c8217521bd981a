"""``copro export``, ``copro quality`` and ``copro purge``: the aggregated feedback (small groups
withheld), staff's quality self-assessments of organisations, and the retention policy."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from bot.cli.shape import CoproCommand, CoproGroup, IsoDate, OneOf, write_or_print
from bot.cli.store import open_store
from bot.settings import get_settings


@click.command(
    "export",
    cls=CoproCommand,
    help="Aggregated feedback per review; groups under COPRO_MIN_GROUP are withheld.",
)
@click.option("--format", "file_format", default="csv", type=OneOf(("csv", "xlsx", "json")))
@click.option("--review", help="Only the review with this code.")
@click.option("--charter", "only_charter", help="Only this charter pack id.")
@click.option("--since", type=IsoDate(), help="Reviews held on or after (YYYY-MM-DD).")
@click.option("--until", type=IsoDate(), help="Reviews held on or before (YYYY-MM-DD).")
@click.option("--out", help="Write to this file instead of the screen.")
@click.option(
    "--comments",
    is_flag=True,
    help="Add comments (json, xlsx), redacted, for reviews of COPRO_MIN_GROUP people or more.",
)
def export_command(
    file_format: str,
    review: str | None,
    only_charter: str | None,
    since: date | None,
    until: date | None,
    out: str | None,
    comments: bool,
) -> int:
    """Aggregated feedback, small groups withheld (the export contract)."""
    from tqdm import tqdm

    from bot.staff.export import build_export
    from bot.staff.export_files import export_csv, export_json, export_xlsx

    settings = get_settings()
    if since and until and since > until:
        print("--since must be on or before --until.", file=sys.stderr)
        return 2
    if comments and file_format == "csv":
        print("Comments come in the json or xlsx formats.", file=sys.stderr)
        return 2
    if file_format == "xlsx" and not out:
        print("An XLSX file needs --out, for example --out feedback.xlsx", file=sys.stderr)
        return 2

    def progress(items):  # type: ignore[no-untyped-def]
        return tqdm(items, desc="Reviews", unit="review", disable=not sys.stderr.isatty())

    with open_store() as session:
        results = build_export(
            session,
            settings.min_group,
            code=review,
            charter=only_charter,
            since=since,
            until=until,
            progress=progress,
            comments=comments,
        )
    if review and not results:
        print(f"No review with the code {review}.", file=sys.stderr)
        return 1
    written = f"Wrote {len(results)} reviews to {out}."
    if file_format == "xlsx":
        Path(out).write_bytes(export_xlsx(results, settings.min_group))  # type: ignore[arg-type]
        print(written)
    elif file_format == "csv":
        write_or_print(export_csv(results, settings.min_group), out, written)
    else:
        write_or_print(export_json(results, settings.min_group) + "\n", out, written)
    return 0


@click.group(
    "quality",
    cls=CoproGroup,
    help="Quality indicators: staff's self-assessments of organisations (not family data).",
)
def quality_group() -> None:
    """Quality indicators: staff's self-assessments of organisations."""


@quality_group.command("list", help="Organisations assessed, with their latest heading averages.")
def quality_list() -> int:
    """Organisations with a quality indicators self-assessment, and their latest averages."""
    from bot.staff import quality_sums

    with open_store() as session:
        rows = quality_sums.list_organisations(session)
    if not rows:
        print("No quality assessments yet. Start one on the staff dashboard: /staff/quality/new")
        return 0
    for row in rows:
        times = "1 assessment" if row.assessments == 1 else f"{row.assessments} assessments"
        print(f"{row.organisation} ({row.area}): {times}, latest on {row.latest_on}")
        for h in row.headings:
            words = (
                "not rated" if h.average.value is None else f"{h.average.shown} ({h.average.band})"
            )
            print(f"  {h.name}: {words}")
    return 0


@quality_group.command(
    "report", help="One organisation's assessments over time: scores, averages, notes."
)
@click.option(
    "--organisation",
    required=True,
    metavar="NAME",
    help="Its name, as in `copro quality list` (any case).",
)
@click.option(
    "--charter",
    "only_charter",
    metavar="ID",
    help="The charter pack id (default: that of its latest assessment).",
)
@click.option("--format", "file_format", default="csv", type=OneOf(("csv", "json")))
@click.option("--out", help="Write to this file instead of the screen.")
def quality_report(
    organisation: str, only_charter: str | None, file_format: str, out: str | None
) -> int:
    """One organisation's self-assessments over time, as CSV or JSON."""
    from bot.staff import quality_files, quality_sums

    with open_store() as session:
        report = quality_sums.organisation_report(session, organisation, only_charter)
    if report is None:
        against = f" against the {only_charter} charter" if only_charter else ""
        print(
            f"No quality assessment of an organisation called {organisation.strip()!r}"
            f"{against}. See them all with: copro quality list",
            file=sys.stderr,
        )
        return 1
    text = (
        quality_files.report_csv(report)
        if file_format == "csv"
        else quality_files.report_json(report) + "\n"
    )
    count = len(report.assessments)
    times = "1 assessment" if count == 1 else f"{count} assessments"
    write_or_print(text, out, f"Wrote {times} of {report.organisation} to {out}.")
    return 0


def run_purge(days: int | None = None) -> str:
    """Apply the retention policy to our store and Rasa's tracker store; say what went."""
    from bot.store.retention import cutoff_for, purge
    from bot.store.tracker import purge_conversations

    settings = get_settings()
    cutoff = cutoff_for(settings.retention_days if days is None else days)
    with open_store() as session:
        purged = purge(session, cutoff)
    events = purge_conversations(settings.tracker_url, cutoff.timestamp())
    return (
        f"Deleted data with no activity since {cutoff:%Y-%m-%d %H:%M} UTC: "
        f"{purged.answers} answers, {purged.responses} responses, "
        f"{purged.respondents} respondents, {purged.safety_flags} closed safety flags, "
        f"{purged.concerns} concerns, {purged.messages} messages, "
        f"{purged.telegram_chats} Telegram chat ids, "
        f"{events} conversation events. Their counts are kept as tallies. "
        f"{purged.family_pledges_anonymised} family pledges no longer say who made them."
    )


@click.command(
    "purge",
    cls=CoproCommand,
    help="Apply the retention policy now: delete identifiable data older than "
    "COPRO_RETENTION_DAYS (default 365), keeping only counts.",
)
@click.option("--days", type=int, default=None, help="Override COPRO_RETENTION_DAYS for this run.")
def purge_command(days: int | None) -> int:
    """Apply the retention policy now and say what went."""
    print(run_purge(days))
    return 0
