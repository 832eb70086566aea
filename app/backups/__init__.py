"""Backups of the database in one file (a manifest and the data), and restoring them."""
