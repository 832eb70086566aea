"""TCVN ISO 9001:2015 clause numbers a quiz question may be tagged with (numbers only, no text)."""


def _expand(spec: dict[str, int]) -> set[str]:
    out: set[str] = set()
    for parent, count in spec.items():
        out.add(parent)
        out.update(f"{parent}.{i}" for i in range(1, count + 1))
    return out


#: parent clause -> number of sub-clauses it has
_STRUCTURE = {
    "4": 4, "5": 3, "5.1": 2, "5.2": 2, "6": 3, "6.1": 2, "6.2": 2,
    "7": 5, "7.1": 6, "7.1.5": 2, "7.5": 3,
    "8": 7, "8.2": 4, "8.3": 6, "8.4": 3, "8.5": 6, "8.7": 2,
    "9": 3, "9.1": 3, "9.2": 2, "9.3": 3, "10": 3, "10.2": 2,
}

#: 0.2 = the quality management principles, 0.3 = the process approach (introduction of the standard)
VALID_CLAUSES: frozenset[str] = frozenset(_expand(_STRUCTURE) | {"0.2", "0.3"})


def top_clause(clause: str) -> str:
    """'8.5.3' -> '8'; used to count questions per main clause."""
    return clause.split(".")[0]
