"""Imports of agencies, staff, completions and lineage: validated whole, applied all or nothing."""
