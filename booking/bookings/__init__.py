"""Booking requests: creating them conflict-safely, reading, listing and cancelling them."""
