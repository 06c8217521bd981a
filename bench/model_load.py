"""How long the trained model takes to load, Rasa's way and restored without a training step.

Loads models/current.tar.gz as a Rasa server does (`Agent.load`), three times
each way, each in a fresh process (TensorFlow keeps what it traced for the
life of a process): once with DIET and TED built Rasa's way (one traced
training step, :meth:`RasaModel.load`), once as configured
(:mod:`bot.nlp.restore`). Each process also writes out every DIET and TED
weight and the intent ranking of every tenth training example; the two ways
must agree exactly, or the script fails. Writes the "Loading the model"
section of docs/benchmarks.md. `make bench-model-load` runs it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402

MODEL = ROOT / "models" / "current.tar.gz"
HEADING = "## Loading the model (`make bench-model-load`, bench/model_load.py)"
RUNS = 3
WAYS = ("rasa", "restored")


def _load_one(way: str, out: Path) -> None:
    """In a fresh process: load the model one way; write times, weights and rankings."""
    import asyncio

    import numpy as np
    from rasa.core.agent import Agent
    from rasa.core.policies.ted_policy import TED
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.tensorflow.models import RasaModel

    from bot.nlp import restore

    networks: list[tuple[str, RasaModel, float]] = []

    def timed(load):
        def load_and_time(cls, *args, **kwargs):
            started = time.perf_counter()
            model = load(cls, *args, **kwargs)
            networks.append((cls.__name__, model, time.perf_counter() - started))
            return model

        return classmethod(load_and_time)

    rasa_load = RasaModel.load.__func__
    configured = restore._RestoredWithoutTraining.load.__func__
    restore._RestoredWithoutTraining.load = timed(rasa_load if way == "rasa" else configured)

    started = time.perf_counter()
    agent = Agent.load(str(MODEL))
    seconds = time.perf_counter() - started

    weights = {}
    for name, model, _ in networks:
        assert isinstance(model, (DIET, TED))
        for index, variable in enumerate(model.weights):
            weights[f"{name}/{index}/{variable.name}"] = variable.numpy()
    np.savez(out / f"{way}.npz", **weights)

    examples = load_data(str(ROOT / "nlu_data" / "nlu")).intent_examples[::10]

    async def rankings() -> list:
        parsed = [await agent.parse_message(example.get("text")) for example in examples]
        return [[(r["name"], r["confidence"]) for r in p["intent_ranking"]] for p in parsed]

    (out / f"{way}.json").write_text(
        json.dumps(
            {
                "seconds": seconds,
                "networks": {name: s for name, _, s in networks},
                "rankings": asyncio.run(rankings()),
            }
        )
    )


def _same(folder: Path) -> tuple[int, int]:
    """The numbers of weights and rankings compared; fails unless all are equal."""
    import numpy as np

    rasa, restored = (np.load(folder / f"{way}.npz") for way in WAYS)
    assert sorted(rasa.files) == sorted(restored.files), "different weights"
    for name in rasa.files:
        assert np.array_equal(rasa[name], restored[name]), f"{name} differs"
    first, second = (json.loads((folder / f"{way}.json").read_text()) for way in WAYS)
    assert first["rankings"] == second["rankings"], "different intent rankings"
    return len(rasa.files), len(first["rankings"])


def main() -> int:
    if len(sys.argv) == 3:  # one load, in its own process
        _load_one(sys.argv[1], Path(sys.argv[2]))
        return 0
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 1
    times: dict[str, list[dict]] = {way: [] for way in WAYS}
    with TemporaryDirectory() as name:
        folder = Path(name)
        for _ in range(RUNS):
            for way in WAYS:  # in turn, so a slow spell of the machine hits both
                subprocess.run([sys.executable, __file__, way, str(folder)], check=True)
                times[way].append(json.loads((folder / f"{way}.json").read_text()))
            weights, rankings = _same(folder)

    def median(way: str, key: str | None = None) -> float:
        values = [run["seconds"] if key is None else run["networks"][key] for run in times[way]]
        return statistics.median(values)

    networks = sorted(times["rasa"][0]["networks"])
    whole = f"| the whole model (`Agent.load`) | {median('rasa'):.1f} | {median('restored'):.1f} |"
    rows = [whole] + [
        f"| {network.removeprefix('Restored')} network | {median('rasa', network):.1f} "
        f"| {median('restored', network):.1f} |"
        for network in networks
    ]
    section = [
        HEADING,
        "",
        f"Seconds, median of {RUNS} loads each way, each in a fresh process, taken in turn",
        f"on this machine (2 cores), {time.strftime('%Y-%m-%d')}. *Rasa's way* builds DIET's",
        "and TED's networks by tracing and running one training step before reading",
        "the saved weights; *restored* runs the network forward once and reads the",
        "weights into it (bot/nlp/restore.py). Every Rasa server start, `make run`,",
        "`rasa test` and each end-to-end test module pays this once.",
        "",
        "| | Rasa's way | restored |",
        "|---|---|---|",
        *rows,
        "",
        f"Both ways gave the same {weights} weight arrays, value for value, and the",
        f"same intent ranking, confidence for confidence, for {rankings} training",
        "examples (every tenth).",
        "",
    ]
    write_section(HEADING, section)
    print("\n".join(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
