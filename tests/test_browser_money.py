"""The Money page in a real headless Chromium (Debian's package, driven by Playwright) on the sample data:
the default trace start is no popular channel, a trace shows its sinks and open ends, both Sankeys are
tall enough that no two labels of a column overlap, a backward trail is one block, the base-currency
picker changes every amount's currency, and bad input is one sentence, never a traceback.
Screenshots go to ``test-artifacts/money-*.png``."""

from __future__ import annotations

import networkx as nx
import pytest
from browser_app import ARGS, ARTIFACTS, launched_chromium, offline_page, require_chromium, served_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
ESCROW = "PaymentChannel:bank_account:MARKETPLACE-ESCROW-0001"  # held by 213 accounts in the sample


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sample_workspace):
    """The app on the sample data, and the channel that receives the most transfers without being popular:
    a backward trail from it is wide enough (over 30 channels in 3 hops on the sample) to be drawn by
    channel type per hop."""
    require_chromium()
    from graphbench.analytics import money_overview as rules
    from graphbench.store import open_store
    from graphbench.store_reads.money_overview import channel_holders

    folder = tmp_path_factory.mktemp("browser_money")
    store = open_store(sample_workspace(folder))
    ends = store.relationships("TRANSFERRED", columns=[])["end"].value_counts().head(20)
    popular = rules.popular_among(channel_holders(store, list(ends.index)))
    store.close()
    with served_app(folder) as url:
        yield {"url": url, "receiver": next(c for c in ends.index if c not in popular)}


@pytest.fixture(scope="module")
def app_url(served) -> str:
    return served["url"]


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium(ARGS) as browser:  # one for the module; each test gets a fresh context
        yield browser


@pytest.fixture
def page(app_url, chromium):
    # tall enough that the whole page is painted (Streamlit scrolls inside its own container)
    with offline_page(ARGS, {"width": 1500, "height": 5200}, 120_000, failure_shot="money-failure.png",
                      failure_full_page=False, browser=chromium) as page:
        yield page


def _idle(page) -> None:
    page.wait_for_timeout(700)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=180_000)


def _open(page, app_url: str) -> None:
    page.goto(f"{app_url}/money")
    page.get_by_role("heading", name="Money").first.wait_for()
    page.get_by_text("Transfer timeline").first.wait_for()
    _idle(page)


def _trace(page) -> None:
    page.get_by_role("button", name="Trace").click()
    _idle(page)


def _no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()


def _sankeys(page) -> list[dict]:
    """Each Sankey drawn: its height, its data (links), and the boxes of its node labels as painted."""
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(
        gd => gd.data && gd.data[0] && gd.data[0].type === 'sankey').map(gd => ({
            height: gd.getBoundingClientRect().height,
            source: gd.data[0].link.source, target: gd.data[0].link.target,
            labels: [...gd.querySelectorAll('.sankey-node')].map(n => {
                const t = n.querySelector('text'); const r = n.querySelector('rect');
                const b = t.getBoundingClientRect(); const nb = r.getBoundingClientRect();
                return {text: t.textContent, x: Math.round(nb.x), top: b.top, bottom: b.bottom,
                        left: b.left, right: b.right};
            })}))""")


def _overlapping_labels(sankey: dict) -> list[tuple[str, str]]:
    """Pairs of non-empty labels in one column whose painted boxes overlap (a squashed Sankey)."""
    labels = [lab for lab in sankey["labels"] if lab["text"].strip()]
    clashes = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if abs(a["x"] - b["x"]) <= 2 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1:
                clashes.append((a["text"], b["text"]))
    return clashes


def _blocks(sankey: dict) -> int:
    graph = nx.Graph()
    graph.add_edges_from(zip(sankey["source"], sankey["target"], strict=True))
    return nx.number_connected_components(graph)


def test_money_page_in_chromium(page, served) -> None:
    app_url = served["url"]
    _open(page, app_url)
    start = page.get_by_label("From an account or payment channel")
    # under load the first script run can still be replacing its widgets: wait for the suggested start
    expect(start).not_to_have_value("", timeout=60_000)
    default = start.input_value()
    assert default.startswith("PaymentChannel:") and default != ESCROW  # the escrow pays out most, never the default
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Busiest payers").click()
    escrow_option = page.get_by_role("option").filter(has_text="MARKETPLACE-ESCROW-0001")
    assert "POPULAR: held by 213 accounts" in escrow_option.inner_text()  # marked where it is offered
    page.keyboard.press("Escape")
    _idle(page)

    # the channel-type Sankey on the first screen: tall, labels apart
    types = _sankeys(page)
    assert len(types) == 1 and types[0]["height"] >= 360 and len(types[0]["labels"]) >= 8
    assert _overlapping_labels(types[0]) == []

    _trace(page)
    _no_traceback(page)
    caption = page.get_by_text("transfers,").first.inner_text()
    assert "sinks" in caption and "open ends" in caption  # both ends of a forward trail, in words
    page.get_by_text("Where the trail ends").first.wait_for()
    trail, _ = _sankeys(page)
    assert _blocks(trail) == 1 and _overlapping_labels(trail) == []
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "money-trace-forward.png"))

    # backwards from a busy receiver: wide enough to be drawn by type per hop, and still one block
    start.fill(served["receiver"])
    start.press("Enter")
    _idle(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Direction").click()
    page.get_by_role("option", name="in", exact=True).click()
    _idle(page)
    _trace(page)
    _no_traceback(page)
    trail, _ = _sankeys(page)
    assert _blocks(trail) == 1 and _overlapping_labels(trail) == []
    assert "origins" in page.get_by_text("transfers,").first.inner_text()
    assert page.get_by_text("by channel type per hop").count() == 1
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "money-trace-backward.png"))

    # another base currency: the tables and captions say EUR, the amounts are no longer the USD ones
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Base currency").click()
    page.get_by_role("option", name="EUR", exact=True).click()
    _idle(page)
    _no_traceback(page)
    page.get_by_text("Amounts ≈ EUR at ECB").first.wait_for()
    page.get_by_text("Found with amounts compared in EUR").first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "money-base-eur.png"))


BAD_INPUT = [
    ("Since (ISO date)", "last week", "Since: 'last week' is not a date"),
    ("Until (ISO date, inclusive)", "2024-02-30", "is not a date"),
    ("From an account or payment channel", "tropic.world", "no such node 'tropic.world'"),
    ("From an account or payment channel", "Account:nowhere:nobody", "no such node"),
]


def test_bad_input_is_one_sentence(page, app_url) -> None:
    """Each bad value in turn on one open page (a page load per case cost ~13 s each), the field put back
    to its good value before the next case, so every case meets only its own error."""
    _open(page, app_url)
    for field, value, words in BAD_INPUT:
        box = page.get_by_label(field)
        good = box.input_value()
        box.fill(value)
        box.press("Enter")
        _idle(page)
        _trace(page)
        page.get_by_text(words).first.wait_for()
        _no_traceback(page)
        alerts = page.locator('[data-testid="stAlert"]')
        assert alerts.count() == 1, [alerts.nth(i).inner_text() for i in range(alerts.count())]  # one sentence
        if value == "tropic.world":
            assert "did you mean Account:tiktok:tropic.world" in alerts.first.inner_text()
            page.screenshot(path=str(ARTIFACTS / "money-no-such-node.png"))
        box.fill(good)
        box.press("Enter")
        _idle(page)
