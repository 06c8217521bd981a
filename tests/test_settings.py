"""Settings: read once from the environment, and refused when unsafe."""

import secrets

import pytest

from bot.settings import DEV_SECRET, MAKE_SECRET, Settings

GOOD_SECRET = "kX3vQ9mZr7LpT2wYb8NcF5hJd4Gs6Ae1"


def test_defaults_keep_everything_under_var(tmp_path):
    settings = Settings.from_env({"COPRO_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'copro.db'}"
    assert settings.tracker_url == f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
    assert (settings.min_group, settings.retention_days, settings.charter) == (5, 365, "wirral")
    assert settings.secret_key == DEV_SECRET and not settings.production


def test_production_refuses_to_start_without_its_secrets():
    with pytest.raises(ValueError, match="COPRO_SECRET_KEY must be set"):
        Settings.from_env({"COPRO_ENV": "production"})
    with pytest.raises(ValueError, match="COPRO_TELEGRAM_SECRET must be set"):
        Settings.from_env(
            {
                "COPRO_ENV": "production",
                "COPRO_SECRET_KEY": GOOD_SECRET,
                "COPRO_TELEGRAM_TOKEN": "t",
            }
        )
    settings = Settings.from_env({"COPRO_ENV": "production", "COPRO_SECRET_KEY": GOOD_SECRET})
    assert settings.production and settings.secret_key == GOOD_SECRET


@pytest.mark.parametrize("value", ["prod", "dev", "staging", "live", "production1", "true"])
def test_an_unknown_environment_is_refused_naming_the_known_ones(value):
    with pytest.raises(ValueError) as raised:
        Settings.from_env({"COPRO_ENV": value, "COPRO_SECRET_KEY": GOOD_SECRET})
    message = str(raised.value)
    assert message.startswith("COPRO_ENV must be empty, development or production")
    assert repr(value) in message


@pytest.mark.parametrize(
    "value,production",
    [("", False), ("development", False), ("Development", False), (" production ", True)],
)
def test_the_known_environments(value, production):
    settings = Settings.from_env({"COPRO_ENV": value, "COPRO_SECRET_KEY": GOOD_SECRET})
    assert settings.production is production


@pytest.mark.parametrize(
    "secret,why",
    [
        ("a", "is too short: 1 of the 32 characters it needs"),
        ("k", "is too short: 1 of the 32 characters it needs"),
        ("correct-horse-battery-staple", "is too short: 28 of the 32"),
        ("x" * 64, "uses only 1 different characters"),
        ("ab12" * 10, "uses only 4 different characters"),
        ("Passw0rd!Zq" * 3, "is a short piece repeated"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "is mostly a run of characters in order"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", "is mostly a run of characters in order"),
    ],
)
def test_production_refuses_a_weak_secret_and_says_how_to_make_one(secret, why):
    for settings in (
        lambda: Settings.from_env({"COPRO_ENV": "production", "COPRO_SECRET_KEY": secret}),
        lambda: Settings(production=True, secret_key=secret),
    ):
        with pytest.raises(ValueError) as raised:
            settings()
        message = str(raised.value)
        assert message.startswith(f"COPRO_SECRET_KEY {why}")
        assert MAKE_SECRET in message
        assert len(secret) < 8 or secret not in message


def test_production_takes_a_random_secret():
    made = [GOOD_SECRET]
    made += [secrets.token_urlsafe(32) for _ in range(20)]
    made += [secrets.token_hex(32) for _ in range(20)]
    for secret in made:
        assert Settings(production=True, secret_key=secret).secret_key == secret


def test_the_command_in_the_message_makes_a_secret_production_takes():
    code = MAKE_SECRET.split('"')[1]
    printed: list[str] = []
    exec(code, {"print": printed.append})  # noqa: S102 - our own one-line command
    assert Settings(production=True, secret_key=printed[0]).production


def test_development_takes_any_secret():
    assert Settings.from_env({"COPRO_SECRET_KEY": "a"}).secret_key == "a"


@pytest.mark.parametrize(
    "env,message",
    [
        ({"COPRO_MIN_GROUP": "five"}, "COPRO_MIN_GROUP must be a whole number"),
        ({"COPRO_MIN_GROUP": "0"}, "COPRO_MIN_GROUP must be 1 or more"),
        ({"COPRO_RETENTION_DAYS": "1y"}, "COPRO_RETENTION_DAYS must be a whole number"),
        ({"COPRO_RETENTION_DAYS": "0"}, "COPRO_RETENTION_DAYS must be 1 or more"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)
