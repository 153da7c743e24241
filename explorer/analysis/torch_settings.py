"""Process-wide torch settings, changed by one caller at a time and always restored.

torch's thread count, its deterministic-algorithms switch and its default random generator are
global to the process: in a server, one session setting them changes every other session's run.

- :data:`THREADS_LOCK` is held by whatever changes the thread count or determinism: latency
  measurement and digits training.
- :data:`RNG_LOCK` is held by whatever seeds the default generator: building a block with seeded
  random weights (SE channel weights, drop connect, ONNX export) and digits training, whose
  initial weights and drop-connect draws come from it. Two overlapping retrains, or a retrain
  next to an SE page, would otherwise interleave their draws and give weights different from a
  solo run.

Training takes both, always threads first, so nothing can deadlock; measurement never waits for
an SE forward pass and an SE forward pass never waits for a measurement.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import torch

THREADS_LOCK = threading.Lock()
RNG_LOCK = threading.Lock()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Hold :data:`RNG_LOCK` with the default generator seeded with ``seed``; its state is restored after."""
    with RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextlib.contextmanager
def exclusive_torch_settings(threads: int, deterministic: bool, seed: int) -> Iterator[None]:
    """Hold both locks; run with ``threads`` threads, deterministic algorithms on or off and the default
    generator seeded with ``seed``; restore all of them (and the warn-only flag) afterwards."""
    with THREADS_LOCK, seeded(seed):
        previous_threads = torch.get_num_threads()
        previous = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
            torch.set_num_threads(previous_threads)
