"""Courses domain."""
