"""Training restores every process-wide torch setting and gives the same weights when sessions overlap."""

from __future__ import annotations

import threading

import torch

from explorer.analysis.torch_settings import RNG_LOCK, THREADS_LOCK, seeded
from explorer.demos.digits import train_digits, weights_to_bytes


def test_training_restores_threads_determinism_and_the_default_generator():
    threads = torch.get_num_threads()
    deterministic, warn_only = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    torch.manual_seed(1234)
    expected_draw = torch.rand(3)
    torch.manual_seed(1234)
    train_digits(epochs=1, seed=0)
    assert torch.equal(torch.rand(3), expected_draw), "the default generator continues where it was"
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == deterministic
    assert torch.is_deterministic_algorithms_warn_only_enabled() == warn_only
    assert not THREADS_LOCK.locked() and not RNG_LOCK.locked()


def test_overlapping_retrains_and_seeded_builds_give_the_solo_weights():
    solo = weights_to_bytes(train_digits(epochs=1, seed=3)[0])
    results: dict[str, bytes] = {}
    stop = threading.Event()

    def train(name: str) -> None:
        results[name] = weights_to_bytes(train_digits(epochs=1, seed=3)[0])

    def seeded_builds() -> None:  # what the SE, drop-connect and ONNX paths do meanwhile (all under seeded)
        while not stop.is_set():
            with seeded(7):
                torch.rand(1000)

    workers = [threading.Thread(target=train, args=(name,)) for name in "ab"]
    noise = threading.Thread(target=seeded_builds)
    noise.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    noise.join()
    assert results == {"a": solo, "b": solo}


def test_the_bottleneck_runs_restore_the_default_generator_and_wait_for_a_measurement():
    """``papers``' digits runs (``train_run``) take the same locks and restore the same settings as a retrain."""
    from explorer.demos.bottleneck_digits import TrainingConfig, train_run

    config = TrainingConfig(epochs=1)
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.manual_seed(1234)
    expected_draw = torch.rand(3)
    torch.manual_seed(1234)
    solo = train_run("v2_linear", 0, config)
    assert torch.equal(torch.rand(3), expected_draw), "the default generator continues where it was"
    assert torch.get_num_threads() == threads and torch.are_deterministic_algorithms_enabled() == deterministic
    done = threading.Event()
    with THREADS_LOCK:  # a latency measurement is running
        runner = threading.Thread(target=lambda: (train_run("v2_linear", 0, config), done.set()))
        runner.start()
        assert not done.wait(1.0), "the run waited for the measurement"
    runner.join(120)
    assert done.is_set()
    assert train_run("v2_linear", 0, config) == solo, "same seed, same run"
