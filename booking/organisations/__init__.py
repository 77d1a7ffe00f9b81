"""Faculties, departments, student organisations and outside organisers."""
