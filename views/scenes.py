"""One-click scenes for the classic teaching points, each simply a link (a page and its query string).

The Blocks page lists them under "Start here". A scene is nothing but the URL of a view: opening it
sets the page's controls exactly as a shared link would (:mod:`views.widgets`), so it can be bookmarked,
edited in the address bar or pasted on a slide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class Scene:
    """A teaching point and the link that shows it.

    ``page`` is the page's URL path relative to the app's root (``""`` for the Blocks page, which is
    the app's first page), ``params`` the controls it sets, keyed as in the URL.
    """

    title: str
    point: str
    page: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def link(self) -> str:
        """The relative link: ``?kind=...`` on the Blocks page itself, ``networks?net=...`` for another page."""
        return f"{self.page}?{urlencode(self.params, quote_via=quote)}"


SCENES = (
    Scene(
        "Standard vs depthwise-separable",
        "A 3 x 3 conv, 256 → 256 channels at 28 x 28, split into depthwise and pointwise: "
        "1/C_out + 1/k² = 0.115 of the MACs, about 8.7x cheaper (MobileNetV1, section 3.1).",
        "",
        {"kind": "depthwise_separable", "in_channels": "256", "out_channels": "256", "size": "28", "kernel_size": "3",
         "tab": "Formula"},
    ),
    Scene(
        "MBConv anatomy",
        "EfficientNet-B0's second 40-channel block: 1x1 expand to 240, 5x5 depthwise, SE, 1x1 project, shortcut.",
        "",
        {"kind": "mbconv", "in_channels": "40", "out_channels": "40", "size": "28", "kernel_size": "5",
         "expansion": "6.0", "se_ratio": "0.25", "tab": "Block diagram"},
    ),
    Scene(
        "MobileNetV1 width × resolution",
        "α = 0.5 at 160 px: cost falls about as α²ρ², from 569M mult-adds at 1.0-224 (paper Tables 6-7).",
        "networks",
        {"net": "mobilenet_v1", "net_width": "0.5", "net_custom_res": "true", "net_resolution": "160"},
    ),
    Scene(
        "B0 to B7 compound scaling",
        "φ = 7: depth 1.2^φ, width 1.1^φ, resolution 1.15^φ against the released B0-B7 (EfficientNet, eq. 3).",
        "scaling",
        {"sc_phi": "7.0"},
    ),
)
