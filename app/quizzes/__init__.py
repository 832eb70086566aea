"""Quizzes domain."""
