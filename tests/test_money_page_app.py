"""The Money page under Streamlit's AppTest on the sample data: no input shows a traceback, every error
is one sentence, and the base-currency picker reaches the trace, the tables and the patterns."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
START = "From an account or payment channel"


@pytest.fixture(scope="module")
def store_env(tmp_path_factory: pytest.TempPathFactory, sample_workspace) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("money_app")
    return {"GRAPHBENCH_STORE": sample_workspace(folder), "GRAPHBENCH_REJECTS": str(folder / "rejects")}


@pytest.fixture
def money(store_env, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    for key, value in store_env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/money.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _field(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)


def _trace(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Trace").click().run()
    assert not at.exception, [e.value for e in at.exception]  # never a traceback


@pytest.mark.parametrize(("label", "value", "words"), [
    ("Since (ISO date)", "last week", "Since: 'last week' is not a date"),
    ("Since (ISO date)", "1e9", "Since: '1e9' is not a date"),
    ("Until (ISO date, inclusive)", "2024-02-30", "Until: '2024-02-30' is not a date"),
    ("Until (ISO date, inclusive)", "2000-01-01", "is before Since"),
    (START, "tropic.world", "no such node 'tropic.world'"),
    (START, "Account:", "no such node 'Account:'"),
    (START, "<script>alert(1)</script>", "no such node"),
    (START, "x" * 3000, "no such node"),
    (START, "   ", "type an Account or PaymentChannel id"),
    (START, "Hashtag:reptiles", "is a Hashtag: a trace starts from an Account or a PaymentChannel"),
])
def test_bad_input_is_one_sentence(money: AppTest, label: str, value: str, words: str) -> None:
    if words == "is before Since":
        _field(money, "Since (ISO date)").set_value("2024-01-01")
    _field(money, label).set_value(value)
    _trace(money)
    errors = [e.value for e in money.error]
    assert len(errors) == 1 and words in errors[0].replace("\\", ""), errors
    assert not money.dataframe or "hop" not in money.dataframe[0].value  # nothing traced


def test_a_node_that_moved_no_money_is_not_no_such_node(money: AppTest) -> None:
    from graphbench.store import open_store

    store = open_store(money.session_state["store_url"])
    idle = sorted(set(store.nodes("PaymentChannel")["id"])
                  - set(store.relationships("TRANSFERRED", columns=[])["start"]))[0]
    _field(money, START).set_value(idle)
    _trace(money)
    assert not money.error and any("no money moved that way" in w.value for w in money.warning)


def test_the_base_currency_reaches_the_trace_tables_and_patterns(money: AppTest) -> None:
    start = _field(money, START).value
    assert start.startswith("PaymentChannel:") and "ESCROW" not in start  # the default: not the popular escrow
    _trace(money)
    usd = money.dataframe[0].value
    assert {"≈ USD", "amount", "currency"} <= set(usd.columns)
    next(s for s in money.selectbox if s.label == "Base currency").set_value("GBP").run()
    assert not money.exception and not money.error
    gbp = money.dataframe[0].value
    assert "≈ GBP" in gbp.columns and "≈ USD" not in gbp.columns
    assert gbp["amount"].tolist() == usd["amount"].tolist()  # as written: unchanged
    assert (gbp["≈ GBP"] != usd["≈ USD"]).all()  # converted at each transfer's date
    patterns = next(d.value for d in money.dataframe if "kind" in d.value)
    assert "≈ GBP" in patterns.columns and "as written" in patterns.columns
    assert any("≈ GBP at ECB" in c.value for c in money.caption)


def test_transactions_only_data_opens_and_says_what_it_cannot_judge(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No payment links, one currency without a rate (KES): the page opens, says no holder is known,
    starts at the busiest payer, and a trace's KES transfer has no base amount and no width."""
    from test_money_overview import PAYPAL_A, TRANSFERS

    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "transactions.csv").write_text(TRANSFERS, encoding="utf-8")
    store = open_store(f"file:{tmp_path / 'ws'}")
    load_dir(store, folder, rejects_dir=tmp_path / "rejects")
    store.close()
    monkeypatch.setenv("GRAPHBENCH_STORE", f"file:{tmp_path / 'ws'}")
    monkeypatch.setenv("GRAPHBENCH_REJECTS", str(tmp_path / "rejects"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/money.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No account is known to hold" in c.value for c in at.caption)
    assert _field(at, START).value == PAYPAL_A
    assert any("KES have no exchange rate" in c.value.replace("\\", "") for c in at.caption)
    _trace(at)
    followed = at.dataframe[0].value
    kes = followed[followed["currency"] == "KES"]
    assert len(kes) == 1 and kes["≈ USD"].isna().all() and kes["amount"].tolist() == [700.0]
    assert any("Not converted (no exchange rate)" in c.value for c in at.caption)
