"""A person in Chromium: open the app, move a slider, see the numbers change."""


import pytest

pytestmark = pytest.mark.browser


def _metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_slider_moves_the_numbers(app_server, page):
    page.goto(f"{app_server}/?kind=standard&in_channels=32&out_channels=64&kernel_size=3")
    page.get_by_text("Parameters", exact=True).first.wait_for()
    assert _metric_value(page, "Parameters") == "18,560"  # 3*3*32*64 + 2*64
    slider = page.get_by_role("slider", name="Kernel size k")
    slider.focus()
    page.keyboard.press("ArrowRight")  # k 3 -> 4
    page.keyboard.press("ArrowRight")  # k 4 -> 5
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '51,328')"
    )
    assert _metric_value(page, "Parameters") == "51,328"  # 5*5*32*64 + 2*64
    page.wait_for_function("location.href.includes('kernel_size=5')")  # the link is written as the run ends
    page.locator(".js-plotly-plot").first.wait_for()  # the block diagram drew
