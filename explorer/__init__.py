"""Efficient CNN explorer: build the blocks and networks of MobileNetV1/V2/V3 and EfficientNet, and count them.

Importing it, and building a block or a network, imports torch only: no pandas, plotly or Streamlit (a
report imports pandas when a table is asked for). Example::

    import torch
    import explorer

    block = explorer.build_block("mbconv", in_channels=32, out_channels=32, kernel_size=5)
    report = explorer.count(block, (32, 56, 56))
    print(report.params, report.macs, report.ops["se_multiply"])

    with torch.device("meta"):  # structure only: no weights allocated
        net = explorer.build_network("efficientnet_b0")
    print(explorer.count(net, (3, 224, 224)).macs)  # 385814752, as torchvision
"""

from explorer.analysis.costs import CostReport
from explorer.analysis.counting import count
from explorer.analysis.memory import MemoryReport, memory_report
from explorer.api import build_block, build_network
from explorer.models.networks.tables import NETWORK_NAMES, NetworkSpec, network_spec
from explorer.models.specs import BLOCK_KINDS, BlockSpec, block_spec, textbook_spec

__version__ = "0.2.0"
__all__ = [
    "BLOCK_KINDS",
    "NETWORK_NAMES",
    "BlockSpec",
    "CostReport",
    "MemoryReport",
    "NetworkSpec",
    "block_spec",
    "build_block",
    "build_network",
    "count",
    "memory_report",
    "network_spec",
    "textbook_spec",
]
