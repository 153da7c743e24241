"""``python -m explorer peers block|network``: JSON per tool whose parts add up; one-line errors, exit 2."""

from __future__ import annotations

import json

from explorer.cli.main import main


def test_block_json_gives_each_tool_its_parts_and_residual(capsys):
    # depthwise-separable 3 -> 4 on 5 x 5 (k3, BN + ReLU): depthwise 3 x 25 x 9 = 675, pointwise 4 x 25 x 3 = 300 MACs
    assert main(["peers", "block", "depthwise_separable", "--in-channels", "3", "--out-channels", "4", "--size", "5",
                 "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["explorer"]["macs"] == 975
    for tool in ("torchinfo", "fvcore", "ptflops", "thop", "flop_counter"):
        entry = payload[tool]
        assert entry["error"] is None
        assert sum(entry["explained"].values()) + entry["residual"] == entry["macs"]
        assert entry["residual"] == 0 and entry["explained"]["MACs"] == 975
    # thop: BatchNorm 4 per element on 3 x 25 and 4 x 25 elements; ReLU 0
    assert payload["thop"]["macs"] == 975 + 4 * (75 + 100)
    assert payload["flop_counter"]["reported"] == 2 * 975


def test_network_table_and_tool_subset(capsys):
    assert main(["peers", "network", "mobilenet_v2", "--width-mult", "0.35", "--resolution", "96",
                 "--tools", "fvcore,thop"]) == 0
    out = capsys.readouterr().out
    assert "fvcore" in out and "thop" in out and "ptflops" not in out and "adds up exactly" in out


def test_errors_are_one_line_with_exit_code_2(capsys):
    assert main(["peers", "network", "efficientnet_b0", "--resolution", "2048"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "memory" in error[0] and "lower the resolution" in error[0]
