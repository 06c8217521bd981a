"""Faster versions of three of Rasa's slow paths, installed in the Rasa server process.

Each does what Rasa does, with the same results and errors, without work Rasa
repeats for every message (docs/benchmarks.md, "Where a Rasa server's time goes"):

- an action server's reply is checked with a JSON Schema validator built once;
  Rasa checks its own constant schema against the meta-schema for every reply;
- a stored event's class is found by its name in a table; Rasa walks every
  subclass of ``Event`` for each event of a conversation it reads;
- the conversation sent to the action server is written as JSON by orjson
  (Rasa's ``json.dumps`` of the whole conversation, twice a turn in a form).

:func:`install` is called when the REST channel (``bot.channels.rasa_rest``) loads.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import aiohttp
import orjson
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_rasa_resolve_by_type = Event.resolve_by_type
_event_kinds: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, looked up in a table of the event classes.

    The table is made again when a name is missing (a class defined later), and
    the first class of a name wins, as in Rasa's own walk. Names no class has
    go to Rasa's function for its answer (its old ``topic`` events, the default, an error).
    """
    kind = _event_kinds.get(type_name)
    if kind is None:
        for subclass in all_subclasses(Event):
            _event_kinds.setdefault(subclass.type_name, subclass)
        kind = _event_kinds.get(type_name)
    return kind if kind is not None else _rasa_resolve_by_type(type_name, default)


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for

    spec = RemoteAction.action_response_format_spec()
    return validator_for(spec)(spec)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server's reply, with the validator built once.

    Rasa calls ``jsonschema.validate`` for every reply, which first checks
    Rasa's own constant schema against the JSON Schema meta-schema: half of a
    Rasa server's CPU time per message when first measured (docs/deploy.md).
    The same validator class and schema, the same errors, without that.
    """
    from jsonschema import ValidationError

    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid."
        )
        raise


def _json_text(value: Any) -> str:
    """``value`` as JSON text: orjson's, or ``json.dumps``'s for what orjson refuses."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: a type or number orjson does not write
        return json.dumps(value)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's ``EndpointConfig.session``: the same session, writing JSON with :func:`_json_text`."""
    auth = (
        aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        if self.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=_json_text,
    )


def install() -> None:
    """Put the faster versions in Rasa's place (more than once does no harm)."""
    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _session
    Event.resolve_by_type = staticmethod(_resolve_by_type)
