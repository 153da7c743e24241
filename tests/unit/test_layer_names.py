"""Layer paths as a person reads them: one function (``explorer.formatting.layer_label``) for every chart and table."""

from __future__ import annotations

import pandas as pd
import pytest

from explorer.artifacts.base import named_layers
from explorer.artifacts.networks import network_artifacts
from explorer.formatting import layer_label
from explorer.models.networks.tables import network_spec


@pytest.mark.parametrize(
    ("path", "reads"),
    [
        ("blocks.0.se", "block 1 · SE"),  # the digits network's first SE layer
        ("features.3.conv.1", "block 4 · conv 2"),  # torchvision MobileNetV2
        ("stages.1.0.conv_dw.conv", "stage 3 · block 1 · depthwise conv"),  # the stem is stage 1, as on Networks
        ("stages.0.0.se.fc1", "stage 2 · block 1 · SE · reduce FC"),
        ("conv_pwl.bn", "projection conv · BN"),
        ("head.conv.conv", "head · conv"),
        ("blocks.2.1.conv_pw", "block 3.2 · pointwise conv"),  # timm: stage 3, its second block
        ("layer1.0.conv1", "layer 1.1 · conv 1"),  # torchvision ResNet counts from 1 already
        ("/features/features.3/conv/conv.1/Conv", "block 4 · conv 2 · Conv"),  # an ONNX node's scope
        ("stem", "stem"),
        ("Conv2d", "Conv2d"),
        ("", "(whole model)"),
    ],
)
def test_layer_paths_read_as_words_and_numbers_from_one(path, reads):
    assert layer_label(path) == reads


def test_named_layers_adds_the_reading_and_keeps_the_machine_column():
    frame = pd.DataFrame({"design": ["a", "a"], "layer": ["conv_dw.conv", "se.scale"], "MACs": [10, 2]})
    named = named_layers(frame)
    assert list(named.columns) == ["design", "name", "layer", "MACs"]
    assert named["name"].tolist() == ["depthwise conv", "SE · scale"] and named["layer"].tolist() == frame["layer"].tolist()
    assert "name" not in frame  # a copy


def test_the_networks_layer_table_names_stages_as_the_stage_table_does():
    artifacts = network_artifacts(network_spec("efficientnet_b0"), "screen")
    layers = artifacts.layers
    stage_three = layers[layers["stage"] == 3]
    assert stage_three["name"].str.startswith("stage 3 · ").all()
    assert stage_three["layer"].str.startswith("stages.1.").all()  # the machine path stays for CSV readers
