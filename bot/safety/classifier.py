"""The risk classifier: is this message about someone at risk? A score from 0 to 1.

Separate from the assistant's intent classifier: word and character TF-IDF over
the message's lemmas, into a class-balanced logistic regression, calibrated so
the score reads as a probability. It learns in seconds from one labelled file
(``data/risk.jsonl``). Two thresholds are chosen by 5-fold cross-validation and
saved with the model:
- ``possible``: the highest score that still keeps ``RECALL_TARGET`` of the risk
  messages (each scored by a model that never saw it). The target is for the
  classifier alone: the rule cards catch most plainly worded risk, and a lower
  threshold would ask the gentle check of too many ordinary answers;
- ``severe``: the lowest score that ``SEVERE_FALSE_ALARMS`` or fewer of the
  near-miss ordinary messages reach (the ones written to look like risk).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

# Imported here, before spaCy (whose thinc imports TensorFlow when it is
# installed): skops lists its trusted types by searching every module already
# loaded, 1.7 s with few loaded and about 6 s once TensorFlow is.
import skops.io as sio

from bot.safety.dataset import Labelled
from bot.safety.text import clean, lemma_text

RECALL_TARGET = 0.90
SEVERE_FALSE_ALARMS = 0.01
# The assistant's own training examples (greetings, answers) are easy ordinary
# messages; the rest of the ordinary ones were written to look like risk.
EASY_SOURCE = "nlu:"
HARD_WEIGHT = 2.0
FOLDS = 5
SEED = 42
MODEL_FILE = "risk_classifier.skops"
THRESHOLDS_FILE = "risk_classifier.json"


@dataclass(frozen=True)
class Thresholds:
    possible: float
    severe: float
    recall_target: float
    # What cross-validation measured at those thresholds (for the report); the
    # false alarms are among the near-miss ordinary messages.
    cv_recall: float
    cv_false_alarms_possible: float
    cv_false_alarms_severe: float
    examples: int
    risk_examples: int


def new_model():
    """Words (as lemmas) and letter groups (of the cleaned text) into a calibrated regression.

    The input is one row per message: ``[cleaned text, lemma text]``.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), 1),
            (
                "letters",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
                ),
                0,
            ),
        ]
    )
    regression = LogisticRegression(class_weight="balanced", C=4.0, max_iter=3000)
    return make_pipeline(features, CalibratedClassifierCV(regression, cv=3, method="sigmoid"))


def rows(texts: Sequence[str]) -> np.ndarray:
    """What the model reads for each message: its cleaned text and its lemmas."""
    return np.array([[clean(text), lemma_text(text)] for text in texts], dtype=object)


def weights(labels: np.ndarray, hard: np.ndarray) -> np.ndarray:
    """Ordinary messages that look like risk (near misses) count ``HARD_WEIGHT`` times."""
    return np.where(hard & (labels == 0), HARD_WEIGHT, 1.0)


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, hard: np.ndarray) -> Thresholds:
    risk = np.sort(scores[labels == 1])
    near_misses = np.sort(scores[(labels == 0) & hard])
    # Keep RECALL_TARGET of risk messages at or above `possible`.
    allowed_misses = int(np.floor(len(risk) * (1 - RECALL_TARGET)))
    possible = float(risk[allowed_misses])
    # At most SEVERE_FALSE_ALARMS of near misses at or above `severe`.
    index = int(np.ceil(len(near_misses) * (1 - SEVERE_FALSE_ALARMS)))
    severe = float(max(near_misses[min(index, len(near_misses) - 1)] + 1e-6, possible))
    return Thresholds(
        possible=round(possible, 6),
        severe=round(severe, 6),
        recall_target=RECALL_TARGET,
        cv_recall=float(np.mean(risk >= possible)),
        cv_false_alarms_possible=float(np.mean(near_misses >= possible)),
        cv_false_alarms_severe=float(np.mean(near_misses >= severe)),
        examples=int(len(labels)),
        risk_examples=int(len(risk)),
    )


def _fit(x: np.ndarray, labels: np.ndarray, hard: np.ndarray):
    model = new_model()
    model.fit(x, labels, calibratedclassifiercv__sample_weight=weights(labels, hard))
    return model


def out_of_fold_scores(x: np.ndarray, labels: np.ndarray, hard: np.ndarray) -> np.ndarray:
    """Each message scored by a model trained on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(labels))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_rows, test_rows in folds.split(x, labels):
        model = _fit(x[train_rows], labels[train_rows], hard[train_rows])
        scores[test_rows] = model.predict_proba(x[test_rows])[:, 1]
    return scores


def train(examples: Sequence[Labelled], target: Path) -> Thresholds:
    """Fit on every example, choose thresholds by cross-validation, save both to ``target``."""
    x = rows([e.text for e in examples])
    labels = np.array([e.label for e in examples], dtype=int)
    hard = np.array([not e.source.startswith(EASY_SOURCE) for e in examples])
    thresholds = choose_thresholds(out_of_fold_scores(x, labels, hard), labels, hard)
    model = _fit(x, labels, hard)
    target.mkdir(parents=True, exist_ok=True)
    sio.dump(model, target / MODEL_FILE)
    (target / THRESHOLDS_FILE).write_text(json.dumps(asdict(thresholds), indent=2) + "\n")
    return thresholds


class MissingModel(RuntimeError):
    """The risk classifier has not been built: run `copro nlp build` (or `make install`)."""


def load(source: Path) -> tuple[Callable[[Sequence[str]], np.ndarray], Thresholds]:
    """The saved model as a scoring function, and its thresholds."""
    model_path, thresholds_path = source / MODEL_FILE, source / THRESHOLDS_FILE
    if not model_path.exists() or not thresholds_path.exists():
        raise MissingModel(f"No risk classifier in {source}: run `copro nlp build`.")
    untrusted = sio.get_untrusted_types(file=model_path)
    # Only scikit-learn's and NumPy's own types are expected in the file.
    unexpected = [t for t in untrusted if not t.startswith(("sklearn.", "numpy.", "scipy."))]
    if unexpected:
        raise MissingModel(f"{model_path} holds unexpected types: {unexpected}")
    model = sio.load(model_path, trusted=untrusted)
    thresholds = Thresholds(**json.loads(thresholds_path.read_text()))

    def score(texts: Sequence[str]) -> np.ndarray:
        return model.predict_proba(rows(texts))[:, 1]

    return score, thresholds
