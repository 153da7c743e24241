"""Drop connect: the linear survival schedule and whole-branch dropping, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.demos.drop_connect import dropconnect_artifacts, lowest_survival, run_demo, survival_table


def test_efficientnet_b0_schedule_is_linear_in_depth():
    table = survival_table("efficientnet_b0")
    assert len(table) == 16  # 1 + 2 + 2 + 3 + 3 + 4 + 1 blocks (paper Table 1)
    assert table["drop rate"].tolist() == pytest.approx([0.2 * i / 16 for i in range(16)])
    assert table["survival"].iloc[-1] == pytest.approx(0.8125)  # 1 - 0.2 * 15 / 16
    # the first block of each stage changes width or stride: no shortcut, never dropped
    assert table.loc[~table["residual"], "block"].tolist() == [0, 1, 3, 5, 8, 11, 15]
    assert (table.loc[~table["residual"], "effective survival"] == 1.0).all()


def test_lowest_survival_is_over_blocks_that_can_drop():
    """B0's block 15 is scheduled 0.8125 but has no shortcut (192 -> 320): the lowest that can drop is block 14."""
    b0 = survival_table("efficientnet_b0")
    assert list(b0["stage"].unique()) == [2, 3, 4, 5, 6, 7, 8]  # paper Table 1: stage 1 is the stem
    last = b0.iloc[-1]
    assert (last["block"], last["residual"], last["survival"]) == (15, False, 0.8125)
    lowest = lowest_survival(b0)
    assert (lowest["block"], lowest["stage"], lowest["in -> out"]) == (14, 7, "192 -> 192")
    assert lowest["residual"] and lowest["survival"] == pytest.approx(1 - 0.2 * 14 / 16)  # 0.825
    summary = dropconnect_artifacts(samples=2, repeats=1).summary
    assert (summary.lowest_survival, summary.lowest_block, summary.lowest_stage) == (pytest.approx(0.825), 14, 7)
    b7 = lowest_survival(survival_table("efficientnet_b7"))  # its last stage has 4 blocks: the last one can drop
    assert (b7["block"], b7["stage"]) == (54, 8) and b7["survival"] == pytest.approx(1 - 0.2 * 54 / 55)


def test_deeper_networks_have_more_blocks_with_the_same_range():
    table = survival_table("efficientnet_b7")
    assert len(table) == 55  # ceil(3.1 * n) per stage: 4 + 7 + 7 + 10 + 10 + 13 + 4
    assert table["drop rate"].iloc[-1] == pytest.approx(0.2 * 54 / 55)
    with pytest.raises(ValueError, match="network"):
        survival_table("mobilenet_v2")


def test_whole_branches_are_dropped_and_the_rest_rescaled():
    demo = run_demo(p=0.5, samples=8, repeats=40, seed=1)
    zero = demo.zero_fraction(demo.connect_branches)
    assert set(np.round(zero, 6).ravel()) <= {0.0, 1.0}  # all or nothing per sample
    kept = demo.kept.astype(bool)
    ratio = (demo.connect_branches[kept] / demo.eval_branch.expand_as(demo.connect_branches)[kept])
    big = demo.eval_branch.expand_as(demo.connect_branches)[kept].abs() > 1e-2
    assert ratio[big].numpy() == pytest.approx(2.0, rel=1e-4)  # 1 / (1 - 0.5)
    assert 0.3 < demo.kept.mean() < 0.7
    dropout_zero = demo.zero_fraction(demo.dropout_branches)
    assert 0.35 < dropout_zero.mean() < 0.65 and ((dropout_zero > 0.05) & (dropout_zero < 0.95)).mean() > 0.9


def test_eval_mode_never_drops_and_p_zero_is_identity():
    demo = run_demo(p=0.0, samples=4, repeats=3)
    assert demo.kept.all()
    assert np.allclose(demo.train_outputs.numpy(), demo.eval_output.numpy()[None])


def test_artifacts_and_bad_input():
    shown = dropconnect_artifacts(p=0.3, samples=6, repeats=10)
    assert list(shown.exports()) == ["survival_per_block", "survival_table", "drop_connect_kept", "drop_connect_vs_dropout",
                           "drop_connect_maps", "drop_connect_numbers"]
    assert shown.drop_connect_kept.data[0].z.shape == (10, 6)
    with pytest.raises(ValueError, match="p:"):
        run_demo(p=1.0)
    with pytest.raises(ValueError, match="samples"):
        run_demo(samples=0)


def test_demo_passes_equal_the_blocks_own_forward_in_that_mode():
    import torch

    from explorer.models.blocks import build_block
    from explorer.models.specs import block_spec

    demo = run_demo(p=0.3, samples=5, repeats=2, seed=2)
    torch.manual_seed(2)
    block = build_block(block_spec("mbconv", in_channels=16, out_channels=16, size=8, drop_connect=0.3))
    assert torch.allclose(block(demo.x), demo.eval_output)
    assert torch.allclose(demo.eval_output, demo.x + demo.eval_branch, atol=1e-6)
    block.drop_path.train()
    output = block(demo.x)
    per_sample = [(output[i] - demo.x[i]).abs().max().item() for i in range(5)]
    for i, change in enumerate(per_sample):  # each sample: branch dropped (output = x) or kept x 1/0.7
        expected = 0.0 if change == 0 else (demo.eval_branch[i] / 0.7).abs().max().item()
        assert change == pytest.approx(expected, rel=1e-4, abs=1e-7)
