"""A content file's problems worded for the staff who fix them: file, place, field and problem.

The parts of a pack are pydantic models (:class:`Part`). What pydantic finds wrong is
turned into one message such as ``wirral.yml: principles[2]: field 'name' must be
non-empty text``: the first problem in the order the parts are read (a part's unknown
fields first, the pack's after its questions; then its fields in order).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Extra, ValidationError
from pydantic.errors import DictError, PydanticValueError
from pydantic.fields import SHAPE_LIST, ModelField
from pydantic.utils import ROOT_KEY, lenient_issubclass

# How a problem reads after the file name, for a place such as ("ladder", "rungs", 0).
FIELD = "field"  # ladder.rungs[0]: field 'name' must be non-empty text
PLACE = "place"  # framework_review: must be a mapping with exactly [...]
SENTENCE = "sentence"  # safeguarding.contact must be a mapping with only [...]
ITEM = "item"  # ladder: rungs[0] must be a mapping
# The one list of plain texts in a pack: a signer kind's pledges.
TEXT_ITEM = "pledge"

Place = tuple[Any, ...]
# What pydantic says when a part (a mapping in the file) is something else.
NOT_A_PART = ("type_error.dict", "type_error.none.not_allowed")


class Problem(PydanticValueError):
    """One problem, worded; ``at`` places it within the part whose check raised it.

    Without ``at`` (a field's own type, or a part's wording for pydantic's own
    errors), the problem is where pydantic found it.
    """

    code = "pack"
    msg_template = "{text}"

    def __init__(self, text: str, layout: str = PLACE, at: Place | None = None) -> None:
        super().__init__(text=text, layout=layout, at=at)


class Part(BaseModel):
    """One part of a content file as written: checked, with unknown fields refused."""

    # How this part's problems read when it is not a mapping, or has unknown fields
    # ({names}); and when a field is wrong, where not worded by its kind.
    NOT_A_MAPPING: ClassVar[Problem] = Problem("must be a mapping", ITEM)
    UNKNOWN: ClassVar[Problem] = Problem("unknown field(s) {names}")
    WRONG_VALUE: ClassVar[Problem | None] = None
    # The field after which unknown fields are reported (None: before every field).
    UNKNOWN_AFTER: ClassVar[str | None] = None

    class Config:
        extra = Extra.forbid

    @classmethod
    def validate(cls, value: Any) -> Part:
        if not isinstance(value, dict):  # pydantic would take a list of pairs
            raise DictError()
        # A name YAML reads as a number (`1:`) is an unknown field like any other.
        return cls(**{str(name): item for name, item in value.items()})


def first_problem(error: ValidationError, source: str) -> str:
    """The message for the first problem ``error`` holds, in the file ``source``."""
    errors = error.errors()
    ranked = [(_order(error.model, e), index) for index, e in enumerate(errors)]
    first = errors[min(ranked)[1]]
    place, problem = _problem(error.model, first, errors)
    return _worded(source, place, problem)


def _order(root: type[Part], error: dict) -> list[float]:
    """When the problem is found: a list of parts worded by ITEM is first checked to hold
    only mappings, before any item's fields."""
    loc = error["loc"]
    _, _, part, order = _walk(root, loc)
    if error["type"] in NOT_A_PART and part is not None and part.NOT_A_MAPPING.layout == ITEM:
        if isinstance(loc[-1], int):
            order[-1:] = [-1, loc[-1]]
    return order


def _walk(root: type[Part], loc: Place) -> tuple[Any, ModelField | None, Any, list[float]]:
    """Along ``loc``: the part holding its last field, that field, the part at ``loc``
    and the order the problem is found in."""
    holder: Any = root
    field: ModelField | None = None
    part: Any = root
    order: list[float] = []
    for step in loc:
        if isinstance(step, int):  # an item of a list: a part of the list's kind
            order.append(step)
            continue
        fields = list(part.__fields__) if part else []
        holder = part
        if step in fields:
            field = part.__fields__[step]
            order.append(fields.index(step))
            part = field.type_ if lenient_issubclass(field.type_, Part) else None
        elif step == ROOT_KEY:  # a check on the whole part, after its fields
            field = None
            order.append(len(fields))
        elif part is not None:  # an unknown field
            after = part.UNKNOWN_AFTER
            order.append(fields.index(after) + 0.5 if after else -1)
            field, part = None, None
        else:  # a key of a mapping (a signer kind): found in the file's order
            field = None
            break
    return holder, field, part, order


def _problem(root: type[Part], error: dict, errors: list[dict]) -> tuple[Place, Problem]:
    """Where the problem is, and how it reads."""
    loc, kind, ctx = error["loc"], error["type"], error.get("ctx", {})
    holder, field, part, _ = _walk(root, loc)
    listed = field is not None and field.shape == SHAPE_LIST
    if kind == "value_error.pack":
        problem = Problem(ctx["text"], ctx["layout"], ctx["at"])
    elif kind in NOT_A_PART and part is not None and (isinstance(loc[-1], int) or not listed):
        problem = part.NOT_A_MAPPING
    elif kind == "value_error.extra":
        names = [e["loc"][-1] for e in errors if e["type"] == kind and e["loc"][:-1] == loc[:-1]]
        unknown = holder.UNKNOWN
        text = unknown.text.format(names=", ".join(str(name) for name in names))
        return loc[:-1], Problem(text, unknown.layout)
    elif holder is not None and holder.WRONG_VALUE is not None:
        problem = holder.WRONG_VALUE
    elif listed:
        problem = Problem("must be a non-empty list", FIELD)
    elif field is not None and field.allow_none:
        problem = Problem("must be text or null", FIELD)
    else:
        problem = Problem("must be non-empty text", FIELD)
    if problem.at is None:
        return loc, problem
    # A check on a field or a whole part places its problem within that part.
    return (*loc[:-1], *problem.at), problem


def _worded(source: str, place: Place, problem: Problem) -> str:
    def where(at: Place) -> str:
        dotted = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in at)
        return f"{source}: {dotted.lstrip('.')}" if at else source

    if problem.layout == FIELD:
        if place and isinstance(place[-1], int):
            return f"{where(place)}: field '{TEXT_ITEM}' {problem.text}"
        return f"{where(place[:-1])}: field '{place[-1]}' {problem.text}"
    if problem.layout == SENTENCE:
        return f"{where(place)} {problem.text}"
    if problem.layout == ITEM:
        return f"{where(place[:-2])}: {place[-2]}[{place[-1]}] {problem.text}"
    return f"{where(place)}: {problem.text}"
