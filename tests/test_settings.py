"""Settings: read once from the environment, and refused when unsafe."""

import pytest

from bot.settings import DEV_SECRET, Settings


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
            {"COPRO_ENV": "production", "COPRO_SECRET_KEY": "k", "COPRO_TELEGRAM_TOKEN": "t"}
        )
    settings = Settings.from_env({"COPRO_ENV": "production", "COPRO_SECRET_KEY": "k"})
    assert settings.production and settings.secret_key == "k"


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
