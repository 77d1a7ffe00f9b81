"""Accounts: users, sign-in with sessions or personal tokens, roles and memberships."""
