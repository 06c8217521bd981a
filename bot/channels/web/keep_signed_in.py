"""The web chat's choice to stay signed in on this device (``/api/keep-signed-in``)."""

from __future__ import annotations

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.channels.web.replies import kind_reply
from bot.channels.web.sessions import KEEP, keeps_signed_in
from bot.request_limits import read_json


class KeepSignedIn(HTTPEndpoint):
    """Whether this browser stays signed in to the chat after it closes.

    By default the chat's cookie ends when the browser closes, so a shared
    computer forgets the person. Kept, it lasts 30 days from the last message.
    """

    async def get(self, request: Request) -> Response:
        """Whether the web chat keeps this browser signed in.

        ---
        summary: Whether the web chat keeps this browser signed in
        responses:
          "200":
            description: True when the person chose to stay signed in on this device.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/KeepSignedIn"}
        """
        return JSONResponse({"keep": keeps_signed_in(request.session)})

    async def post(self, request: Request) -> Response:
        """Choose whether the web chat keeps this browser signed in.

        ---
        summary: Choose whether the web chat keeps this browser signed in
        requestBody:
          required: true
          content:
            application/json:
              schema: {$ref: "#/components/schemas/KeepSignedIn"}
        responses:
          "200":
            description: The choice now in force.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/KeepSignedIn"}
          "400":
            description: The body was not a JSON object with keep as true or false.
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Replies"}
        """
        try:
            data = read_json(await request.body())
        except ValueError:
            return kind_reply("bad_request", status=400)
        if not isinstance(data, dict) or not isinstance(data.get("keep"), bool):
            return kind_reply("bad_request", status=400)
        if data["keep"]:
            request.session[KEEP] = True
        else:
            request.session.pop(KEEP, None)
        return JSONResponse({"keep": keeps_signed_in(request.session)})
