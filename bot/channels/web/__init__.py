"""The web chat: a plain accessible chat page and its same-origin chat endpoint."""
