"""The ``copro`` command."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.staff.reviews import CODE_ALPHABET, LADDER_LEVELS, new_review_code

__all__ = ["CODE_ALPHABET", "main", "new_review_code"]
MODEL_PATH = PROJECT_ROOT / "models" / "current.tar.gz"


def cmd_nlp_build(args: argparse.Namespace) -> int:
    from bot.nlp.build import build_pipeline
    from bot.safety.build import build_classifier

    settings = get_settings()
    target = Path(settings.spacy_model)
    built = build_pipeline(target, force=args.force)
    print(f"spaCy pipeline {'built' if built else 'already up to date'} at {target}")
    model = Path(settings.safety_model)
    thresholds = build_classifier(model, force=args.force)
    if thresholds is None:
        print(f"Risk classifier already up to date at {model}")
    else:
        print(
            f"Risk classifier built at {model} from {thresholds.examples} examples: "
            f"possible from {thresholds.possible:.3f}, severe from {thresholds.severe:.3f} "
            f"(cross-validated recall {thresholds.cv_recall:.1%})"
        )
    return 0


def cmd_safety_check(args: argparse.Namespace) -> int:
    """One message per line in; one JSON object per line out (level, cards, score)."""
    from bot.safety import default_check

    check = default_check()
    for line in sys.stdin:
        text = line.rstrip("\n")
        assessment = check.assess(text)
        result = assessment.as_dict()
        if args.explain:
            result["categories"] = list(assessment.categories)
            result["matched"] = {hit.card.id: hit.words for hit in assessment.hits}
            result["thresholds"] = {
                "possible": check.thresholds.possible,
                "severe": check.thresholds.severe,
            }
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    """One comment per line in; each redacted, one per line out (as every export does)."""
    from bot.redaction import redact

    for line in sys.stdin:
        print(redact(line.rstrip("\n")), flush=True)
    return 0


def cmd_charters_check(args: argparse.Namespace) -> int:
    from bot.content import ContentError, load_pack
    from bot.content.loader import PACKS_DIR

    paths = [Path(p) for p in args.files] or sorted(PACKS_DIR.glob("*.yml"))
    failures = 0
    for path in paths:
        try:
            pack = load_pack(path)
        except (ContentError, OSError) as error:
            failures += 1
            print(f"FAIL {error}", file=sys.stderr)
            continue
        quality = sum(len(h.statements) for h in pack.quality_indicators)
        print(
            f"ok   {path.name}: {pack.area}, {len(pack.principles)} principles, "
            f"{len(pack.questions)} questions, {len(pack.ladder)} ladder steps, "
            f"pledges for {', '.join(pack.pledges) or 'nobody yet'}"
            + (f", {quality} quality indicators" if quality else "")
        )
    if not args.files:
        # The shared content every pack uses: glossary and quiz.
        from bot.content import list_packs, quiz_items
        from bot.content.glossary import glossary_terms
        from bot.settings import get_settings

        try:
            print(f"ok   glossary.yml: {len(glossary_terms())} terms")
            print(f"ok   quiz.yml: {len(quiz_items())} stories")
            contacts = get_settings().contacts_file
            if contacts is not None:
                list_packs()  # staff's contacts are checked as they are laid over the packs
                print(f"ok   {contacts.name}: local contacts")
        except ContentError as error:
            failures += 1
            print(f"FAIL {error}", file=sys.stderr)
    return 1 if failures else 0


def cmd_charters_questions(args: argparse.Namespace) -> int:
    from bot.content import ContentError, get_pack

    try:
        pack = get_pack(args.charter)
    except ContentError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    for heading, questions in (
        ("Always asked", pack.questions),
        ("Optional (copro review create --question ID)", pack.optional_questions),
    ):
        print(f"{heading}:")
        for question in questions:
            print(f"  {question.id:<20} {question.text}")
        if not questions:
            print("  none")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.store.db import upgrade

    upgrade()
    print("Database is up to date.")
    return 0


REVIEW_PROBLEMS = {
    "title": "Error: --title must be 1 to 200 characters.",
    "date": "Error: --date must be a date like 2026-11-20.",
}


def cmd_review_create(args: argparse.Namespace) -> int:
    from bot.staff import reviews
    from bot.store.db import unit_of_work, upgrade

    try:
        checked = reviews.check_new_review(
            args.title, args.charter, args.level, args.date, args.question
        )
    except reviews.ReviewProblem as problem:
        print(REVIEW_PROBLEMS.get(problem.field, f"Error: {problem}"), file=sys.stderr)
        return 2
    upgrade()
    with unit_of_work() as session:
        code = reviews.create_review(session, checked)
    links = reviews.review_links(get_settings(), code)
    print(f"Review code: {code}")
    print(f"Web link: {links.web_link}")
    if links.telegram_link:
        print(f"Telegram link: {links.telegram_link}")
    else:
        print("Telegram link: set COPRO_TELEGRAM_BOT (the bot's user name) to get one.")
    if args.qr:
        reviews.qr_code(links.web_link).save(args.qr, scale=8, border=4)
        print(f"QR code of the web link: {args.qr}")
    return 0


def cmd_review_update(args: argparse.Namespace) -> int:
    """You said, we did: save what changed and send it to the people who asked to hear."""
    from bot.store import concerns, repository, updates
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    try:
        with unit_of_work() as session:
            review = repository.review_by_code(session, args.code.strip().upper())
            if review is None:
                print(f"No review with the code {args.code}.", file=sys.stderr)
                return 1
            told = updates.post_update(session, review, args.text).people_told
            code = review.code
    except concerns.TextProblem as problem:
        print(
            f"The text is {problem}: please write up to {updates.UPDATE_MAX} characters.",
            file=sys.stderr,
        )
        return 2
    min_group = get_settings().min_group
    people = f"fewer than {min_group} people" if 0 < told < min_group else f"{told} people"
    print(f"Saved for review {code}. It goes to {people} who asked to hear back.")
    if told and push_telegram():
        print("Telegram users have it now; web chat users see it on their next visit.")
    elif told:
        print("They see it with their next message.")
    return 0


def cmd_review_close(args: argparse.Namespace) -> int:
    """Close a review: its code no longer opens it; its answers stay for the exports."""
    from bot.staff.reviews import close_review
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        code = close_review(session, args.code)
    if code is None:
        print(f"No open review with the code {args.code}.", file=sys.stderr)
        return 1
    print(f"Review {code} is closed. Its answers are kept for the exports.")
    return 0


def service_env(base: dict[str, str]) -> dict[str, str]:
    """The environment for the action server and Rasa: local only, no telemetry."""
    return {
        **base,
        # rasa-sdk's server listens on SANIC_HOST (default 0.0.0.0): keep it on this machine.
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def action_server_command(port: int) -> list[str]:
    """The Rasa action server, running the actions package."""
    rasa = str(Path(sys.executable).parent / "rasa")
    return [rasa, "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_server_command(model: Path, endpoints: Path, port: int) -> list[str]:
    """The Rasa server: REST channel only, on localhost, without the HTTP API."""
    rasa = str(Path(sys.executable).parent / "rasa")
    return [
        rasa,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def server_command(host: str, port: int) -> list[str]:
    """Serve bot.server with uvicorn, with its bounds on slow and idle clients (bot.serving)."""
    return [sys.executable, "-m", "bot.serving", "--host", host, "--port", str(port)]


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    print("Starting:", " ".join(command), flush=True)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


PURGE_EVERY_SECONDS = 24 * 60 * 60


def _wait_until(processes: list[subprocess.Popen[bytes]], daily=None) -> int:
    """Watch the processes; stop them all on Ctrl+C, SIGTERM or when one of them stops.

    ``daily`` (if given) runs now and then once a day while they run.
    """
    # Set explicitly: a shell that starts us in the background makes SIGINT ignored.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    next_daily = time.monotonic()
    try:
        while True:
            for process in processes:
                code = process.poll()
                if code is not None:
                    print(f"A process stopped (exit {code}); stopping the rest.", flush=True)
                    return code or 1
            if daily is not None and time.monotonic() >= next_daily:
                next_daily = time.monotonic() + PURGE_EVERY_SECONDS
                try:
                    print(daily(), flush=True)
                except Exception as error:  # noqa: BLE001 - the chat must keep running
                    print(f"The daily clean-up failed: {type(error).__name__}", flush=True)
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_processes(processes)


def stop_processes(processes: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """Ask each process to stop; kill any still running after ``timeout`` seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


def run_purge(days: int | None = None) -> str:
    """Apply the retention policy to our store and Rasa's tracker store; say what went."""
    from bot.store.db import unit_of_work
    from bot.store.retention import cutoff_for, purge
    from bot.store.tracker import purge_conversations

    settings = get_settings()
    cutoff = cutoff_for(settings.retention_days if days is None else days)
    with unit_of_work() as session:
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


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.store.db import upgrade

    upgrade()
    print(run_purge(args.days))
    return 0


def cmd_safeguarding_list(args: argparse.Namespace) -> int:
    """The staff safeguarding queue: why each message was flagged, who was told, what was said."""
    from bot.store import safeguarding
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    status = None if args.status == "all" else args.status
    with unit_of_work() as session:
        flags = safeguarding.flags(session, status)
        if not flags:
            print(
                "No safeguarding messages" + ("" if status is None else f" with status {status}.")
            )
            return 0
        for flag in flags:
            alerts = ", ".join(f"{a.route} to {a.target}: {a.status}" for a in flag.alerts)
            acknowledged = (
                f"by {flag.acknowledged_by} {flag.acknowledged_at:%Y-%m-%d %H:%M} UTC"
                if flag.acknowledged_at
                else "not yet"
            )
            score = "-" if flag.score is None else f"{flag.score:.2f}"
            print(
                f"#{flag.id} [{flag.status}] {flag.level}, {flag.created_at:%Y-%m-%d %H:%M} UTC, "
                f"{flag.charter}, {flag.channel}\n"
                f"  Why: cards {flag.cards or '-'}; classifier score {score}; "
                f"found by {flag.detected_by}\n"
                f"  Where: {flag.context or '-'}\n"
                f"  Alerts: {alerts or 'none'}; acknowledged {acknowledged}\n"
                f"  Person (pseudonym): {flag.pseudonym}\n"
                f"  Message: {flag.message}"
            )
    return 0


def _change_flag(flag_id: int, change, done: str) -> int:  # type: ignore[no-untyped-def]
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        if not change(session):
            print(f"No safeguarding message #{flag_id}.", file=sys.stderr)
            return 1
    print(f"Safeguarding message #{flag_id} {done}")
    return 0


def cmd_safeguarding_set(args: argparse.Namespace) -> int:
    from bot.store import safeguarding

    return _change_flag(
        args.id,
        lambda session: safeguarding.set_status(session, args.id, args.status),
        f"is now {args.status}.",
    )


def cmd_safeguarding_acknowledge(args: argparse.Namespace) -> int:
    from bot.store import safeguarding

    return _change_flag(
        args.id,
        lambda session: safeguarding.acknowledge(session, args.id, args.by),
        "is acknowledged: no second alert will be sent.",
    )


def cmd_safeguarding_marks(args: argparse.Namespace) -> int:
    """Marked flags as labelled lines for bot/safety/data/risk.jsonl (staff only)."""
    from bot.store import safeguarding
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        for marked in safeguarding.marked_messages(session):
            line = {"text": marked.text, "label": marked.label, "source": "staff", "category": ""}
            print(json.dumps(line, ensure_ascii=False))
    return 0


def cmd_pledges(args: argparse.Namespace) -> int:
    """The public pledge register (or record a review of a charter's framework)."""
    from bot.reports.register import build_register, register_csv, register_json
    from bot.store import pledges
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        if args.framework_reviewed is not None:
            from bot.content import ContentError, get_pack

            try:
                pack = get_pack(args.framework_reviewed)
            except ContentError as error:
                print(error, file=sys.stderr)
                return 2
            pledges.record_framework_review(session, pack.id)
            print(f"A review of the {pack.area} charter's framework is recorded today.")
            return 0
        if args.only_charter:
            from bot.content import ContentError, get_pack

            try:
                get_pack(args.only_charter)
            except ContentError as error:
                print(error, file=sys.stderr)
                return 2
        registers = build_register(session, args.only_charter, min_group=get_settings().min_group)
    text = register_csv(registers) if args.format == "csv" else register_json(registers) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote the pledge register to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from error


def cmd_export(args: argparse.Namespace) -> int:
    """Aggregated feedback, small groups withheld (the export contract)."""
    from tqdm import tqdm

    from bot.staff.export import build_export
    from bot.staff.export_files import export_csv, export_json, export_xlsx
    from bot.store.db import unit_of_work, upgrade

    settings = get_settings()
    if args.since and args.until and args.since > args.until:
        print("--since must be on or before --until.", file=sys.stderr)
        return 2
    if args.comments and args.format == "csv":
        print("Comments come in the json or xlsx formats.", file=sys.stderr)
        return 2
    if args.format == "xlsx" and not args.out:
        print("An XLSX file needs --out, for example --out feedback.xlsx", file=sys.stderr)
        return 2
    upgrade()

    def progress(items):
        return tqdm(items, desc="Reviews", unit="review", disable=not sys.stderr.isatty())

    with unit_of_work() as session:
        results = build_export(
            session,
            settings.min_group,
            code=args.review,
            charter=args.only_charter,
            since=args.since,
            until=args.until,
            progress=progress,
            comments=args.comments,
        )
    if args.review and not results:
        print(f"No review with the code {args.review}.", file=sys.stderr)
        return 1
    if args.format == "xlsx":
        Path(args.out).write_bytes(export_xlsx(results, settings.min_group))
        print(f"Wrote {len(results)} reviews to {args.out}.")
        return 0
    if args.format == "csv":
        text = export_csv(results, settings.min_group)
    else:
        text = export_json(results, settings.min_group) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {len(results)} reviews to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_quality_list(args: argparse.Namespace) -> int:
    """Organisations with a quality indicators self-assessment, and their latest averages."""
    from bot.staff import quality_sums
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
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


def cmd_quality_report(args: argparse.Namespace) -> int:
    """One organisation's self-assessments over time, as CSV or JSON."""
    from bot.staff import quality_files, quality_sums
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        report = quality_sums.organisation_report(session, args.organisation, args.only_charter)
    if report is None:
        against = f" against the {args.only_charter} charter" if args.only_charter else ""
        print(
            f"No quality assessment of an organisation called {args.organisation.strip()!r}"
            f"{against}. See them all with: copro quality list",
            file=sys.stderr,
        )
        return 1
    text = (
        quality_files.report_csv(report)
        if args.format == "csv"
        else quality_files.report_json(report) + "\n"
    )
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        count = len(report.assessments)
        times = "1 assessment" if count == 1 else f"{count} assessments"
        print(f"Wrote {times} of {report.organisation} to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_concerns_list(args: argparse.Namespace) -> int:
    """The staff queue of concerns."""
    from bot.store import concerns
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    status = None if args.status == "all" else args.status
    with unit_of_work() as session:
        queue = concerns.concerns(session, status)
        if not queue:
            print("No concerns" + ("." if status is None else f" with status {status}."))
            return 0
        for c in queue:
            reply = "wants a reply" if c.wants_reply else "no reply wanted"
            print(
                f"#{c.id} [{c.status}] {c.created_at:%Y-%m-%d %H:%M} UTC, {c.charter}, "
                f"{c.channel}, {reply}\n"
                f"  About: {c.about}\n"
                f"  Principle: {c.principle or 'not sure'}\n"
                f"  What happened: {c.what_happened}"
                + (f"\n  Reply sent: {c.reply}" if c.reply else "")
            )
    return 0


def cmd_concerns_reply(args: argparse.Namespace) -> int:
    """Answer a concern: the person gets the reply on their own channel if they asked."""
    from bot.store import concerns
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    try:
        with unit_of_work() as session:
            result = concerns.reply_to_concern(session, args.id, args.text, args.status)
            if result is None:
                print(f"No concern #{args.id}.", file=sys.stderr)
                return 1
            concern, message = result
            channel = concern.channel
    except concerns.TextProblem as problem:
        print(
            f"The reply is {problem}: please write up to {concerns.REPLY_MAX} characters.",
            file=sys.stderr,
        )
        return 2
    if message is None:
        print(f"Concern #{args.id} is now {args.status}. They did not ask for a reply.")
    elif channel == "telegram" and push_telegram():
        print(f"Concern #{args.id} is now {args.status}. The reply was sent on Telegram.")
    else:
        print(
            f"Concern #{args.id} is now {args.status}. The reply waits for them on {channel}: "
            "they see it with their next message."
        )
    return 0


def push_telegram() -> bool:
    """Send waiting Telegram messages now; False when Telegram is not set up or not reachable."""
    import asyncio

    import httpx
    from telegram.error import TelegramError

    from bot.channels.telegram import push_now

    settings = get_settings()
    if not settings.telegram_token:
        return False
    try:
        return asyncio.run(push_now(settings)) > 0
    except (TelegramError, httpx.HTTPError, OSError) as error:
        print(f"Telegram could not be reached ({type(error).__name__}).", file=sys.stderr)
        return False


def cmd_concerns_set(args: argparse.Namespace) -> int:
    from bot.store import concerns
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        if concerns.set_status(session, args.id, args.status) is None:
            print(f"No concern #{args.id}.", file=sys.stderr)
            return 1
    print(f"Concern #{args.id} is now {args.status}.")
    return 0


def _new_password(args: argparse.Namespace) -> str | None:
    """The new account's password: one line from stdin, or typed twice (not shown)."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more, not shown): ")
    again = getpass.getpass("The same password again: ")
    if first != again:
        print("The two passwords were not the same. Nothing was saved.", file=sys.stderr)
        return None
    return first


def cmd_staff_add(args: argparse.Namespace) -> int:
    """Add a staff account for the dashboard."""
    from bot.staff import accounts
    from bot.store.db import unit_of_work, upgrade

    try:
        name = accounts.clean_username(args.name)
    except accounts.AccountProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    password = _new_password(args)
    if password is None:
        return 2
    upgrade()
    try:
        with unit_of_work() as session:
            accounts.add_account(session, name, password)
    except accounts.AccountProblem as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 1 if isinstance(problem, accounts.NameTaken) else 2
    print(f"Added the staff account {name}. Log in at {get_settings().public_url}/staff")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from bot.staff import accounts
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        members = accounts.list_accounts(session)
    if not members:
        print("No staff accounts yet. Add one with: copro staff add NAME")
        return 0
    for m in members:
        last = f"{m.last_login_at:%Y-%m-%d %H:%M} UTC" if m.last_login_at else "never"
        print(f"{m.username}: added {m.created_at:%Y-%m-%d}, last login {last}")
    return 0


def cmd_staff_remove(args: argparse.Namespace) -> int:
    from bot.staff import accounts
    from bot.store.db import unit_of_work, upgrade

    upgrade()
    with unit_of_work() as session:
        removed = accounts.remove_account(session, args.name)
    if not removed:
        print(f"No staff account called {args.name}.", file=sys.stderr)
        return 1
    print(f"Removed the staff account {args.name}. Its sessions have ended.")
    return 0


def telegram_poll_command() -> list[str]:
    return [sys.executable, "-m", "bot.cli", "telegram", "poll"]


def service_commands(settings: Settings, rasa_port: int) -> list[list[str]]:
    """What `copro run` starts: the Telegram bridge too when a bot token is set."""
    commands = [
        action_server_command(settings.action_port),
        rasa_server_command(MODEL_PATH, Path("endpoints.yml"), rasa_port),
        server_command(settings.server_host, settings.server_port),
    ]
    if settings.telegram_token:
        commands.append(telegram_poll_command())
    return commands


def cmd_telegram_poll(args: argparse.Namespace) -> int:
    """Run the Telegram bridge with long polling (local use)."""
    from bot.channels.telegram import run_polling
    from bot.store.db import upgrade

    settings = get_settings()
    if not settings.telegram_token:
        print("Set COPRO_TELEGRAM_TOKEN first (see README.md, Telegram).", file=sys.stderr)
        return 2
    upgrade()
    run_polling(settings)
    return 0


def cmd_telegram_webhook(args: argparse.Namespace) -> int:
    """Register (or remove) the webhook that sends Telegram's updates to bot.server."""
    import asyncio

    from telegram.error import TelegramError

    from bot.channels.telegram import set_webhook

    settings = get_settings()
    if not settings.telegram_token:
        print("Set COPRO_TELEGRAM_TOKEN first (see README.md, Telegram).", file=sys.stderr)
        return 2
    url = None if args.delete else args.url
    if url is not None and not url.startswith("https://"):
        print("The webhook address must start with https://", file=sys.stderr)
        return 2
    try:
        asyncio.run(set_webhook(settings, url))
    except (ValueError, TelegramError) as error:
        print(f"Telegram said no: {error}", file=sys.stderr)
        return 1
    print("Webhook removed." if url is None else f"Telegram now sends updates to {url}.")
    return 0


def production_problems(settings: Settings) -> list[str]:
    """What the production profile still needs from the settings."""
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("COPRO_DATABASE_URL must be a postgresql:// address")
    if not settings.tracker_url.startswith("postgresql"):
        problems.append("COPRO_TRACKER_URL must be a postgresql:// address")
    if not settings.redis_url.startswith(("redis://", "rediss://")):
        problems.append("COPRO_REDIS_URL must be a redis:// address")
    return problems


def production_services(
    settings: Settings, rasa_ports: list[int], base: dict[str, str]
) -> list[tuple[list[str], dict[str, str]]]:
    """The production profile: one action server, several Rasa servers sharing
    PostgreSQL and Redis, and bot.server sending each person to one of them."""
    rasa_env = {
        **base,
        "COPRO_ACTION_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
        "COPRO_TRACKER_URL": settings.tracker_url,
        "COPRO_REDIS_URL": settings.redis_url,
        # A lock left by a Rasa server that died mid-message frees after 20 s, not 60.
        "TICKET_LOCK_LIFETIME": base.get("TICKET_LOCK_LIFETIME", "20"),
    }
    endpoints = PROJECT_ROOT / "endpoints.production.yml"
    urls = ",".join(f"http://127.0.0.1:{port}" for port in rasa_ports)
    services = [(action_server_command(settings.action_port), base)]
    services += [
        (rasa_server_command(MODEL_PATH, endpoints, port), rasa_env) for port in rasa_ports
    ]
    services.append(
        (
            server_command(settings.server_host, settings.server_port),
            {**base, "COPRO_RASA_URL": urls},
        )
    )
    if settings.telegram_token:
        services.append((telegram_poll_command(), {**base, "COPRO_RASA_URL": urls}))
    return services


def cmd_run(args: argparse.Namespace) -> int:
    from bot.nlp.build import build_pipeline
    from bot.store.db import create_database, upgrade

    settings = get_settings()
    if not MODEL_PATH.exists():
        print("No trained model: run 'make run' (it trains first).", file=sys.stderr)
        return 2
    build_pipeline(Path(settings.spacy_model))
    env = service_env(dict(os.environ))
    first_port = int(settings.rasa_urls[0].rsplit(":", 1)[-1])
    if args.profile == "production":
        problems = production_problems(settings)
        if problems:
            print("The production profile needs:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 2
        for url in (settings.database_url, settings.tracker_url):
            create_database(url)
        upgrade()
        ports = [first_port + n for n in range(args.rasa_servers)]
        processes = [
            _spawn(command, service_env(penv))
            for command, penv in production_services(settings, ports, env)
        ]
    else:
        upgrade()
        processes = [_spawn(command, env) for command in service_commands(settings, first_port)]
    print(
        f"\nThe chat opens at http://localhost:{settings.server_port} once Rasa has loaded "
        "(about a minute). Press Ctrl+C to stop.\n",
        flush=True,
    )
    return _wait_until(processes, daily=run_purge)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copro", description="Co-production companion: run and manage the assistant."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="Start the action server, Rasa and the chat on http://localhost:8080."
    )
    run.add_argument(
        "--profile",
        choices=["local", "production"],
        default="local",
        help="local: SQLite, one Rasa server (default). production: PostgreSQL "
        "(COPRO_DATABASE_URL, COPRO_TRACKER_URL), Redis (COPRO_REDIS_URL), several "
        "Rasa servers. See docs/deploy.md.",
    )
    run.add_argument(
        "--rasa-servers",
        type=int,
        default=2,
        choices=range(1, 9),
        metavar="N",
        help="Production profile: how many Rasa servers (1 to 8; default 2), on "
        "ports from COPRO_RASA_URL's port up.",
    )
    run.set_defaults(handler=cmd_run)

    nlp = commands.add_parser("nlp", help="Language pipeline tools.")
    nlp_commands = nlp.add_subparsers(dest="nlp_command", required=True)
    build = nlp_commands.add_parser("build", help="Build the local spaCy pipeline (no download).")
    build.add_argument("--force", action="store_true", help="Rebuild even if up to date.")
    build.set_defaults(handler=cmd_nlp_build)

    safety = commands.add_parser("safety", help="The safety check (rule cards and classifier).")
    safety_commands = safety.add_subparsers(dest="safety_command", required=True)
    safety_check = safety_commands.add_parser(
        "check",
        help="Read one message per line on standard input; print one JSON object per line: "
        '{"level": "none"|"possible"|"severe", "cards": [...], "score": 0.0-1.0}.',
    )
    safety_check.add_argument(
        "--explain", action="store_true", help="also print categories, matched words, thresholds"
    )
    safety_check.set_defaults(handler=cmd_safety_check)

    redact = commands.add_parser(
        "redact",
        help="Read one comment per line on standard input; print each redacted, one per line "
        "(names, contacts, addresses, schools and numbers replaced by [name], [phone], ...).",
    )
    redact.set_defaults(handler=cmd_redact)

    charters = commands.add_parser("charters", help="Charter packs.")
    charter_commands = charters.add_subparsers(dest="charters_command", required=True)
    check = charter_commands.add_parser(
        "check", help="Check charter pack files against the schema."
    )
    check.add_argument("files", nargs="*", help="Pack files (default: every installed pack).")
    check.set_defaults(handler=cmd_charters_check)
    listed = charter_commands.add_parser(
        "questions", help="List a charter's questions: always asked, and optional."
    )
    listed.add_argument("--charter", default=None, help="Charter pack id (default COPRO_CHARTER).")
    listed.set_defaults(handler=cmd_charters_questions)

    db = commands.add_parser("db", help="Database tools.")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="Apply database migrations.")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)

    purge = commands.add_parser(
        "purge",
        help="Apply the retention policy now: delete identifiable data older than "
        "COPRO_RETENTION_DAYS (default 365), keeping only counts.",
    )
    purge.add_argument(
        "--days", type=int, default=None, help="Override COPRO_RETENTION_DAYS for this run."
    )
    purge.set_defaults(handler=cmd_purge)

    safeguarding = commands.add_parser(
        "safeguarding", help="The staff safeguarding queue (never part of any export)."
    )
    safeguarding_commands = safeguarding.add_subparsers(dest="safeguarding_command", required=True)
    queue = safeguarding_commands.add_parser("list", help="List flagged messages.")
    queue.add_argument("--status", default="new", choices=["new", "in_progress", "resolved", "all"])
    queue.set_defaults(handler=cmd_safeguarding_list)
    mark = safeguarding_commands.add_parser("set", help="Change a flagged message's status.")
    mark.add_argument("id", type=int)
    mark.add_argument("status", choices=["new", "in_progress", "resolved"])
    mark.set_defaults(handler=cmd_safeguarding_set)
    seen = safeguarding_commands.add_parser(
        "acknowledge", help="Say a flagged message was seen: no second alert goes out."
    )
    seen.add_argument("id", type=int)
    seen.add_argument("--by", required=True, help="who acknowledges it (a staff user name)")
    seen.set_defaults(handler=cmd_safeguarding_acknowledge)
    marks = safeguarding_commands.add_parser(
        "marks",
        help="Print messages staff marked real concern or false alarm, one JSON line each "
        "(labelled data for the risk classifier; staff only).",
    )
    marks.set_defaults(handler=cmd_safeguarding_marks)

    export = commands.add_parser(
        "export",
        help="Aggregated feedback per review; groups under COPRO_MIN_GROUP are withheld.",
    )
    export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    export.add_argument("--review", help="Only the review with this code.")
    export.add_argument("--charter", dest="only_charter", help="Only this charter pack id.")
    export.add_argument("--since", type=iso_date, help="Reviews held on or after (YYYY-MM-DD).")
    export.add_argument("--until", type=iso_date, help="Reviews held on or before (YYYY-MM-DD).")
    export.add_argument("--out", help="Write to this file instead of the screen.")
    export.add_argument(
        "--comments",
        action="store_true",
        help="Add comments (json, xlsx), redacted, for reviews of COPRO_MIN_GROUP people or more.",
    )
    export.set_defaults(handler=cmd_export)

    register = commands.add_parser(
        "pledges", help="The public pledge register: organisations by name, families as counts."
    )
    register.add_argument("--format", choices=["csv", "json"], default="csv")
    register.add_argument("--charter", dest="only_charter", help="Only this charter pack id.")
    register.add_argument("--out", help="Write to this file instead of the screen.")
    register.add_argument(
        "--framework-reviewed",
        metavar="CHARTER",
        help="Record that this charter's whole framework was reviewed today, and stop.",
    )
    register.set_defaults(handler=cmd_pledges)

    concerns = commands.add_parser(
        "concerns", help="The staff queue of concerns that the charter's principles were not kept."
    )
    concern_commands = concerns.add_subparsers(dest="concerns_command", required=True)
    listing = concern_commands.add_parser("list", help="List concerns.")
    listing.add_argument(
        "--status", default="new", choices=["new", "in_progress", "resolved", "all"]
    )
    listing.set_defaults(handler=cmd_concerns_list)
    answer = concern_commands.add_parser(
        "reply", help="Reply to a concern; it reaches the person if they asked for a reply."
    )
    answer.add_argument("id", type=int)
    answer.add_argument("--text", required=True, help="The reply, in easy read.")
    answer.add_argument("--status", default="resolved", choices=["in_progress", "resolved"])
    answer.set_defaults(handler=cmd_concerns_reply)
    status = concern_commands.add_parser("set", help="Change a concern's status.")
    status.add_argument("id", type=int)
    status.add_argument("status", choices=["new", "in_progress", "resolved"])
    status.set_defaults(handler=cmd_concerns_set)

    quality = commands.add_parser(
        "quality",
        help="Quality indicators: staff's self-assessments of organisations (not family data).",
    )
    quality_commands = quality.add_subparsers(dest="quality_command", required=True)
    quality_list = quality_commands.add_parser(
        "list", help="Organisations assessed, with their latest heading averages."
    )
    quality_list.set_defaults(handler=cmd_quality_list)
    quality_report = quality_commands.add_parser(
        "report", help="One organisation's assessments over time: scores, averages, notes."
    )
    quality_report.add_argument(
        "--organisation",
        required=True,
        metavar="NAME",
        help="Its name, as in `copro quality list` (any case).",
    )
    quality_report.add_argument(
        "--charter",
        dest="only_charter",
        metavar="ID",
        help="The charter pack id (default: that of its latest assessment).",
    )
    quality_report.add_argument("--format", choices=["csv", "json"], default="csv")
    quality_report.add_argument("--out", help="Write to this file instead of the screen.")
    quality_report.set_defaults(handler=cmd_quality_report)

    telegram = commands.add_parser("telegram", help="The Telegram bridge.")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    poll = telegram_commands.add_parser(
        "poll", help="Run the bridge with long polling (copro run does this when a token is set)."
    )
    poll.set_defaults(handler=cmd_telegram_poll)
    hook = telegram_commands.add_parser(
        "webhook", help="Register the webhook (production), with COPRO_TELEGRAM_SECRET."
    )
    where = hook.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="https://your.server/telegram/webhook")
    where.add_argument("--delete", action="store_true", help="Stop sending updates there.")
    hook.set_defaults(handler=cmd_telegram_webhook)

    staff = commands.add_parser("staff", help="Accounts for the staff dashboard (/staff).")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser(
        "add", help="Add an account; the password is asked for (12 characters or more)."
    )
    add.add_argument("name", help="The user name (letters, digits, . _ @ -).")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="Read the password from the first line of standard input (for scripts).",
    )
    add.set_defaults(handler=cmd_staff_add)
    accounts_list = staff_commands.add_parser("list", help="List the accounts.")
    accounts_list.set_defaults(handler=cmd_staff_list)
    remove = staff_commands.add_parser(
        "remove", help="Remove an account; anyone logged in with it is logged out."
    )
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_staff_remove)

    review = commands.add_parser("review", help="Reviews of meetings and projects.")
    review_commands = review.add_subparsers(dest="review_command", required=True)
    create = review_commands.add_parser("create", help="Create a review and print its code.")
    create.add_argument("--title", required=True, help="What the meeting or project was.")
    create.add_argument("--charter", default=None, help="Charter pack id (default COPRO_CHARTER).")
    create.add_argument(
        "--level",
        choices=LADDER_LEVELS,
        help="Where staff think the work sat on the ladder of participation.",
    )
    create.add_argument("--date", help="When it took place (YYYY-MM-DD).")
    create.add_argument("--qr", metavar="FILE.png", help="Also write a QR code of the web link.")
    create.add_argument(
        "--question",
        action="append",
        default=[],
        metavar="ID",
        help="Also ask this optional question of the charter (repeat for more;"
        " `copro charters questions` lists them).",
    )
    create.set_defaults(handler=cmd_review_create)
    close = review_commands.add_parser("close", help="Close a review: its code stops working.")
    close.add_argument("code")
    close.set_defaults(handler=cmd_review_close)
    said = review_commands.add_parser(
        "update",
        help="You said, we did: what changed because of a review, sent to those who asked.",
    )
    said.add_argument("code")
    said.add_argument("--text", required=True, help="What you changed, in plain words.")
    said.set_defaults(handler=cmd_review_update)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "charter", "x") is None:
        args.charter = get_settings().charter
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
