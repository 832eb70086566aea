"""Made-up quiz answers for the demo and the benchmark data: learners of varying ability answer
questions of varying difficulty (a one-parameter logistic model); a wrong answer usually falls on a
favourite distractor, and a few questions behave as flawed ones do (one keyed so that the better
learners miss it, some with a distractor nobody picks), so that item analysis has something to find."""
from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass


def _unit(text: str) -> float:
    """A stable number in [0, 1) for a text (the same on every run and machine)."""
    return zlib.crc32(text.encode()) / 2**32


@dataclass(frozen=True)
class Item:
    id: int
    qid: str
    kind: str
    keys: tuple[str, ...]
    correct: frozenset[str]
    difficulty: float
    #: wrong options with the weight each has among wrong answers (0: nobody picks it)
    wrong: tuple[tuple[str, float], ...]
    #: a flawed question: the better the learner, the likelier the miss
    reversed: bool

    @classmethod
    def of(cls, question) -> Item:
        """From a Question row (or anything with id, qid, kind and options)."""
        keys = tuple(o["key"] for o in question.options)
        correct = frozenset(o["key"] for o in question.options if o["correct"])
        wrong_keys = [k for k in keys if k not in correct]
        weights = [4.0 / (i + 1) for i in range(len(wrong_keys))]
        if len(wrong_keys) > 2 and _unit(question.qid + "/unused") < 0.25:
            weights[-1] = 0.0
        return cls(question.id, question.qid, question.kind, keys, correct,
                   -2.2 + 3.2 * _unit(question.qid), tuple(zip(wrong_keys, weights)),
                   _unit(question.qid + "/reversed") < 0.04)


def answer(item: Item, ability: float, rng: random.Random) -> list[str]:
    """The sorted option keys a learner of this ability chooses ([] for a skipped question)."""
    if rng.random() < 0.01:
        return []
    edge = -ability if item.reversed else ability
    if rng.random() < 1 / (1 + math.exp(item.difficulty - edge)):
        return sorted(item.correct)
    wrong = [k for k, w in item.wrong if w > 0]
    weights = [w for _k, w in item.wrong if w > 0]
    if item.kind == "multiple":
        chosen = set(item.correct)
        if len(chosen) > 1 and rng.random() < 0.5:
            chosen.discard(rng.choice(sorted(chosen)))
        elif wrong:
            chosen.add(rng.choices(wrong, weights)[0])
        return sorted(chosen)
    return [rng.choices(wrong, weights)[0]] if wrong else []


def attempt(pool: list[Item], count: int, ability: float, rng: random.Random):
    """Draw `count` questions and answer them: (drawn as QuizAttempt.drawn, answers as
    QuizAttempt.answers, number right, [(item, chosen, right)])."""
    items = rng.sample(pool, min(count, len(pool)))
    drawn, answers, marks = [], {}, []
    for item in items:
        keys = list(item.keys)
        if item.kind != "truefalse":
            rng.shuffle(keys)
        drawn.append([item.id, keys])
        chosen = answer(item, ability, rng)
        answers[str(item.id)] = chosen
        marks.append((item, chosen, set(chosen) == item.correct))
    return drawn, answers, sum(1 for *_rest, right in marks if right), marks



def mend(marks: list, answers: dict[str, list[str]], pass_mark: int) -> int:
    """Turn wrong answers into the key, first to last, until the attempt passes (a learner whose
    last allowed attempt must pass, because the data says they completed). Returns the number right."""
    right = sum(1 for *_rest, ok in marks if ok)
    for index, (item, _chosen, ok) in enumerate(marks):
        if right * 100 >= pass_mark * len(marks):
            break
        if not ok:
            answers[str(item.id)] = sorted(item.correct)
            marks[index] = (item, answers[str(item.id)], True)
            right += 1
    return right
