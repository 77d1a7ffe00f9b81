"""iCalendar files: reading them (blackout imports), and later writing them (feeds)."""
