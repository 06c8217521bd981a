"""The cross-validation report keeps its hand-written section when written again."""

from __future__ import annotations

import os

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


def test_the_folds_are_the_same_each_run_and_each_example_is_held_out_once():
    from collections import Counter

    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlp.report import NLU_DATA, cross_validation_folds

    data = load_data(str(NLU_DATA))
    first = list(cross_validation_folds(data, 5))
    again = list(cross_validation_folds(data, 5))
    held_out = [[e.get("text") for e in part] for _, part in first]
    assert held_out == [[e.get("text") for e in part] for _, part in again]
    assert sorted(t for part in held_out for t in part) == sorted(
        e.get("text") for e in data.intent_examples
    )
    everywhere = set(e.get("intent") for e in data.intent_examples)
    for train, part in first:
        assert not {e.get("text") for e in part} & {e.get("text") for e in train.intent_examples}
        assert train.regex_features == data.regex_features
        # Stratified: every intent is in every held-out fold, in about the same share.
        counts = Counter(e.get("intent") for e in part)
        assert set(counts) == everywhere
        assert abs(len(part) - len(data.intent_examples) / 5) <= len(everywhere)


def test_cross_validation_trains_each_fold_without_rasas_cache(monkeypatch, tmp_path):
    import rasa.nlu.test

    from bot.nlp import report

    monkeypatch.delenv("RASA_MAX_CACHE_SIZE", raising=False)  # restored after the test
    seen = []

    def folds(count: int, workers: int) -> list:
        seen.append(os.environ.get("RASA_MAX_CACHE_SIZE"))
        return []

    monkeypatch.setattr(report, "held_out_results", folds)
    monkeypatch.setattr(rasa.nlu.test, "evaluate_intents", lambda *args, **kwargs: None)
    monkeypatch.setattr(report, "OUT", tmp_path)
    report.run_cross_validation(5)
    # Off: an earlier run's fold models would be restored, not trained.
    assert seen == ["0"]


def test_the_folds_run_side_by_side_and_their_results_come_in_fold_order():
    from bot.nlp.report import held_out_results

    # `range(number, count)` stands in for a fold's results: in a process of its
    # own (spawned, so only importable functions), fold 1's first.
    assert held_out_results(4, workers=2, run_fold=range) == [1, 2, 3, 2, 3, 3]
