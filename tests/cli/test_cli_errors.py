"""Bad command lines never print a traceback: exit code 2 and exactly one line on stderr.

Each case names the text the line must contain (the offending parameter or flag). Most
cases run in-process through ``explorer.cli.main`` (argparse errors arrive as
``SystemExit(2)``); a few run ``python -m explorer`` as a real subprocess, one of them with
the largest allowed block under a 4 GiB address-space limit.
"""

from __future__ import annotations

import pickle
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli.main import COMMAND_MODULES, main

ROOT = Path(__file__).resolve().parents[2]

BLOCK_CASES = [
    ([], "command"),
    (["nosuch"], "nosuch"),
    (["block"], "kind"),
    (["block", "nosuch"], "nosuch"),
    (["block", "standard", "extra"], "extra"),
    (["block", "standard", "--no-such-flag"], "--no-such-flag"),
    (["block", "standard", "--in-channels"], "--in-channels"),
    (["block", "standard", "--in-channels", "0"], "in_channels"),
    (["block", "standard", "--in-channels", "-1"], "in_channels"),
    (["block", "standard", "--in-channels", "4097"], "in_channels"),
    (["block", "standard", "--in-channels", "99999999999999999999999"], "in_channels"),
    (["block", "standard", "--in-channels", "3.5"], "--in-channels"),
    (["block", "standard", "--in-channels", ""], "--in-channels"),
    (["block", "standard", "--out-channels", "abc"], "--out-channels"),
    (["block", "standard", "--size", "0"], "size"),
    (["block", "standard", "--size", "1e400"], "--size"),
    (["block", "standard", "--kernel-size", "9", "--size", "3", "--padding", "0"], "kernel_size"),
    (["block", "standard", "--kernel-size", "32"], "kernel_size"),
    (["block", "standard", "--kernel-size", "0"], "kernel_size"),
    (["block", "standard", "--stride", "0"], "stride"),
    (["block", "standard", "--stride", "9"], "stride"),
    (["block", "standard", "--padding", "-1"], "padding"),
    (["block", "standard", "--padding", "65"], "padding"),
    (["block", "standard", "--padding", "valid"], "--padding"),
    (["block", "standard", "--padding", "1.5"], "--padding"),
    (["block", "standard", "--dilation", "0"], "dilation"),
    (["block", "standard", "--dilation", "9"], "dilation"),
    (["block", "group", "--groups", "5"], "groups"),
    (["block", "group", "--groups", "0"], "groups"),
    (["block", "standard", "--groups", "2"], "groups"),
    (["block", "mbconv", "--expansion", "0.5"], "expansion"),
    (["block", "mbconv", "--expansion", "nan"], "expansion"),
    (["block", "mbconv", "--expansion", "inf"], "expansion"),
    (["block", "mbconv", "--expansion", "1e400"], "expansion"),
    (["block", "mbconv", "--expansion", "six"], "--expansion"),
    (["block", "mbconv", "--expanded-channels", "0"], "expanded_channels"),
    (["block", "mbconv", "--se-ratio", "1.5"], "se_ratio"),
    (["block", "mbconv", "--se-ratio", "-0.1"], "se_ratio"),
    (["block", "mbconv", "--se-ratio", "nan"], "se_ratio"),
    (["block", "se", "--se-ratio", "0"], "se_ratio"),
    (["block", "standard", "--se-ratio", "0.25"], "se_ratio"),
    (["block", "mbconv", "--activation", "tanh"], "activation"),
    (["block", "mbconv", "--activation", ""], "activation"),
    (["block", "mbconv", "--activation", "rélu"], "activation"),
    (["block", "bneck", "--gate", "relu"], "gate"),
    (["block", "standard", "--norm", "layer"], "norm"),
    (["block", "standard", "--bias"], "bias"),
    (["block", "mbconv", "--drop-connect", "1"], "drop_connect"),
    (["block", "mbconv", "--drop-connect", "-0.5"], "drop_connect"),
    (["block", "gdc", "--kernel-size", "3"], "kernel_size"),
    (["block", "se", "--stride", "2"], "stride"),
    (["block", "standard", "--json", "--json", "--textbook", "--stride", "0"], "stride"),
]

MEASURE_CASES = [
    (["measure"], "target"),
    (["measure", "block"], "kind"),
    (["measure", "nosuch"], "nosuch"),
    (["measure", "block", "standard", "--budget", "abc"], "--budget"),
    (["measure", "block", "standard", "--budget", "0"], "budget"),
    (["measure", "block", "standard", "--budget", "-1"], "budget"),
    (["measure", "block", "standard", "--budget", "100000"], "budget"),
    (["measure", "block", "standard", "--memory-budget-mib", "0"], "memory"),
    (["measure", "block", "standard", "--stride", "0"], "stride"),
    (["measure", "block", "mbconv", "--se-ratio", "2"], "se_ratio"),
]

NETWORK_CASES = [
    (["network"], "NAME"),
    (["network", "resnet50"], "resnet50"),
    (["network", "mobilenet_v2", "--width-mult", "0"], "width_mult"),
    (["network", "mobilenet_v2", "--width-mult", "nan"], "width_mult"),
    (["network", "mobilenet_v2", "--width-mult", "abc"], "--width-mult"),
    (["network", "mobilenet_v2", "--resolution", "0"], "resolution"),
    (["network", "mobilenet_v2", "--resolution", "4097"], "resolution"),
    (["network", "mobilenet_v2", "--resolution", "224.5"], "--resolution"),
    (["network", "efficientnet_b0", "--width-mult", "1.0"], "width_mult"),
    (["network", "mobilenet_v2", "--phi", "1"], "phi"),
    (["network", "efficientnet", "--phi", "20"], "phi"),
    (["network", "efficientnet", "--alpha", "3"], "alpha"),
    (["network", "efficientnet", "--gamma", "inf"], "gamma"),
    (["network", "mobilenet_v2", "--num-classes", "0"], "num_classes"),
    (["network", "mobilenet_v2", "--full-conv"], "full_conv"),
]

EXPORT_CASES = [
    (["export"], "target"),
    (["export", "block", "mbconv"], "--out"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--formats", "doc"], "formats"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--formats", ""], "formats"),
    (["export", "block", "mbconv", "--out", "{tmp}/a_file", "--formats", "csv"], "out"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--formats", "csv", "--sweep", "banana"], "sweep"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--formats", "csv", "--scale", "0"], "scale"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--formats", "csv", "--stride", "0"], "stride"),
    (["export", "block", "mbconv", "--out", "{tmp}/x", "--style", "neon"], "--style"),
    (["export", "network", "resnet50", "--out", "{tmp}/x"], "resnet50"),
    (["export", "network", "mobilenet_v2", "--out", "{tmp}/x", "--formats", "csv", "--width-mult", "9"], "width_mult"),
]

DIGITS_CASES = [
    (["digits"], "command"),
    (["digits", "train", "--epochs", "0"], "epochs"),
    (["digits", "train", "--epochs", "-1"], "epochs"),
    (["digits", "train", "--epochs", "501"], "epochs"),
    (["digits", "train", "--seed", "x"], "--seed"),
    (["digits", "train", "--seed", "-1"], "seed"),
    (["digits", "evaluate", "--weights", "{tmp}/missing.safetensors"], "weights"),
    (["digits", "evaluate", "--weights", "{tmp}"], "weights"),
    (["digits", "evaluate", "--weights", "{tmp}/garbage.safetensors"], "weights"),
    (["digits", "evaluate", "--weights", "{tmp}/empty.safetensors"], "weights"),
    (["digits", "evaluate", "--weights", "{tmp}/pickled.safetensors"], "weights"),
]

CASES = [
    case
    for module, cases in (
        ("explorer.cli.block", BLOCK_CASES),
        ("explorer.cli.measure", MEASURE_CASES),
        ("explorer.cli.network", NETWORK_CASES),
        ("explorer.cli.export", EXPORT_CASES),
        ("explorer.cli.digits", DIGITS_CASES),
    )
    if module in COMMAND_MODULES
    for case in cases
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A scratch directory holding a plain file and three files that are not safetensors weights."""
    (tmp_path / "a_file").write_text("not a directory")
    (tmp_path / "garbage.safetensors").write_bytes(b"\x00\xffnot safetensors at all" * 10)
    (tmp_path / "empty.safetensors").write_bytes(b"")
    (tmp_path / "pickled.safetensors").write_bytes(pickle.dumps({"weight": [1.0, 2.0]}))
    return tmp_path


def run_in_process(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, expected: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].strip(), f"expected one line on stderr, got {err!r}"
    assert "error" in lines[0] and expected in lines[0], lines[0]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(argv) or "(nothing)" for argv, _ in CASES])
def test_bad_input_exits_2_with_one_line(argv, expected, capsys, files):
    code, out, err = run_in_process([arg.replace("{tmp}", str(files)) for arg in argv], capsys)
    assert_one_line_error(code, err, expected)
    assert out == ""
    assert not (files / "x").exists(), "a refused export must not create its output directory"


def run_module(argv: list[str], address_space: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    return subprocess.run(
        [sys.executable, "-m", "explorer", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120,
        preexec_fn=limit if address_space else None,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(["block", "group", "--groups", "5"], "groups"), (["block", "standard", "--padding", "valid"], "--padding")],
)
def test_real_process_exits_2_with_one_line(argv, expected):
    result = run_module(argv)
    assert_one_line_error(result.returncode, result.stderr, expected)


def test_largest_allowed_block_counts_without_allocating_its_weights():
    """4096 -> 4096 channels, 31 x 31 kernel: 16 G weights (64 GB) are never allocated."""
    argv = ["block", "standard", "--in-channels", "4096", "--out-channels", "4096", "--kernel-size", "31", "--json"]
    result = run_module(argv, address_space=4 * 2**30)
    assert result.returncode == 0, result.stderr[-500:]
    assert f'"params": {31 * 31 * 4096 * 4096 + 2 * 4096}' in result.stdout
