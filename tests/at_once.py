"""Many people pressing the same button in the same instant: one thread each, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def at_once(action: Callable[[Any, Callable[[], None]], Any], people: Sequence[Any], timeout: float = 120) -> list:
    """Runs `action(person, go)` for every person in its own thread; each calls `go()` right before the
    contested request, which returns when all are ready. Returns the answers in `people`'s order;
    the first exception of any thread is raised here."""
    ready = threading.Barrier(len(people))
    answers: list = [None] * len(people)
    errors: list[BaseException] = []

    def run(index: int, person: Any) -> None:
        try:
            answers[index] = action(person, lambda: ready.wait(timeout=timeout))
        except BaseException as error:  # noqa: BLE001  (raised in the caller below)
            errors.append(error)
            ready.abort()  # the others must not wait for one that will never come

    threads = [threading.Thread(target=run, args=(i, p), name=f"person-{i}") for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return answers
