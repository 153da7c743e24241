"""The trained digits network: shipped weights, reproducible training, SE statistics, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from explorer.cli.main import main
from explorer.demos.digits import (
    DEFAULT_WEIGHTS,
    DigitsData,
    block_specs,
    class_specificity,
    digits_artifacts,
    evaluate,
    held_out_example,
    image_to_digit,
    load_split,
    load_trained,
    metadata_path,
    model_from_bytes,
    prediction_artifacts,
    train_digits,
    weights_to_bytes,
)


@pytest.fixture(scope="module")
def shipped():
    return load_trained()


def test_shipped_weights_reach_95_percent_on_the_held_out_split(shipped):
    model, metadata = shipped
    result = evaluate(model)
    assert result["n_test"] == 360  # 20% of 1,797, stratified
    assert result["accuracy"] >= 0.95
    assert result["accuracy"] == pytest.approx(metadata["accuracy"])
    assert metadata["seed"] == 0 and metadata["split"]["random_state"] == 0


def test_garbage_or_empty_weights_files_are_refused(tmp_path):
    for name, content in (("garbage", b"\x00not a safetensors file"), ("empty", b"")):
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(content)
        with pytest.raises(ValueError, match="weights"):
            load_trained(path)


def test_weights_are_safetensors_without_pickle():
    assert DEFAULT_WEIGHTS.read_bytes()[8:9] == b"{"  # 8-byte header length, then a JSON header
    assert json.loads(metadata_path(DEFAULT_WEIGHTS).read_text())["n_test"] == 360
    with pytest.raises(ValueError, match="weights"):
        model_from_bytes(b"not safetensors")
    with pytest.raises(ValueError, match="weights"):
        load_trained(DEFAULT_WEIGHTS.with_name("missing.safetensors"))


def test_split_is_fixed_and_stratified():
    first, second = load_split(), load_split()
    assert np.array_equal(first.test_index, second.test_index)
    assert len(first.train_y) == 1437
    assert torch.bincount(first.test_y).tolist() == [36, 36, 35, 37, 36, 37, 36, 36, 35, 36]


def test_network_uses_mbconv_with_se_and_linear_drop_connect():
    specs = block_specs()
    assert [s.kind for s in specs] == ["mbconv"] * 5
    assert [s.drop_connect for s in specs] == pytest.approx([0.0, 0.04, 0.08, 0.12, 0.16])  # 0.2 * i / 5
    assert [s.output_size for s in specs] == [16, 8, 8, 4, 4]


def test_training_is_reproducible_with_a_seed():
    full = load_split()
    small = DigitsData(full.train_x[:128], full.train_y[:128], full.test_x[:64], full.test_y[:64], full.test_index[:64])
    first, log = train_digits(epochs=1, seed=3, data=small)
    second, _ = train_digits(epochs=1, seed=3, data=small)
    other, _ = train_digits(epochs=1, seed=4, data=small)
    assert weights_to_bytes(first) == weights_to_bytes(second)
    assert weights_to_bytes(first) != weights_to_bytes(other)
    assert log[0].epoch == 1 and log[0].loss > 0
    with pytest.raises(ValueError, match="epochs"):
        train_digits(epochs=0)


def test_class_specificity_by_hand():
    labels = torch.tensor([0, 0, 1, 1])
    assert class_specificity(torch.tensor([[0.1], [0.1], [0.9], [0.9]]), labels) == pytest.approx(1.0)
    assert class_specificity(torch.tensor([[0.1], [0.9], [0.1], [0.9]]), labels) == pytest.approx(0.0)
    # class means 0.2 and 0.6, overall 0.4: between 4 * 0.04 = 0.16; total 0.01+0.01+0.09+0.09+... = 0.2
    assert class_specificity(torch.tensor([[0.1], [0.3], [0.5], [0.7]]), labels) == pytest.approx(0.16 / 0.20)


def test_se_statistics_and_figures(shipped):
    model, _ = shipped
    shown = digits_artifacts(model)
    layers = shown.se_layers
    assert layers["SE layer"].tolist() == [f"block {i + 1} · SE" for i in range(5)]
    assert layers["layer"].tolist() == [f"blocks.{i}.se" for i in range(5)]  # the machine id stays in the CSV
    assert layers["channels"].tolist() == [16, 64, 96, 96, 160]
    assert ((layers["class specificity η²"] >= 0) & (layers["class specificity η²"] <= 1)).all()
    assert shown.heatmaps["blocks.4.se"].data[0].z.shape == (10, 160)
    centred = digits_artifacts(model, centred=True).heatmaps["blocks.4.se"].data[0].z
    assert np.abs(np.asarray(centred).mean(0)).max() < 1e-6  # every channel's class means sum to zero


def test_prediction_of_a_held_out_example_and_a_drawn_bar(shipped):
    model, _ = shipped
    shown = prediction_artifacts(model, held_out_example(7))
    assert shown.probabilities.layout.title.text.startswith("Prediction: 7")
    drawing = np.full((100, 80, 3), 255, np.uint8)
    drawing[20:80, 35:45] = 0  # a dark vertical bar on white: a "1"
    digit = image_to_digit(drawing)
    assert digit.shape == (8, 8) and digit.max() == pytest.approx(1.0) and digit[0].sum() < digit[3].sum()
    with pytest.raises(ValueError, match="no digit"):
        image_to_digit(np.full((10, 10, 3), 200, np.uint8))


def test_cli_evaluate_json(capsys):
    assert main(["digits", "evaluate", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["n_test"] == 360 and payload["accuracy"] >= 0.95


def test_cli_train_writes_weights_and_metadata(tmp_path, capsys):
    out = tmp_path / "w.safetensors"
    assert main(["digits", "train", "--epochs", "1", "--seed", "1", "--out", str(out), "--quiet", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["epochs"] == 1 and out.is_file() and metadata_path(out).is_file()
    assert main(["digits", "train", "--epochs", "0", "--out", str(out)]) == 2
    assert "epochs" in capsys.readouterr().err


def test_cli_evaluate_missing_weights_is_one_line_exit_2(tmp_path, capsys):
    assert main(["digits", "evaluate", "--weights", str(tmp_path / "none.safetensors")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "weights" in err
