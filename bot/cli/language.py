"""``copro nlp``, ``copro safety``, ``copro redact`` and ``copro charters``: the language
pipeline, the safety check, redaction and the charter packs. None of them opens the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.shape import CoproCommand, CoproGroup, charter_or_default
from bot.settings import get_settings


@click.group("nlp", cls=CoproGroup, help="Language pipeline tools.")
def nlp_group() -> None:
    """The language pipeline's tools."""


@nlp_group.command("build", help="Build the local spaCy pipeline (no download).")
@click.option("--force", is_flag=True, help="Rebuild even if up to date.")
def nlp_build(force: bool) -> int:
    """Build the spaCy pipeline and the risk classifier, each only when out of date."""
    from bot.nlp.build import build_pipeline
    from bot.safety.build import build_classifier

    settings = get_settings()
    target = Path(settings.spacy_model)
    built = build_pipeline(target, force=force)
    print(f"spaCy pipeline {'built' if built else 'already up to date'} at {target}")
    model = Path(settings.safety_model)
    thresholds = build_classifier(model, force=force)
    if thresholds is None:
        print(f"Risk classifier already up to date at {model}")
    else:
        print(
            f"Risk classifier built at {model} from {thresholds.examples} examples: "
            f"possible from {thresholds.possible:.3f}, severe from {thresholds.severe:.3f} "
            f"(cross-validated recall {thresholds.cv_recall:.1%})"
        )
    return 0


@click.group("safety", cls=CoproGroup, help="The safety check (rule cards and classifier).")
def safety_group() -> None:
    """The safety check."""


@safety_group.command(
    "check",
    help="Read one message per line on standard input; print one JSON object per line: "
    '{"level": "none"|"possible"|"severe", "cards": [...], "score": 0.0-1.0}.',
)
@click.option("--explain", is_flag=True, help="also print categories, matched words, thresholds")
def safety_check(explain: bool) -> int:
    """One message per line in; one JSON object per line out (level, cards, score)."""
    from bot.safety import default_check

    check = default_check()
    for line in sys.stdin:
        text = line.rstrip("\n")
        assessment = check.assess(text)
        result = assessment.as_dict()
        if explain:
            result["categories"] = list(assessment.categories)
            result["matched"] = {hit.card.id: hit.words for hit in assessment.hits}
            result["thresholds"] = {
                "possible": check.thresholds.possible,
                "severe": check.thresholds.severe,
            }
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


@click.command(
    "redact",
    cls=CoproCommand,
    help="Read one comment per line on standard input; print each redacted, one per line "
    "(names, contacts, addresses, schools and numbers replaced by [name], [phone], ...).",
)
def redact_command() -> int:
    """One comment per line in; each redacted, one per line out (as every export does)."""
    from bot.redaction import redact as redacted

    for line in sys.stdin:
        print(redacted(line.rstrip("\n")), flush=True)
    return 0


@click.group("charters", cls=CoproGroup, help="Charter packs.")
def charters_group() -> None:
    """The charter packs."""


@charters_group.command("check", help="Check charter pack files against the schema.")
@click.argument("files", nargs=-1, metavar="[FILES]...")
def charters_check(files: tuple[str, ...]) -> int:
    """Check the pack files given (default: every installed pack and the shared content)."""
    from bot.content import ContentError, load_pack
    from bot.content.loader import PACKS_DIR

    paths = [Path(p) for p in files] or sorted(PACKS_DIR.glob("*.yml"))
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
    if not files:
        failures += check_shared_content()
    return 1 if failures else 0


def check_shared_content() -> int:
    """Check the content every pack uses (glossary, quiz, local contacts); 1 if it fails."""
    from bot.content import ContentError, list_packs, quiz_items
    from bot.content.glossary import glossary_terms

    try:
        print(f"ok   glossary.yml: {len(glossary_terms())} terms")
        print(f"ok   quiz.yml: {len(quiz_items())} stories")
        contacts = get_settings().contacts_file
        if contacts is not None:
            list_packs()  # staff's contacts are checked as they are laid over the packs
            print(f"ok   {contacts.name}: local contacts")
    except ContentError as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    return 0


@charters_group.command("questions", help="List a charter's questions: always asked, and optional.")
@click.option(
    "--charter",
    default=None,
    callback=charter_or_default,
    help="Charter pack id (default COPRO_CHARTER).",
)
def charters_questions(charter: str) -> int:
    """The questions a review of this charter asks, and those staff can add."""
    from bot.content import ContentError, get_pack

    try:
        pack = get_pack(charter)
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
