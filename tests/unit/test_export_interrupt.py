"""Exports stop waiting when the server stops or the user cancels (views.downloads.interruptible), and at exit."""

from __future__ import annotations

import threading

import pytest

from views import downloads


class Cancelled(Exception):
    """Stands for Streamlit's rerun exception, raised by a Streamlit call once the user pressed Cancel."""


def test_the_bytes_and_the_errors_of_the_work_come_back():
    assert downloads.interruptible(lambda: b"file")() == b"file"
    with pytest.raises(ValueError, match="model: too big"):
        downloads.interruptible(lambda: (_ for _ in ()).throw(ValueError("model: too big")))()


def test_a_cancel_stops_the_wait_inside_a_long_file_and_the_work_ends_on_its_own():
    release, ticks = threading.Event(), []

    def long_export() -> bytes:
        release.wait(60)
        return b"late"

    def tick(elapsed: float) -> None:
        ticks.append(elapsed)
        if len(ticks) == 2:
            raise Cancelled

    before = set(downloads._RUNNING)
    with pytest.raises(Cancelled):
        downloads.interruptible(long_export, tick)()
    assert len(ticks) == 2 and ticks == sorted(ticks)
    (worker,) = downloads._RUNNING - before  # left behind, still at work
    assert worker.is_alive() and worker.daemon
    release.set()
    worker.join(10)
    assert worker not in downloads._RUNNING


def test_a_stopping_server_ends_the_wait(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(downloads, "_server_stopping", lambda: True)
    with pytest.raises(RuntimeError, match="export: not finished, the server is stopping"):
        downloads.interruptible(lambda: release.wait(60) and b"")()
    release.set()


def test_at_exit_the_browser_is_closed_and_a_running_export_does_not_hold_the_process(monkeypatch):
    stopped, exits = [], []
    monkeypatch.setattr(downloads.render, "stop_browser", lambda polite_s: stopped.append(polite_s))
    monkeypatch.setattr(downloads.os, "_exit", exits.append)
    monkeypatch.setattr(downloads, "_RUNNING", set())
    downloads._leave_without_waiting_for_exports()
    assert stopped == [downloads.EXIT_CLOSE_S] and exits == []  # nothing running: a normal exit follows
    release = threading.Event()
    worker = threading.Thread(target=release.wait, args=(60,), daemon=True)
    monkeypatch.setattr(downloads, "_RUNNING", {worker})
    worker.start()
    downloads._leave_without_waiting_for_exports()
    release.set()
    assert exits == [0]


def test_at_most_two_exports_run_at_once_and_a_waiting_one_can_be_cancelled():
    release, started = threading.Event(), []

    def export() -> bytes:
        started.append(1)
        release.wait(60)
        return b"done"

    def cancel_at_once(elapsed: float) -> None:
        raise Cancelled

    before = set(downloads._RUNNING)
    for _ in range(3):  # all three cancelled by the user: two keep running, the third waits for a slot
        with pytest.raises(Cancelled):
            downloads.interruptible(export, cancel_at_once)()
    workers = downloads._RUNNING - before
    for _ in range(300):  # until both slots are taken (they are never given back before release)
        if len(started) == 2:
            break
        threading.Event().wait(0.1)
    assert len(started) == 2 and len(workers) == 3 and all(worker.is_alive() for worker in workers)
    release.set()
    for worker in workers:
        worker.join(10)
    assert len(started) == 3
