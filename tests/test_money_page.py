"""The Money page's rules, as pure functions with known answers: Sankeys that never loop and join up in
both directions, widths in the base currency only, the default trace start never a popular channel,
sinks and open ends, trace inputs as one sentence, and patterns per base currency."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graphbench.analysis import Analysis
from graphbench.analytics import money_overview as rules
from graphbench.analytics import popularity
from graphbench.analytics.fx import packaged_rates
from graphbench.analytics.money_sankey import MAX_HEIGHT, MIN_HEIGHT, SankeyLinks, trail_links, type_links
from graphbench.analytics.trace import TransferIndex, trace
from graphbench.errors import GraphbenchError

A, B, C, D, E = (f"PaymentChannel:paypal:{x}@x.example" for x in "abcde")
W = "PaymentChannel:btc:w1"


def _transfers(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"tx_id": f"T{i}", "start": s, "end": e, "ts": ts, "amount": a, "currency": c}
                         for i, (s, e, ts, a, c) in enumerate(rows)])


# A pays B; B pays C and E and (later) back to A; C pays D after the hop limit of 2; E pays nobody.
# One transfer is in KES (no ECB rate), one in EUR.
TRAIL = _transfers([
    (A, B, "2024-03-01T10:00:00Z", 100.0, "USD"),
    (B, C, "2024-03-02T10:00:00Z", 60.0, "USD"),
    (B, E, "2024-03-02T11:00:00Z", 3000.0, "KES"),
    (B, A, "2024-03-03T10:00:00Z", 20.0, "EUR"),
    (C, D, "2024-03-04T10:00:00Z", 55.0, "USD"),
])


def _component_count(links: SankeyLinks) -> int:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(links.labels)))
    graph.add_edges_from(zip(links.source, links.target, strict=True))
    return nx.number_connected_components(graph)


def _acyclic_by_columns(links: SankeyLinks) -> bool:
    return all(links.columns[t] == links.columns[s] + 1 for s, t in zip(links.source, links.target, strict=True))


def test_a_forward_trail_has_a_column_per_hop_even_when_money_comes_back() -> None:
    result = trace(TRAIL, [A], hops=2)
    links = trail_links(result.transfers, "out", result.sinks, result.open_ends, result.start_channels)
    assert _acyclic_by_columns(links) and _component_count(links) == 1
    at = {(links.columns[i], links.names[i]): i for i in range(len(links.names))}
    # A is the start (column 0) and, receiving money back at hop 2, also a node of column 2: no loop drawn
    assert links.roles[at[(0, A)]] == "start" and (2, A) in at
    assert links.labels[at[(0, A)]] == "paypal:a@x.example"  # the label drops "PaymentChannel:"
    # KES has no rate: no width, counted, never taken as 1:1
    assert links.unconverted == 1 and (2, E) not in at
    widths = {(links.names[s], links.names[t]): v for s, t, v in zip(links.source, links.target, links.value, strict=True)}
    assert widths[(A, B)] == 100.0 and widths[(B, C)] == 60.0
    eur = packaged_rates().per_usd("EUR", np.array([pd.Timestamp("2024-03-03", tz="UTC").timestamp()]))[0]
    assert widths[(B, A)] == pytest.approx(20.0 / eur, abs=0.01)  # EUR in USD at that day's rate
    marked = trail_links(result.transfers, "out", result.sinks, result.open_ends, result.start_channels,
                         popular=[B, A])
    assert {marked.roles[i] for i, n in enumerate(marked.names) if n == B} == {"popular"}
    assert marked.roles[marked.names.index(A)] == "start"  # the start stays the start
    from_b = {w for s, w in zip(links.source, links.as_written, strict=True) if s == at[(1, B)]}
    assert from_b == {"60.00 USD", "20.00 EUR"}  # each band's amounts as written (KES: not drawn)


def test_a_backward_trail_reads_left_to_right_and_is_one_block() -> None:
    """Labelling a backward hop's sender with the receiver's column drew two disconnected blocks."""
    chain = _transfers([
        (A, C, "2024-03-01T10:00:00Z", 10.0, "USD"), (B, C, "2024-03-01T11:00:00Z", 20.0, "USD"),
        (C, D, "2024-03-02T10:00:00Z", 30.0, "USD"), (E, D, "2024-03-02T12:00:00Z", 5.0, "USD"),
        (D, W, "2024-03-03T10:00:00Z", 35.0, "USD"),
    ])
    result = trace(chain, [W], direction="in", hops=3)
    assert len(result.transfers) == 5
    links = trail_links(result.transfers, "in", result.sinks, result.open_ends, result.start_channels)
    assert links.flows_right_to_start and _acyclic_by_columns(links) and _component_count(links) == 1
    column = dict(zip(links.names, links.columns, strict=True))
    assert column[W] == 3 and column[D] == 2 and column[C] == 1 and column[A] == column[B] == 0
    assert column[E] == 1  # one transfer before D: its own column, not pushed to the far left
    assert {links.roles[links.names.index(n)] for n in (A, B, E)} == {"sink"}  # where the money came from
    ends = rules.trace_ends(result)
    assert dict(zip(ends["channel"], ends["end"], strict=True)) == {A: "origin", B: "origin", E: "origin"}
    assert ends.set_index("channel").loc[B, "amount"] == 20.0  # what the trail took from B, as written


def test_a_wide_trail_is_drawn_by_channel_type_per_hop() -> None:
    wide = _transfers([(A, f"PaymentChannel:usdt:T{i}", "2024-03-01T10:00:00Z", 1.0, "USD") for i in range(40)])
    links = trail_links(trace(wide, [A], hops=1).transfers, "out", max_channels=30)
    assert links.by_type and sorted(links.labels) == ["paypal", "usdt"] and links.value == [40.0]
    escrow = "PaymentChannel:usdt:T7"
    kept = trail_links(trace(wide, [A], hops=1).transfers, "out", start_channels=[A], popular=[escrow])
    assert sorted(zip(kept.labels, kept.roles, strict=True)) == [("paypal:a@x.example", "start"),
                                                                 ("usdt", ""), ("usdt:T7", "popular")]


def test_money_between_types_that_goes_round_is_two_columns_not_a_loop() -> None:
    flows = pd.DataFrame([
        {"source": "paypal", "target": "btc", "currency": "USD", "amount": 100.0, "amount_base": 100.0, "count": 2},
        {"source": "paypal", "target": "btc", "currency": "CNY", "amount": 700.0, "amount_base": 97.0, "count": 1},
        {"source": "btc", "target": "paypal", "currency": "USD", "amount": 50.0, "amount_base": 50.0, "count": 1},
        {"source": "btc", "target": "iban", "currency": "KES", "amount": 9.0, "amount_base": np.nan, "count": 4},
    ])
    links = type_links(flows)
    assert sorted(zip(links.columns, links.labels, strict=True)) == [(0, "btc"), (0, "paypal"), (1, "btc"), (1, "paypal")]
    assert _acyclic_by_columns(links) and links.unconverted == 4
    pair = links.source.index(links.labels.index("paypal"))
    assert links.value[pair] == 197.0 and links.count[pair] == 3  # base amounts added: one currency
    assert links.as_written[pair] == "700.00 CNY; 100.00 USD"  # as written: each currency apart, never summed


def test_the_height_follows_the_tallest_column_within_bounds() -> None:
    def flows(n: int) -> pd.DataFrame:
        return pd.DataFrame({"source": [f"s{i}" for i in range(n)], "target": "t", "currency": "USD",
                             "amount": 1.0, "amount_base": 1.0, "count": 1})
    small, medium, huge = (type_links(flows(n)) for n in (2, 20, 500))
    assert small.height() == MIN_HEIGHT and huge.height() == MAX_HEIGHT
    assert medium.tallest_column == 20 and MIN_HEIGHT < medium.height() < MAX_HEIGHT
    assert SankeyLinks().height() == MIN_HEIGHT


def test_the_default_start_is_the_busiest_payer_that_is_not_popular() -> None:
    cap = popularity.max_accounts("channel")
    busiest = pd.DataFrame({"channel": ["escrow", "exchange", "seller", "buyer"], "transfers": [900, 400, 30, 30]})
    choices = rules.start_choices(busiest, {"escrow": cap + 150, "exchange": cap + 1, "seller": cap, "buyer": 1})
    assert choices["popular"].tolist() == [True, True, False, False]  # the one rule: more than the cut-off
    assert rules.default_start(choices) == "seller"
    assert "POPULAR: held by" in rules.choice_label(choices.iloc[0]) and "POPULAR" not in rules.choice_label(choices.iloc[2])
    assert rules.default_start(choices.iloc[:2]) is None  # every busy payer popular: no default at all
    assert rules.popular_among({"escrow": cap + 150, "seller": cap}) == {"escrow": cap + 150}
    # a channel nobody is known to hold is not popular (transactions-only data)
    assert rules.default_start(rules.start_choices(busiest, {})) == "escrow"


def test_holders_are_users_and_posters_of_listings_that_accept_the_channel() -> None:
    tables = {
        "USES": pd.DataFrame({"start": ["Account:x:1", "Account:x:2", "Account:x:1"], "end": [A, A, B]}),
        "POSTED": pd.DataFrame({"start": ["Account:x:2", "Account:x:3"], "end": ["Listing:x:L1", "Listing:x:L2"]}),
        "ACCEPTS": pd.DataFrame({"start": ["Listing:x:L1", "Listing:x:L2"], "end": [A, A]}),
    }
    held = rules.holders_in([A, B, C], tables, [A, B, C, "PaymentChannel:paypal:nobody"])
    assert held.to_dict("records") == [{"channel": A, "accounts": 3}, {"channel": B, "accounts": 1},
                                       {"channel": C, "accounts": 0}]  # not in the store: no row


def test_a_forward_trace_shows_its_sinks_and_its_open_ends() -> None:
    result = trace(TRAIL, [A], hops=2)
    ends = rules.trace_ends(result)
    kinds = dict(zip(ends["channel"], ends["end"], strict=True))
    assert kinds[C] == "open end"  # C pays D after the hop limit: the money goes on
    assert kinds[E] == "sink"  # E pays nobody
    row = ends[ends["channel"] == E].iloc[0]
    assert row["currency"] == "KES" and row["amount"] == 3000.0 and pd.isna(row["amount_base"])  # no rate, no base
    assert set(ends["end"]) == {"sink", "open end"} and ends["end"].iloc[0] == "sink"
    assert rules.trace_ends(trace(TRAIL, [D], hops=2)).empty  # nothing followed, no end


@pytest.mark.parametrize(("since", "until", "expected"), [
    ("2024-01-01", "2024-03-01", ("2024-01-01T00:00:00Z", "2024-03-01T23:59:59Z")),  # a bare until: the whole day
    ("", " ", (None, None)),
    ("2024-01-01T10:00:00+02:00", "2024-03-01T12:00:00Z", ("2024-01-01T08:00:00Z", "2024-03-01T12:00:00Z")),
])
def test_trace_window(since: str, until: str, expected: tuple[str | None, str | None]) -> None:
    assert rules.trace_window(since, until) == expected


@pytest.mark.parametrize(("since", "until", "words"), [
    ("last week", "", "Since: 'last week' is not a date"),
    ("", "2024-13-01", "Until: '2024-13-01' is not a date"),
    ("2024-05-01", "2024-03-01", "is before Since"),
])
def test_a_bad_window_is_one_sentence_naming_the_field(since: str, until: str, words: str) -> None:
    with pytest.raises(GraphbenchError, match=words):
        rules.trace_window(since, until)


def test_no_such_node_differs_from_a_node_that_is_no_trace_start(tmp_path: Path) -> None:
    from graphbench.store import open_store
    from graphbench.store_reads.money_overview import check_start
    from loaders.load import load_dir

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "payment_links.csv").write_text("platform,handle,channel_type,channel_id,seen_in\n"
                                              "tiktok,tropic.world,paypal,a@x.example,bio\n", encoding="utf-8")
    (folder / "listings.csv").write_text("platform,listing_id,handle,title,hashtags\n"
                                         "tiktok,L1,tropic.world,Ball python,reptiles\n", encoding="utf-8")
    store = open_store("memory:")
    load_dir(store, folder, rejects_dir=tmp_path / "rejects")
    assert check_start(store, " Account:tiktok:tropic.world ") == "Account:tiktok:tropic.world"
    assert check_start(store, A) == A
    with pytest.raises(GraphbenchError, match=r"no such node 'tropic.world'.*did you mean Account:tiktok:tropic.world[,?]"):
        check_start(store, "tropic.world")  # a handle without Account: is no id
    with pytest.raises(GraphbenchError, match="no such node"):
        check_start(store, "x" * 5000)
    with pytest.raises(GraphbenchError, match="type an Account or PaymentChannel id"):
        check_start(store, "  ")
    with pytest.raises(GraphbenchError, match="'Hashtag:reptiles' is a Hashtag: a trace starts from an Account"):
        check_start(store, "Hashtag:reptiles")


def test_an_analysis_keeps_one_index_and_one_pattern_list_per_base_currency(sample_store) -> None:
    from graphbench.analytics.patterns import find_patterns
    from graphbench.fx_source import rates_in_effect
    from graphbench.store_reads.money_overview import transfer_table

    analysis = Analysis.of_store(sample_store)
    assert analysis.transfer_index_in("usd") is analysis.transfer_index  # the default base: the same object
    eur = analysis.transfer_index_in("EUR")
    assert eur is analysis.transfer_index_in("EUR") and eur.fx is not None and eur.fx.base == "EUR"
    usd_only = (analysis.transfer_index.currency == "USD") & ~np.isnan(eur.amount)
    assert (eur.amount[usd_only] != analysis.transfer_index.amount[usd_only]).all()  # converted, not relabelled
    in_eur = analysis.patterns_in("EUR")
    assert analysis.patterns_in("eur") is in_eur and analysis.patterns_in("USD") is analysis.patterns
    # what `graphbench patterns --base-currency EUR` finds
    cli = find_patterns(TransferIndex.from_frame(transfer_table(sample_store), "EUR", rates_in_effect(sample_store)))
    assert [(p.kind, p.members, round(p.amount, 2)) for p in in_eur] == [(p.kind, p.members, round(p.amount, 2))
                                                                         for p in cli]
    assert analysis.computed["transfer_index"] == 2 and analysis.computed["patterns"] == 2


def test_a_day_on_no_calendar_is_named_not_charted() -> None:
    days = pd.DataFrame({"day": ["2024-02-29", "2024-02-30"], "currency": ["USD", "USD"], "amount": [5.0, 7.0],
                         "count": [1, 2]})
    daily, _, notes = rules.daily_in_base(days)
    assert daily.to_dict("records") == [{"day": "2024-02-29", "amount": 5.0}]
    assert notes == ["2 transfer(s) dated on no calendar day left out of the timeline"]
    assert rules.as_series(daily).to_dict() == {pd.Timestamp("2024-02-29").date(): 5.0}
