"""Reminders (issue 13, item 5): the evening before, each participant's agenda by mail with its
calendar; what changed since a participant last saw its agenda. `send_due_reminders` is what
the job queue's periodic task and `salon reminders send` run (api.reminders.service)."""

from api.reminders.service import agenda_changes, send_due_reminders

__all__ = ["agenda_changes", "send_due_reminders"]
