"""What every HTTP endpoint shares: the error shape and the common dependencies."""

# How far a list may be paged: far beyond any real list, well within both engines' integers.
MAX_OFFSET = 1_000_000
