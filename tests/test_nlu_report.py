"""The cross-validation report keeps its hand-written section when written again."""

from __future__ import annotations

from bot.nlp.report import KEPT_SECTION, kept_section


def test_the_configurations_section_is_carried_over_and_nothing_else():
    report = (
        "# NLU cross-validation report\n\n- **Intent macro-F1: 0.9**\n\n"
        f"{KEPT_SECTION}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "## Each intent\n\n| intent |\n"
    )
    assert kept_section(report) == ["", f"{KEPT_SECTION}\n\n| a | b |\n|---|---|\n| 1 | 2 |"]


def test_a_report_without_the_section_gets_none():
    assert kept_section("# NLU cross-validation report\n\n## Each intent\n") == []
