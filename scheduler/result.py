"""What a solve returns and how a running solve reports progress and is stopped."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Assignment


class SolveStatus(enum.StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a roster, not proven best (time limit or stopped)
    INFEASIBLE = "infeasible"  # the pins cannot all hold with the hard rules
    NO_SOLUTION = "no_solution"  # stopped before any roster was found


@dataclass(frozen=True)
class Conflict:
    """A smallest set of pins and rules that cannot hold together, said in words."""

    rules: tuple[str, ...]
    pins: tuple  # scheduler.model.Pin
    message: str


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)


@dataclass
class Result:
    status: SolveStatus
    backend: str
    objective: int | None = None
    bound: float | None = None
    wall_time: float = 0.0
    terms: dict[str, int] = field(default_factory=dict)
    roster: list[Assignment] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    stopped: bool = False  # stopped by the caller before proving optimality
    time_to_first: float | None = None  # seconds until the first roster

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    @property
    def has_roster(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> dict:
        """The JSON-able summary written next to a roster."""
        return {
            "status": str(self.status),
            "backend": self.backend,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "wall_time": round(self.wall_time, 3),
            "time_to_first_roster": None if self.time_to_first is None else round(self.time_to_first, 3),
            "stopped": self.stopped,
            "terms": dict(self.terms),
            "assignments": len(self.roster),
            "conflicts": [c.message for c in self.conflicts],
        }

    def __str__(self) -> str:
        gap = "-" if self.gap is None else f"{self.gap:.2%}"
        return (f"{self.status} objective={self.objective} bound={self.bound} gap={gap} "
                f"time={self.wall_time:.2f}s backend={self.backend}")


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective - bound) / objective, 0 when they meet; None without both."""
    if objective is None or bound is None:
        return None
    if objective - bound <= 1e-6:
        return 0.0
    return (objective - bound) / max(abs(objective), 1e-9)


class StopToken:
    """Lets another thread (a portal job, the CLI's Ctrl-C) stop a running solve.

    The solve then returns the best roster found so far.
    """

    def __init__(self, event=None) -> None:
        # Another process's solves share a multiprocessing Event (sub_solves.Processes); they poll it.
        self.event = threading.Event() if event is None else event
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def stop(self) -> None:
        with self._lock:
            self.event.set()
            callbacks = list(self._callbacks)
        for cb in callbacks:
            cb()

    @property
    def stopped(self) -> bool:
        return self.event.is_set()

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run callback when stopped (at once if already stopped)."""
        with self._lock:
            self._callbacks.append(callback)
            already = self.event.is_set()
        if already:
            callback()


ProgressCallback = Callable[[Progress], None]
