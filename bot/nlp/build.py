"""Build the local spaCy pipeline: ``spacy.blank("en")`` plus lookup lemmas.

Pretrained English models cannot be downloaded on every machine, so the
default pipeline is made from packages on PyPI (spacy and spacy-lookups-data).
"""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = "copro-blank-en-lookup-v1"


def build_pipeline(target: Path, force: bool = False) -> bool:
    """Write the pipeline to ``target``. Returns False when it was already there."""
    marker = target / "COPRO_BUILD"
    if not force and marker.exists() and marker.read_text().strip() == MARKER:
        return False
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "copro"
    nlp.meta["description"] = "Blank English tokenizer with lookup lemmas (spacy-lookups-data)"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    marker.write_text(MARKER + "\n")
    return True
