"""What ``copro run`` starts: the action server, Rasa, the chat server and the Telegram bridge,
each with its command line and environment, for the local and the production profile."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

MODEL_PATH = PROJECT_ROOT / "models" / "current.tar.gz"


def service_env(base: dict[str, str]) -> dict[str, str]:
    """The environment for the action server and Rasa: local only, no telemetry."""
    return {
        **base,
        # rasa-sdk's server listens on SANIC_HOST (default 0.0.0.0): keep it on this machine.
        "SANIC_HOST": "127.0.0.1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def action_server_command(port: int) -> list[str]:
    """The Rasa action server, running the actions package."""
    rasa = str(Path(sys.executable).parent / "rasa")
    return [rasa, "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_server_command(model: Path, endpoints: Path, port: int) -> list[str]:
    """The Rasa server: REST channel only, on localhost, without the HTTP API."""
    rasa = str(Path(sys.executable).parent / "rasa")
    return [
        rasa,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def server_command(host: str, port: int) -> list[str]:
    """Serve bot.server with uvicorn, with its bounds on slow and idle clients (bot.serving)."""
    return [sys.executable, "-m", "bot.serving", "--host", host, "--port", str(port)]


def telegram_poll_command() -> list[str]:
    """The Telegram bridge with long polling (``copro telegram poll``)."""
    return [sys.executable, "-m", "bot.cli", "telegram", "poll"]


def service_commands(settings: Settings, rasa_port: int) -> list[list[str]]:
    """What `copro run` starts: the Telegram bridge too when a bot token is set."""
    commands = [
        action_server_command(settings.action_port),
        rasa_server_command(MODEL_PATH, Path("endpoints.yml"), rasa_port),
        server_command(settings.server_host, settings.server_port),
    ]
    if settings.telegram_token:
        commands.append(telegram_poll_command())
    return commands


def production_problems(settings: Settings) -> list[str]:
    """What the production profile still needs from the settings."""
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("COPRO_DATABASE_URL must be a postgresql:// address")
    if not settings.tracker_url.startswith("postgresql"):
        problems.append("COPRO_TRACKER_URL must be a postgresql:// address")
    if not settings.redis_url.startswith(("redis://", "rediss://")):
        problems.append("COPRO_REDIS_URL must be a redis:// address")
    return problems


def production_services(
    settings: Settings, rasa_ports: list[int], base: dict[str, str]
) -> list[tuple[list[str], dict[str, str]]]:
    """The production profile: one action server, several Rasa servers sharing
    PostgreSQL and Redis, and bot.server sending each person to one of them."""
    rasa_env = {
        **base,
        "COPRO_ACTION_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
        "COPRO_TRACKER_URL": settings.tracker_url,
        "COPRO_REDIS_URL": settings.redis_url,
        # A lock left by a Rasa server that died mid-message frees after 20 s, not 60.
        "TICKET_LOCK_LIFETIME": base.get("TICKET_LOCK_LIFETIME", "20"),
    }
    endpoints = PROJECT_ROOT / "endpoints.production.yml"
    urls = ",".join(f"http://127.0.0.1:{port}" for port in rasa_ports)
    services = [(action_server_command(settings.action_port), base)]
    services += [
        (rasa_server_command(MODEL_PATH, endpoints, port), rasa_env) for port in rasa_ports
    ]
    services.append(
        (
            server_command(settings.server_host, settings.server_port),
            {**base, "COPRO_RASA_URL": urls},
        )
    )
    if settings.telegram_token:
        services.append((telegram_poll_command(), {**base, "COPRO_RASA_URL": urls}))
    return services
