"""The web chat's "my data" file: everything kept about the person using this browser."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.channels.web.replies import kind_reply, sender_of
from bot.store import repository
from bot.store.db import engine_for, in_thread, unit_of_work
from bot.store.held import HeldData


def held_as_dict(held: HeldData) -> dict:
    """What is kept about a person, as the JSON they download."""
    return {
        "about": "Everything the co-production companion keeps about you.",
        "first_seen": held.first_seen.isoformat() if held.first_seen else None,
        "channel": held.channel,
        "role": held.role,
        "age_band": held.age_band,
        "reviews": [
            {
                "title": review.title,
                "charter": review.charter,
                "started": review.started_at.isoformat(),
                "finished": review.finished,
                "hear_back": review.hear_back,
                "answers": [
                    {"question": a.question_id, "answer": a.value, "your_words": a.comment}
                    for a in review.answers
                ],
            }
            for review in held.reviews
        ],
        "pledges": [
            {
                "charter": p.charter,
                "signed_as": p.signer_kind,
                "organisation": p.organisation,
                "representative": p.representative,
                "role": p.representative_role,
                "first_name": p.first_name,
                "signed": p.signed_at.isoformat(),
                "withdrawn": p.withdrawn_at.isoformat() if p.withdrawn_at else None,
            }
            for p in held.pledges
        ],
        "concerns": [
            {
                "charter": c.charter,
                "about": c.about,
                "what_happened": c.what_happened,
                "principle": c.principle,
                "wants_reply": c.wants_reply,
                "status": c.status,
                "raised": c.created_at.isoformat(),
                "reply": c.reply,
            }
            for c in held.concerns
        ],
        "telegram_chat_kept": held.telegram_chat,
        "safety_messages_kept": held.safety_messages,
    }


def _read_held(database_url: str, sender: str) -> HeldData:
    with unit_of_work(engine_for(database_url)) as session:
        return repository.held_about(session, sender)


async def my_data_file(request: Request) -> Response:
    """Everything kept about this browser's person, as a file to keep.

    ---
    summary: Download my data (the person using this browser)
    responses:
      "200":
        description: A JSON file with everything kept about the person.
        content:
          application/json: {}
      "503":
        description: The store is not available; a kind message says so.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Replies"}
    """
    settings = request.app.state.settings
    held = await in_thread(_read_held, settings.database_url, sender_of(request))
    if held is None:
        return kind_reply("unavailable", status=503)
    return JSONResponse(
        held_as_dict(held),
        headers={"content-disposition": 'attachment; filename="my-data.json"'},
    )
