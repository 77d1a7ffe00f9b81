"""The pure domain: plain values and functions, no web framework, ORM or job queue."""
