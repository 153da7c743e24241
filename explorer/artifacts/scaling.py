"""The compound-scaling page (EfficientNet, https://arxiv.org/abs/1905.11946, Sec. 3.3): predicted against
counted MACs over phi, the released B0-B8 multipliers, and single-dimension scaling at equal budgets.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from explorer.analysis.counting import count_network, network_totals
from explorer.figures.networks import (
    compound_figure,
    mac_prediction_figure,
    single_dimension_figure,
)
from explorer.models.networks.tables import (
    BASE_RESOLUTION,
    EFFICIENTNET_PHI,
    EFFICIENTNET_RELEASED,
    NetworkSpec,
    network_spec,
)
from explorer.models.scaling import compound_flops_factor, compound_multipliers

COMPOUND_PHIS = tuple(range(9))


def compound_frame(alpha: float, beta: float, gamma: float) -> pd.DataFrame:
    """Counted MACs of the custom compound-scaled network at phi = 0..8 and of the released B0-B7."""
    base = network_totals(network_spec("efficientnet", phi=0.0))[1]
    factor = compound_flops_factor(alpha, beta, gamma)
    rows = []
    for phi in COMPOUND_PHIS:
        try:
            spec = network_spec("efficientnet", phi=float(phi), alpha=alpha, beta=beta, gamma=gamma)
        except ValueError:
            break  # alpha^phi, beta^phi or gamma^phi beyond what the app builds: the curve stops here
        released = f"efficientnet_b{phi}"
        rows.append({
            "phi": phi, "depth": spec.depth_mult, "width": spec.width_mult, "resolution": spec.resolution,
            "counted MACs": network_totals(spec)[1], "predicted MACs": round(base * factor**phi),
            "2^phi MACs": base * 2**phi,
            "released": released if released in EFFICIENTNET_PHI else None,
            "released MACs": network_totals(network_spec(released))[1] if released in EFFICIENTNET_PHI else None,
        })
    return pd.DataFrame(rows)


def released_frame() -> pd.DataFrame:
    """The released B0-B7 coefficients (rounded by the authors) as multipliers of B0."""
    rows = [
        {"model": name.split("_")[1].upper(), "phi": EFFICIENTNET_PHI[name], "depth": depth, "width": width,
         "resolution": resolution / BASE_RESOLUTION}
        for name, (width, depth, resolution, _) in EFFICIENTNET_RELEASED.items()
        if name in EFFICIENTNET_PHI and EFFICIENTNET_PHI[name] <= 7
    ]
    return pd.DataFrame(rows)


SINGLE_FACTORS = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0)


def _scaled_b0(depth: float, width: float, resolution: int) -> tuple[int, int]:
    return network_totals(NetworkSpec("efficientnet", width_mult=width, depth_mult=depth, resolution=resolution))


def _strategies(budget: float, alpha: float, beta: float, gamma: float) -> dict[str, tuple[float, float, float]]:
    """(depth, width, resolution) multipliers that each strategy needs for a MAC budget of ``budget`` x B0."""
    phi = math.log(budget) / math.log(compound_flops_factor(alpha, beta, gamma))
    return {
        "depth only": (budget, 1.0, 1.0),
        "width only": (1.0, budget**0.5, 1.0),
        "resolution only": (1.0, 1.0, budget**0.5),
        "compound": compound_multipliers(phi, alpha, beta, gamma),
    }


def single_dimension_frame(alpha: float, beta: float, gamma: float) -> pd.DataFrame:
    """B0 scaled to MAC budgets of 1x..8x by depth only, width only, resolution only, or compound.

    Width and resolution enter MACs squared, so a budget of ``f`` needs ``sqrt(f)`` of them,
    depth ``f`` itself, compound ``phi = log(f) / log(alpha * beta**2 * gamma**2)``.
    """
    if compound_flops_factor(alpha, beta, gamma) <= 1.0:
        raise ValueError("alpha: alpha x beta^2 x gamma^2 must exceed 1 for compound scaling to grow the network.")
    rows = []
    for budget in SINGLE_FACTORS:
        for strategy, (depth, width, scale) in _strategies(budget, alpha, beta, gamma).items():
            resolution = int(round(BASE_RESOLUTION * scale))
            params, macs = _scaled_b0(depth, width, resolution)
            rows.append({
                "strategy": strategy, "MAC budget": budget, "depth": round(depth, 4), "width": round(width, 4),
                "resolution": resolution, "params": params, "MACs": macs,
            })
    return pd.DataFrame(rows)


def scaling_artifacts(spec: NetworkSpec, style: str) -> dict[str, go.Figure | pd.DataFrame]:
    """Every table and figure of the Compound-scaling page for the custom ``efficientnet`` spec."""
    alpha, beta, gamma = spec.alpha, spec.beta, spec.gamma
    compound = compound_frame(alpha, beta, gamma)
    base = int(compound.loc[0, "counted MACs"])
    factor = compound_flops_factor(alpha, beta, gamma)
    counted = count_network(spec).macs
    predicted = base * factor**spec.phi
    summary = pd.DataFrame(
        [
            ("alpha x beta^2 x gamma^2", f"{factor:.4f}", "the paper constrains it to about 2"),
            ("depth multiplier alpha^phi", f"{spec.depth_mult:.4f}", "repeats rounded up per stage"),
            ("width multiplier beta^phi", f"{spec.width_mult:.4f}", "channels rounded to multiples of 8"),
            ("resolution 224 x gamma^phi", f"{spec.resolution}", "rounded to whole pixels"),
            ("predicted MACs: B0 x (alpha beta^2 gamma^2)^phi", f"{predicted:,.0f}", f"B0 counts {base:,} MACs"),
            ("predicted MACs: B0 x 2^phi", f"{base * 2**spec.phi:,.0f}", "the paper's rule of thumb"),
            ("counted MACs", f"{counted:,}", "conv + linear of the network actually built"),
            ("counted / predicted", f"{counted / predicted:.3f}", "repeats are rounded up (ceil), widths to multiples of 8"),
        ],
        columns=["quantity", "value", "note"],
    )
    singles = single_dimension_frame(alpha, beta, gamma)
    return {
        "summary": summary,
        "mac_prediction": mac_prediction_figure(compound, factor, spec.phi, counted, style),
        "multipliers": compound_figure(alpha, beta, gamma, released_frame(), spec.phi, style),
        "single_dimension": single_dimension_figure(singles, style),
        "compound_table": compound,
        "single_dimension_table": singles,
    }
