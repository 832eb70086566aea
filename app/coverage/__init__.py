"""Training obligations and the yearly coverage DOST checks, agency by agency."""
