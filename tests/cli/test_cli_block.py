"""``python -m explorer block``: readable table, JSON with the promised keys, one-line errors."""

import json
import subprocess
import sys

import pytest

from explorer.cli.main import main


def _json(capsys, *argv):
    assert main(["block", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_promised_keys(capsys):
    payload = _json(capsys, "mbconv", "--in-channels", "32", "--out-channels", "32", "--size", "28")
    assert {"params", "macs", "output_shape", "ops", "layers"} <= set(payload)
    assert payload["output_shape"] == [32, 28, 28]
    assert set(payload["ops"]) >= {"batchnorm", "activation", "pooling", "se_multiply", "residual_add"}
    assert payload["ops"]["residual_add"] == 32 * 28 * 28
    first = payload["layers"][0]
    assert {"name", "type", "output_shape", "params", "macs"} <= set(first)
    assert sum(row["macs"] for row in payload["layers"]) == payload["macs"]


def test_textbook_numbers(capsys):
    assert _json(capsys, "standard", "--in-channels", "3", "--out-channels", "4", "--size", "5", "--textbook")["params"] == 108
    assert _json(capsys, "depthwise_separable", "--in-channels", "3", "--out-channels", "4", "--size", "5", "--textbook")["params"] == 39
    payload = _json(capsys, "spatially_separable", "--in-channels", "1", "--out-channels", "1", "--size", "5", "--textbook")
    assert payload["macs"] == 72


def test_aliases_and_padding(capsys):
    payload = _json(capsys, "standard", "--activation", "silu", "--padding", "0", "--size", "10")
    assert payload["spec"]["activation"] == "swish"
    assert payload["output_shape"] == [64, 8, 8]


def test_readable_table(capsys):
    assert main(["block", "depthwise_separable"]) == 0
    out = capsys.readouterr().out
    assert "params 2,528" in out and "conv_dw.conv" in out and "% MACs" in out


@pytest.mark.parametrize(
    ("argv", "parameter"),
    [
        (["block", "group", "--groups", "5"], "groups"),
        (["block", "standard", "--stride", "0"], "stride"),
        (["block", "standard", "--kernel-size", "9", "--size", "3", "--padding", "0"], "kernel_size"),
        (["block", "standard", "--expansion", "4"], "expansion"),
        (["block", "standard", "--bias"], "bias"),
        (["block", "mbconv", "--activation", "tanh"], "activation"),
        (["block", "standard", "--padding", "valid"], "--padding"),
        (["block", "standard", "--in-channels", "x"], "--in-channels"),
        (["block", "notakind"], "kind"),
    ],
)
def test_invalid_input_exit_2_one_line(capsys, argv, parameter):
    with pytest.raises(SystemExit) as raised:
        code = main(argv)
        raise SystemExit(code)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and parameter in err and "Traceback" not in err


def test_subprocess_error_has_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "block", "group", "--groups", "7"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "groups: 7 does not divide" in result.stderr
