"""People admin: rosters, transfers, roles, deactivation, and each person's own data."""
