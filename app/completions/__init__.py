"""Completions domain."""
