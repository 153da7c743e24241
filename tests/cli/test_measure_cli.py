"""``python -m explorer measure block``: JSON with the promised keys, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from explorer.cli.main import main


def test_json_has_the_promised_keys(capsys):
    argv = ["measure", "block", "standard", "--in-channels", "3", "--out-channels", "4", "--size", "5", "--textbook",
            "--budget", "0.3", "--threads", "1", "--json"]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"latency_ms", "latency_ms_iqr", "runs", "threads", "macs", "peak_activation_bytes"} <= set(payload)
    assert payload["macs"] == 108 * 9  # 3x3 conv 3 -> 4, no padding: 108 weights x 3x3 outputs
    assert payload["peak_activation_bytes"] == 3 * 25 * 4 + 4 * 9 * 4  # input and output live together
    assert payload["parameter_bytes"] == 108 * 4
    assert payload["runs"] >= 1 and payload["threads"] == 1 and payload["latency_ms"] > 0
    assert payload["input_shape"] == [3, 5, 5] and payload["batch"] == 1


def test_table_output(capsys):
    assert main(["measure", "block", "depthwise_separable", "--size", "8", "--budget", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "ms median, IQR" in out and "peak activations" in out and "MACs per byte" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--budget", "0"], "budget: must be from 0.05 to 120 seconds"),
        (["--size", "4096", "--in-channels", "512"], "memory: this configuration needs about"),
        (["--memory-budget-mib", "-1"], "memory-budget-mib: must be a number of MiB above 0"),
        (["--groups", "3"], "groups: does not apply"),
        (["--threads", "0"], "threads: must be a whole number from 1 to"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(["measure", "block", "standard", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_unknown_kind_exits_2_in_a_real_process():
    done = subprocess.run([sys.executable, "-m", "explorer", "measure", "block", "nope"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid choice: 'nope'" in done.stderr and "Traceback" not in done.stderr


def test_network_json(capsys):
    argv = ["measure", "network", "mobilenet_v3_small", "--resolution", "32", "--budget", "1", "--threads", "1", "--json"]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"latency_ms", "latency_ms_iqr", "latency_ms_q1", "latency_ms_q3", "latency_ms_min", "runs", "threads", "macs",
            "peak_activation_bytes", "stages", "stages_latency_ms_sum"} <= set(payload)
    # stages numbered as the paper's table and the Networks page (1 = the stem); machine names under "modules"
    assert [stage["stage"] for stage in payload["stages"]] == list(range(1, 14))
    assert payload["stages"][0]["modules"] == "stem" and payload["stages"][-1]["modules"] == "head + classifier"
    # latency_ms is the whole network's median over its own runs, with its spread
    assert payload["latency_ms_min"] <= payload["latency_ms_q1"] <= payload["latency_ms"] <= payload["latency_ms_q3"]
    assert payload["stages_latency_ms_sum"] == pytest.approx(sum(stage["latency ms"] for stage in payload["stages"]))
    assert payload["input_shape"] == [3, 32, 32] and payload["threads"] == 1


def test_too_big_a_network_is_refused(capsys):
    assert main(["measure", "network", "efficientnet_l2"]) == 2
    assert "memory: this configuration needs about" in capsys.readouterr().err
