"""Routes on the sample: every shipment lands in exactly one route and one flow; hubs import."""

from __future__ import annotations

from graphbench.analytics import routes
from graphbench.store.tables import read_tables


def test_sample_routes_account_for_every_located_shipment(sample_store) -> None:
    tables = read_tables(sample_store)
    per_shipment = routes.shipment_routes(tables).dropna(subset=["origin", "destination"])
    table = routes.routes(tables)
    assert table["shipments"].sum() == per_shipment["id"].nunique()
    assert routes.route_flows(tables)["value"].sum() == table["shipments"].sum()
    assert (table["first"] <= table["last"]).all()


def test_sample_consumer_hubs_receive_more_than_they_send(sample_store, ground_truth) -> None:
    hubs = routes.consumer_hubs(read_tables(sample_store))
    assert not hubs.empty
    assert (hubs["received"] >= 2 * hubs["sent"]).all() and (hubs["origins"] >= 3).all()
    ring_destinations = {d for ring in ground_truth["rings"] for _, d in ring["routes"]}
    # the busiest hubs are where the planted rings ship to
    assert set(hubs.head(5)["country"]) <= ring_destinations
