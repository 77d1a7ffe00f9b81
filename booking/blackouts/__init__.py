"""Blackout periods: holidays, exam sessions, maintenance, the university's own events."""
