"""What every HTTP endpoint shares: the error shape and the common dependencies."""
