"""File-system faults, absurd numbers and a fuzz of command lines: exit 0 or 2, one line, never a traceback.

The cases are the ones a probe found printing tracebacks (``--out /dev/null/x``, ``--out /proc/x``, a
directory or a path under a file as ``digits train --out``, a 5,000-character weights path,
``--memory-budget-mib inf`` / ``1e308``), the metadata JSON overwriting the weights, and the errors a
disk or file system raises mid-write (full, read-only, permission), simulated where root cannot cause
them. Everything runs in-process through :func:`explorer.cli.main.main`.
"""

from __future__ import annotations

import errno
import os
import random
from pathlib import Path

import pytest

from explorer import files as files_module
from explorer.cli.main import main
from explorer.files import write_atomic
from tests.cli.test_cli_errors import assert_one_line_error, run_in_process

EXPORT_CSV = ["export", "block", "standard", "--formats", "csv", "--out"]

FAULT_CASES = [
    (EXPORT_CSV + ["/dev/null/x"], "out: Not a directory"),
    (EXPORT_CSV + ["/proc/x"], "out:"),
    (["digits", "train", "--epochs", "1", "--out", "{tmp}"], "is a directory"),
    (["digits", "train", "--epochs", "1", "--out", "{tmp}/a_file/sub/w.safetensors"], "is a file"),
    (["digits", "train", "--epochs", "1", "--out", "{tmp}/w.json"], "metadata"),
    (["digits", "evaluate", "--weights", "w" * 5000], "weights: File name too long"),
    (["digits", "train", "--epochs", "1", "--out", "w" * 5000], "out: File name too long"),
    (EXPORT_CSV + ["{tmp}/" + "d" * 300], "out: File name too long"),
    (["measure", "block", "standard", "--memory-budget-mib", "inf"], "memory-budget-mib"),
    (["measure", "block", "standard", "--memory-budget-mib", "1e308"], "memory-budget-mib"),
    (["measure", "block", "standard", "--memory-budget-mib", "nan"], "memory-budget-mib"),
    (["measure", "block", "standard", "--budget", "inf"], "budget"),
    (["measure", "block", "standard", "--budget", "nan"], "budget"),
    (EXPORT_CSV + ["{tmp}/x", "--scale", "inf"], "scale"),
    (EXPORT_CSV + ["{tmp}/x", "--scale", "1e308"], "scale"),
    (["network", "efficientnet", "--phi", "1e308"], "phi"),
    (["network", "mobilenet_v2", "--resolution", "9" * 400], "resolution"),
]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "a_file").write_text("not a directory")
    return tmp_path


@pytest.mark.parametrize(("argv", "expected"), FAULT_CASES, ids=[" ".join(argv)[:60] for argv, _ in FAULT_CASES])
def test_file_system_faults_and_absurd_numbers_exit_2_with_one_line(argv, expected, scratch, capsys):
    code, _, err = run_in_process([arg.replace("{tmp}", str(scratch)) for arg in argv], capsys)
    assert_one_line_error(code, err, expected)
    assert not (scratch / "w.json").exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_a_write_that_fails_midway_names_the_argument_and_leaves_no_file(code, message, scratch, capsys, monkeypatch):
    def failing_fsync(descriptor: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files_module.os, "fsync", failing_fsync)
    status, _, err = run_in_process(EXPORT_CSV + [str(scratch / "out")], capsys)
    assert_one_line_error(status, err, f"out: {message}")
    assert list((scratch / "out").iterdir()) == [], "no half-written file and no temporary file left behind"


def test_write_atomic_keeps_the_old_file_when_the_new_one_fails(tmp_path, monkeypatch):
    target = write_atomic(tmp_path / "table.csv", "old\n")
    assert target.read_text() == "old\n" and oct(target.stat().st_mode & 0o777) == "0o644"

    def failing_replace(source, destination):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space") as raised:
        write_atomic(target, "new\n")
    assert raised.value.filename == str(target)
    assert target.read_text() == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["table.csv"]


HOSTILE_VALUES = [
    "0", "-1", "1", "2", "3", "7", "16", "31", "224", "4097", "1e308", "-1e308", "inf", "-inf", "nan", "1e-320",
    "9" * 40, "0x10", "1_024", "\uff11\uff16", "", " ", "abc", "--", "-", "None", "true", "0.5", "1.5", "6.0",
    "same", "valid", "/dev/null/x", "/proc/x", "\x00", "é", "a" * 300, "`**x**`", "[a](https://e.x)",
]
COMMANDS = [
    ["block", "{kind}"], ["network", "{network}"], ["measure", "block", "{kind}", "--budget", "0.05"],
    ["export", "block", "{kind}", "--formats", "csv", "--out", "{tmp}/e"],
    ["export", "network", "{network}", "--formats", "csv", "--out", "{tmp}/n"],
    ["digits", "evaluate", "--weights", "{tmp}/missing.safetensors"],
]
FLAGS = [
    "--in-channels", "--out-channels", "--size", "--kernel-size", "--stride", "--dilation", "--groups", "--expansion",
    "--expanded-channels", "--se-ratio", "--activation", "--gate", "--norm", "--drop-connect", "--padding", "--bias",
    "--textbook", "--json", "--width-mult", "--resolution", "--phi", "--alpha", "--num-classes", "--full-conv",
    "--scale", "--style", "--sweep", "--unit", "--log", "--memory-budget-mib", "--threads", "--formats",
]
KINDS = ["standard", "depthwise_separable", "group", "inverted_residual", "bneck", "mbconv", "fused_mbconv", "se", "gdc", "x"]
NETWORKS = ["mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0", "efficientnet", "efficientnet_l2", "x"]
FUZZ_CASES = 300
FUZZ_SEED = 18


def fuzzed_argv(rng: random.Random, tmp: Path) -> list[str]:
    argv = [part.format(kind=rng.choice(KINDS), network=rng.choice(NETWORKS), tmp=tmp) for part in rng.choice(COMMANDS)]
    for _ in range(rng.randint(0, 4)):
        argv.append(rng.choice(FLAGS))
        if rng.random() < 0.85:
            argv.append(rng.choice(HOSTILE_VALUES))
    return argv


def test_fuzzed_command_lines_exit_0_or_2_without_a_traceback(tmp_path, capsys):
    """300 argument lists from a fixed seed; small resolutions and sizes keep each one fast."""
    rng = random.Random(FUZZ_SEED)
    codes = []
    for _ in range(FUZZ_CASES):
        argv = fuzzed_argv(rng, tmp_path)
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code
        err = capsys.readouterr().err
        assert code in (0, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            assert err.count("\n") == 1 and "error" in err, (argv, err)
        codes.append(code)
    assert 0 in codes and 2 in codes, "the fuzz reaches both accepted and refused command lines"
