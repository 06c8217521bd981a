"""One typed settings object, read from ``COPRO_*`` environment variables.

No other module reads the environment: they call :func:`get_settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"
# COPRO_ENV's values, and whether each is production.
ENVIRONMENTS = {"": False, "development": False, "production": True}
# A production secret: 32 random bytes, written in letters and digits, is longer than this.
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 10
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from error


def _production(env: dict[str, str]) -> bool:
    raw = env.get("COPRO_ENV", "")
    value = raw.strip().lower()
    if value not in ENVIRONMENTS:
        raise ValueError(f"COPRO_ENV must be empty, development or production, not {raw!r}")
    return ENVIRONMENTS[value]


def _repeats(key: str) -> bool:
    """The key is one shorter piece written again and again ("abcabcabc...")."""
    return any(
        all(key[i] == key[i % size] for i in range(len(key)))
        for size in range(1, len(key) // 2 + 1)
    )


def _counts_along(key: str) -> bool:
    """Most characters follow the one before ("abcdef...", "123456...", "aaaa...")."""
    steps = sum(abs(ord(b) - ord(a)) <= 1 for a, b in zip(key, key[1:], strict=False))
    return steps * 2 > len(key) - 1


def weak_secret(key: str) -> str | None:
    """Why ``key`` is too easy to guess to sign production sessions; None when it is fine."""
    if len(key) < SECRET_MIN_LENGTH:
        return f"is too short: {len(key)} of the {SECRET_MIN_LENGTH} characters it needs"
    if len(set(key)) < SECRET_MIN_DISTINCT:
        return f"uses only {len(set(key))} different characters"
    if _repeats(key):
        return "is a short piece repeated"
    if _counts_along(key):
        return "is mostly a run of characters in order"
    return None


@dataclass(frozen=True)
class Settings:
    """Everything the product can be configured with."""

    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    tracker_url: str = ""
    # One Rasa server, or several separated by commas (they must share one
    # tracker store and one lock store: the production profile).
    rasa_url: str = "http://127.0.0.1:5005"
    # Redis, for Rasa's lock store and for updates seen, when several
    # processes serve the same people (production profile).
    redis_url: str = ""
    # Where messages are kept, on this machine, while Rasa cannot take them.
    spool_path: Path | None = None
    action_port: int = 5055
    server_host: str = "127.0.0.1"
    server_port: int = 8080
    telegram_token: str = ""
    telegram_secret: str = ""
    # Another Bot API server (e.g. a self-hosted one); empty: Telegram's own.
    telegram_api_url: str = ""
    # The bot's user name (for t.me deep links to a review) and the address
    # families reach bot.server at (for web links and QR codes).
    telegram_bot: str = ""
    public_url: str = ""
    secret_key: str = DEV_SECRET
    min_group: int = 5
    retention_days: int = 365
    charter: str = "wirral"
    # Local contacts set by staff over the packs' own (deploy/contacts.example.yml).
    contacts_file: Path | None = None
    production: bool = False
    spacy_model: str = field(default="")
    # The risk classifier, built by `copro nlp build` from bot/safety/data.
    safety_model: str = field(default="")
    # Safeguarding alerts: the mail server (smtp://user:password@host:port, or
    # smtps:// for TLS from the start; ?starttls=true to upgrade), the address
    # alerts go to when a charter pack names none, the second address when a
    # flag is not acknowledged in time, and who families are told was sent it.
    smtp_url: str = ""
    alert_email: str = ""
    alert_escalate_email: str = ""
    alert_escalate_minutes: int = 30
    alert_from: str = "copro-alerts@localhost"
    alert_team: str = "local safety team"
    # A staff Telegram chat (its id) that gets alerts too, through the bot.
    alert_telegram_chat: str = ""

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'copro.db'}")
        if not self.tracker_url:
            tracker_db = self.var_dir / "rasa_tracker.db"
            object.__setattr__(self, "tracker_url", f"sqlite:///{tracker_db}")
        if not self.rasa_urls or not all(
            url.startswith(("http://", "https://")) for url in self.rasa_urls
        ):
            raise ValueError("COPRO_RASA_URL must be one or more http:// addresses, with commas")
        if self.spool_path is None:
            object.__setattr__(self, "spool_path", self.var_dir / "spool.db")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://localhost:{self.server_port}")
        if not self.spacy_model:
            object.__setattr__(self, "spacy_model", str(self.var_dir / "spacy" / "en_copro"))
        if not self.safety_model:
            object.__setattr__(self, "safety_model", str(self.var_dir / "safety"))
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise ValueError("COPRO_SMTP_URL must start with smtp:// or smtps://")
        if self.alert_escalate_minutes < 1:
            raise ValueError("COPRO_ALERT_ESCALATE_MINUTES must be 1 or more")
        if self.min_group < 1:
            raise ValueError("COPRO_MIN_GROUP must be 1 or more")
        if self.retention_days < 1:
            raise ValueError("COPRO_RETENTION_DAYS must be 1 or more")
        if self.production and self.secret_key == DEV_SECRET:
            raise ValueError(
                f"COPRO_SECRET_KEY must be set in production. Make one with: {MAKE_SECRET}"
            )
        weakness = weak_secret(self.secret_key) if self.production else None
        if weakness:
            raise ValueError(
                f"COPRO_SECRET_KEY {weakness}: production needs at least "
                f"{SECRET_MIN_LENGTH} random characters. Make one with: {MAKE_SECRET}"
            )
        if self.production and self.telegram_token and not self.telegram_secret:
            raise ValueError("COPRO_TELEGRAM_SECRET must be set in production with Telegram")

    @property
    def rasa_urls(self) -> tuple[str, ...]:
        """Every Rasa server's address (COPRO_RASA_URL may list several)."""
        return tuple(url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip())

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("COPRO_VAR_DIR") or PROJECT_ROOT / "var")
        return cls(
            var_dir=var_dir,
            database_url=env.get("COPRO_DATABASE_URL", ""),
            tracker_url=env.get("COPRO_TRACKER_URL", ""),
            rasa_url=env.get("COPRO_RASA_URL", "http://127.0.0.1:5005"),
            redis_url=env.get("COPRO_REDIS_URL", ""),
            spool_path=Path(env["COPRO_SPOOL_PATH"]) if env.get("COPRO_SPOOL_PATH") else None,
            action_port=_int(env, "COPRO_ACTION_PORT", 5055),
            server_host=env.get("COPRO_HOST", "127.0.0.1"),
            server_port=_int(env, "COPRO_PORT", 8080),
            telegram_token=env.get("COPRO_TELEGRAM_TOKEN", ""),
            telegram_secret=env.get("COPRO_TELEGRAM_SECRET", ""),
            telegram_api_url=env.get("COPRO_TELEGRAM_API_URL", ""),
            telegram_bot=env.get("COPRO_TELEGRAM_BOT", "").lstrip("@"),
            public_url=env.get("COPRO_PUBLIC_URL", "").rstrip("/"),
            secret_key=env.get("COPRO_SECRET_KEY") or DEV_SECRET,
            min_group=_int(env, "COPRO_MIN_GROUP", 5),
            retention_days=_int(env, "COPRO_RETENTION_DAYS", 365),
            charter=env.get("COPRO_CHARTER", "wirral").strip().lower() or "wirral",
            contacts_file=(
                Path(env["COPRO_CONTACTS_FILE"]) if env.get("COPRO_CONTACTS_FILE") else None
            ),
            production=_production(env),
            spacy_model=env.get("COPRO_SPACY_MODEL", ""),
            safety_model=env.get("COPRO_SAFETY_MODEL", ""),
            smtp_url=env.get("COPRO_SMTP_URL", "").strip(),
            alert_email=env.get("COPRO_ALERT_EMAIL", "").strip(),
            alert_escalate_email=env.get("COPRO_ALERT_ESCALATE_EMAIL", "").strip(),
            alert_escalate_minutes=_int(env, "COPRO_ALERT_ESCALATE_MINUTES", 30),
            alert_from=env.get("COPRO_ALERT_FROM", "").strip() or "copro-alerts@localhost",
            alert_team=env.get("COPRO_ALERT_TEAM", "").strip() or "local safety team",
            alert_telegram_chat=env.get("COPRO_ALERT_TELEGRAM_CHAT", "").strip(),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings for this process, read once."""
    return Settings.from_env()
