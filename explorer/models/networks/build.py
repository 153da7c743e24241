"""Build a network module from its table: stem, one ``nn.Sequential`` per table row, head, classifier.

The table (:func:`explorer.models.networks.tables.network_table`) already holds every rounded width and
depth; nothing here scales or rounds.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from explorer.models.activations import make_activation
from explorer.models.blocks import build_block
from explorer.models.layers import ConvNormAct
from explorer.models.networks.tables import NetworkTable, block_specs


def head_module(table: NetworkTable) -> nn.Sequential:
    head = table.head
    parts: OrderedDict[str, nn.Module] = OrderedDict()
    if head.conv_channels:
        parts["conv"] = ConvNormAct(table.rows[-1].out_channels, head.conv_channels, 1, activation=head.activation)
    parts["pool"] = nn.AdaptiveAvgPool2d(1)
    parts["flatten"] = nn.Flatten()
    if head.hidden_features:
        parts["fc"] = nn.Linear(head.conv_channels or table.rows[-1].out_channels, head.hidden_features)
        parts["act"] = make_activation(head.activation)
    return nn.Sequential(parts)


def classifier_module(table: NetworkTable) -> nn.Sequential:
    return nn.Sequential(OrderedDict(dropout=nn.Dropout(table.head.dropout), fc=nn.Linear(table.features, table.num_classes)))


def stem_module(table: NetworkTable) -> ConvNormAct:
    stem = table.stem
    padding = (stem.kernel_size - 1) // 2
    return ConvNormAct(3, stem.out_channels, stem.kernel_size, stride=stem.stride, padding=padding, activation=stem.activation)


class Network(nn.Module):
    """``stem`` -> ``stages`` (one ``nn.Sequential`` per table row) -> ``head`` -> ``classifier``.

    Per-layer rows are then named like ``stem.conv``, ``stages.3.1.conv_dw.conv``,
    ``head.conv.conv`` and ``classifier.fc``.
    """

    def __init__(self, table: NetworkTable) -> None:
        super().__init__()
        self.stem = stem_module(table)
        self.stages = nn.Sequential(*(nn.Sequential(*map(build_block, specs)) for specs in block_specs(table)))
        self.head = head_module(table)
        self.classifier = classifier_module(table)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.head(self.stages(self.stem(x))))


def build_network(table: NetworkTable) -> Network:
    """Build the PyTorch module for ``table`` (eval mode). Wrap in ``torch.device("meta")`` to count only."""
    return Network(table).eval()
