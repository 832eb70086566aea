"""People, accounts, assignments and signing in."""
