"""Safeguarding alerts: a severe flag reaches a person, for real.

An alert is an e-mail (SMTP, ``COPRO_SMTP_URL``) to the area's safeguarding
address, and a message to a staff Telegram chat when one is set. It holds no
message text and no pseudonym: the area, the level, the kind of risk, the time
and a link to the flag on the dashboard, behind the login. Alerts are rows in
the store, sent at once, tried again when they fail, and sent to a second
address when nobody acknowledges the flag in time (:mod:`bot.alerts.desk`).
"""
