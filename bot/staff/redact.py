"""Redaction of free text before it leaves the store in an export (see bot.redaction)."""

from bot.redaction import redact

__all__ = ["redact"]
