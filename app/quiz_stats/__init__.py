"""Quiz statistics: item analysis for authors and the weakness-by-clause report."""
