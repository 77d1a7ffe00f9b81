"""Deciding on booking requests."""
