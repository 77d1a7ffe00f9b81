"""What every HTTP endpoint shares: the error shape and the common dependencies."""

# How far a list may be paged: far beyond any real list, well within both engines' integers.
MAX_OFFSET = 1_000_000

# Ids are PostgreSQL integers (SQLite's are wider): no record can have a larger one.
MAX_ID = 2_147_483_647
