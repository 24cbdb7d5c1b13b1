"""Alerts from the hourly run: a breach, a failed run, a cleared breach, a stale schedule, sent to people.

`decide` (pure: what to send, from the previous state and this run's checks), `outbox` (the state in
the warehouse), `payload` (the JSON an alert carries), `delivery` (webhooks, Slack, a command, with
retries), `notify` (what the hourly run and `launchkit status --check-stale` call). Configuration:
[alerts] (launchkit.config.alerts); docs/alerts.md.
"""
