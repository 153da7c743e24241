"""The digits experiments: linear vs ReLU6 bottleneck and dead depthwise kernels; shipped results reproduce."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from explorer.artifacts.papers import ablation_verdict, dead_kernel_artifacts, linear_bottleneck_artifacts
from explorer.cli.main import main
from explorer.demos.bottleneck_digits import (
    DEAD_THRESHOLD,
    DEFAULT_CONFIG,
    DEFAULT_SEEDS,
    VARIANT_LABELS,
    VARIANTS,
    accuracy_summary,
    build_variant,
    dead_kernel_summary,
    depthwise_units,
    find_run,
    load_results,
    train_run,
)


@pytest.fixture(scope="module")
def results():
    return load_results()


def test_variants_differ_only_in_the_projection_activation():
    linear, relu6 = build_variant("v2_linear"), build_variant("v2_relu6")
    assert [type(block.conv_pwl.act) for block in linear.blocks] == [nn.Identity] * 5
    assert [type(block.conv_pwl.act) for block in relu6.blocks] == [nn.ReLU6] * 5
    assert sum(p.numel() for p in linear.parameters()) == sum(p.numel() for p in relu6.parameters())
    assert [unit.conv.out_channels for unit in depthwise_units(linear).values()] == [16, 96, 144, 144, 192]
    assert [unit.conv.out_channels for unit in depthwise_units(build_variant("v1")).values()] == [16, 32, 64, 64, 128]
    assert build_variant("v1")(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(ValueError, match="variant: must be one of v1, v2_linear, v2_relu6"):
        build_variant("v3")


def test_shipped_results_hold_every_run(results):
    assert results["config"]["epochs"] == DEFAULT_CONFIG.epochs
    assert results["dead_threshold"] == DEAD_THRESHOLD
    assert {(run["variant"], run["seed"]) for run in results["runs"]} == {(v, s) for v in VARIANTS for s in DEFAULT_SEEDS}
    for run in results["runs"]:
        assert run["n_test"] == 360
        assert run["correct"] >= 0.85 * 360  # every run learned the task
        assert [len(layer["norms"]) for layer in run["layers"]] == [layer["channels"] for layer in run["layers"]]


# Float sums run in a different order on another CPU instruction set (AVX2, AVX-512, AMX), and 20 epochs
# amplify the last-bit differences: on this project's machines a regenerated v1 seed-0 run got 341-350
# correct against the shipped 344. Exact equality holds on one machine; across machines, the conclusions.
SHIPPED_ACCURACY_TOLERANCE = 0.03


def test_a_regenerated_run_is_exact_on_one_machine_and_close_to_the_shipped_one(results):
    threads = torch.get_num_threads()
    first, second = train_run("v1", 0), train_run("v1", 0)
    assert first == second
    assert torch.get_num_threads() == threads
    assert not torch.are_deterministic_algorithms_enabled()
    shipped = find_run(results, "v1", 0)
    assert abs(first["correct"] - shipped["correct"]) <= SHIPPED_ACCURACY_TOLERANCE * shipped["n_test"]
    assert [layer["never_active"] for layer in first["layers"]] == [layer["never_active"] for layer in shipped["layers"]]
    assert [min(layer["norms"]) > DEAD_THRESHOLD for layer in first["layers"]] == [True] * len(first["layers"])


def test_summaries_by_hand():
    results = {"runs": [
        {"variant": "v2_linear", "seed": 0, "correct": 342, "n_test": 360, "layers": []},
        {"variant": "v2_linear", "seed": 1, "correct": 351, "n_test": 360, "layers": []},
        {"variant": "v2_relu6", "seed": 0, "correct": 360, "n_test": 360, "layers": []},
        {"variant": "v2_relu6", "seed": 1, "correct": 360, "n_test": 360, "layers": []},
    ]}
    linear, relu6 = accuracy_summary(results)
    assert (linear.mean, linear.std, linear.minimum, linear.maximum, linear.seeds) == (96.25, 1.77, 95.0, 97.5, 2)
    assert relu6.std == 0.0 and relu6.as_row()["accuracy % per seed"] == "100.00, 100.00"
    assert "in favour of the ReLU6 bottleneck" in ablation_verdict(linear, relu6)
    layers = {"runs": [
        {"variant": "v1", "seed": 0, "layers": [{"layer": "blocks.0", "channels": 4, "never_active": 1,
                                                  "norms": [0.001, 0.5, 0.02, 0.3]}]},
        {"variant": "v1", "seed": 1, "layers": [{"layer": "blocks.0", "channels": 4, "never_active": 0,
                                                  "norms": [0.4, 0.5, 0.6, 0.005]}]},
    ]}
    (row,) = dead_kernel_summary(layers, 0.01, variants=("v1",))
    assert (row.kernels, row.near_zero, row.near_zero_percent, row.never_active_percent) == (8, 2, 25.0, 12.5)
    assert row.median_norm == pytest.approx(np.median([0.001, 0.5, 0.02, 0.3, 0.4, 0.5, 0.6, 0.005]))


def test_page_artifacts_from_the_shipped_results(results):
    lb = linear_bottleneck_artifacts(3, 0, "screen", results, matrices=3)
    assert set(lb.exports()) == {"spiral", "error_curves", "errors", "ablation", "ablation_summary", "ablation_runs"}
    assert len(lb.ablation_runs) == 2 * len(DEFAULT_SEEDS)
    dk = dead_kernel_artifacts(0.2, "slide", results)
    kernels = dk.layers.groupby("network")["kernels (all seeds)"].sum()
    assert sorted(kernels.tolist()) == [304 * 5, 592 * 5]
    below = {count.network: count.near_zero for count in dk.counts}
    stored = {label: sum(norm < 0.2 for run in results["runs"] if run["variant"] == variant
                         for layer in run["layers"] for norm in layer["norms"])
              for variant, label in VARIANT_LABELS.items() if variant != "v2_relu6"}
    assert below == stored and sum(below.values()) == int(dk.layers["near zero"].sum())
    assert [count.kernels for count in dk.counts] == [304 * 5, 592 * 5]
    with pytest.raises(ValueError, match="threshold"):
        dead_kernel_artifacts(0.0, "screen", results)


def test_cli_refuses_bad_seeds(capsys):
    assert main(["papers", "train", "--seeds", "a,b", "--out", "/tmp/never_written.json"]) == 2
    assert "seeds: must be whole numbers" in capsys.readouterr().err
