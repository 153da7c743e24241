"""The zoo by name: every torchvision classification model and >= 200 timm models, built on the meta
device, count exactly the MACs ``torch.utils.flop_counter.FlopCounterMode`` counts on the same model.

torchvision's own published figures (the DEFAULT weights' ``num_params`` and ``_ops``, its "GFLOPS",
which are GMACs) are checked too. Models are counted in a few batched tests so xdist can share them.
"""

from __future__ import annotations

import fnmatch

import pytest
import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode

from explorer.sources import timm as timm_source
from explorer.sources import torchvision as torchvision_source
from explorer.sources import zoo
from explorer.sources.meta import DATA_NOTE, META_NOTE

TIMM_FAMILIES = (
    "mobilenetv1_*", "mobilenetv2_*", "mobilenetv3_*", "tf_mobilenetv3_*", "mobilenetv4_*", "efficientnet_*",
    "tf_efficientnet_*", "efficientnetv2_*", "tf_efficientnetv2_*", "mnasnet_*", "semnasnet_*", "spnasnet_*",
    "fbnet*", "ghostnet*", "lcnet_*", "tinynet_*", "mixnet_*", "hardcorenas_*", "rexnet*", "repghost*",
    "repvgg_*", "mobileone_*", "regnet*", "resnet18*", "resnet26*", "resnet34*", "resnet50*", "convnext_*",
)
# timm models of these families that do not count what FlopCounterMode counts, and why (must stay < 2%).
TIMM_FAILURES: dict[str, str] = {}
TIMM_NAMES = tuple(n for n in timm_source.names() if any(fnmatch.fnmatch(n, p) for p in TIMM_FAMILIES))
BATCHES = 6


def flop_counter_macs(module: torch.nn.Module, input_size: tuple[int, ...]) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.empty((1, *input_size), device="meta"))
    return counter.get_total_flops() // 2


def mismatches(source: str, names: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """name -> (ours, FlopCounterMode's) for every model whose MACs differ."""
    wrong = {}
    for name in names:
        module, _ = zoo.build_zoo_model(source, name)
        size = zoo.count_zoo_model(source, name).input_size
        ours = zoo.count_module(module, size).macs
        theirs = flop_counter_macs(module.eval(), size)
        if ours != theirs:
            wrong[name] = (ours, theirs)
    return wrong


def test_the_zoo_is_complete():
    assert len(torchvision_source.names()) == len(torchvision.models.list_models(module=torchvision.models)) == 80
    assert len(TIMM_NAMES) >= 200
    assert len(TIMM_FAILURES) < 0.02 * len(TIMM_NAMES)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_torchvision_models_count_what_flop_counter_counts(batch):
    assert mismatches("torchvision", torchvision_source.names()[batch::BATCHES]) == {}


@pytest.mark.parametrize("batch", range(BATCHES))
def test_timm_models_count_what_flop_counter_counts(batch):
    names = tuple(n for n in TIMM_NAMES[batch::BATCHES] if n not in TIMM_FAILURES)
    assert mismatches("timm", names) == {}


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf", "inception_v3"])
def test_torchvision_published_params_and_gflops(name):
    meta = torchvision.models.get_model_weights(name).DEFAULT.meta
    counted = zoo.count_zoo_model("torchvision", name)
    assert counted.report.params == meta["num_params"]
    assert round(counted.report.macs / 1e9, 3) == pytest.approx(meta["_ops"], abs=0.001)


def test_default_input_sizes_come_from_the_weights_and_the_pretrained_cfg():
    assert zoo.default_input_size("torchvision", "inception_v3") == (3, 299, 299)
    assert zoo.default_input_size("torchvision", "efficientnet_b7") == (3, 600, 600)
    assert zoo.default_input_size("torchvision", "resnet18") == (3, 224, 224)
    assert zoo.default_input_size("timm", "efficientnet_b3") == (3, 288, 288)
    assert zoo.default_input_size("timm", "mobilenetv4_conv_small") == (3, 224, 224)


def test_regnets_are_built_with_python_number_tensors_on_the_cpu_and_weights_on_meta():
    module, note = zoo.build_zoo_model("torchvision", "regnet_y_128gf")
    assert note == DATA_NOTE
    assert all(p.is_meta for p in module.parameters())
    assert sum(p.numel() for p in module.parameters()) == 644_812_894
    assert zoo.build_zoo_model("torchvision", "resnet18")[1] == META_NOTE


def test_vit_h_14_is_counted_at_the_size_the_bare_model_accepts():
    counted = zoo.count_zoo_model("torchvision", "vit_h_14")
    assert counted.input_size == (3, 224, 224) and "518" in counted.note


def test_unknown_names_are_refused_with_a_sentence():
    with pytest.raises(ValueError, match="^timm model: 'mobilenet_v9'"):
        zoo.count_zoo_model("timm", "mobilenet_v9")
    with pytest.raises(ValueError, match="^torchvision model:"):
        zoo.count_zoo_model("torchvision", "resnet9000")
    with pytest.raises(ValueError, match="^source:"):
        zoo.count_zoo_model("keras", "resnet50")
