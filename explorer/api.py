"""The public Python API's builders, re-exported by :mod:`explorer` (``import explorer; explorer.count(...)``).

Building a block or a network imports torch only (no pandas, plotly or Streamlit); a report imports
pandas lazily when a table is asked for (``report.to_frame()``).
See :mod:`explorer` for an example.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from explorer.models.blocks import build_block as _build_block_from_spec
from explorer.models.networks.build import build_network as _build_network_from_table
from explorer.models.networks.tables import NetworkSpec, network_spec, network_table
from explorer.models.specs import BlockSpec, block_spec


def build_block(kind: str | BlockSpec, **options: Any) -> nn.Module:
    """The PyTorch module of one block, in eval mode: ``build_block("bneck", kernel_size=5)``.

    Args:
        kind: a block kind (``explorer.BLOCK_KINDS``: ``standard``, ``depthwise_separable``, ``mbconv``, ...)
            or a ready :class:`BlockSpec` (then no options).
        **options: hyperparameters of that kind (``in_channels``, ``out_channels``, ``size``, ``kernel_size``,
            ``stride``, ``expansion``, ``se_ratio``, ``activation``, ...); the kind's defaults fill the rest.

    Raises:
        ValueError: an unknown kind, an option that does not apply to it, or an impossible value (the
            message names the parameter and what would be valid).
    """
    spec = kind if isinstance(kind, BlockSpec) else block_spec(kind, **options)
    if isinstance(kind, BlockSpec) and options:
        spec = spec.replace(**options)
    return _build_block_from_spec(spec)


def build_network(name: str | NetworkSpec, **options: Any) -> nn.Module:
    """The PyTorch module of a whole network, in eval mode: ``build_network("mobilenet_v2", width_mult=0.75)``.

    Args:
        name: a network name (``explorer.NETWORK_NAMES``) or a ready :class:`NetworkSpec`.
        **options: that network's options (``width_mult``, ``resolution``, ``num_classes``, ``phi``, ...).

    Wrap the call in ``with torch.device("meta"):`` to get the structure without allocating weights.
    """
    spec = name if isinstance(name, NetworkSpec) else network_spec(name, **options)
    return _build_network_from_table(network_table(spec))
