"""Notifications: the outbox filled from the change log, e-mails composed and delivered."""
