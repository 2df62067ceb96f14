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


def _shipments() -> dict:
    """Five DHL/EMS shipments with planted routes, cities, weights and senders."""
    import pandas as pd

    rows = [  # id, shipper, origin, destination, kg, date, sender
        ("1", "dhl", "VN:hanoi", "CN:kunming", 2.0, "2024-01-05T00:00:00Z", "Account:ig:a"),
        ("2", "dhl", "VN:hanoi", "CN:kunming", 3.0, "2024-03-01T00:00:00Z", "Account:ig:b"),
        ("3", "ems", "VN:hcmc", "CN:kunming", 10.0, "2024-02-01T00:00:00Z", "Account:ig:a"),
        ("4", "ems", "TH:bangkok", "CN:guangzhou", 1.0, "2024-02-10T00:00:00Z", None),
        ("5", "dhl", "CN:kunming", "VN:hanoi", 0.5, "2024-04-01T00:00:00Z", "Account:ig:c"),
    ]
    ids = [f"Shipment:{r[1]}:{r[0]}" for r in rows]
    return {
        "Shipment": pd.DataFrame({"id": ids, "shipper": [r[1] for r in rows], "weight_kg": [r[4] for r in rows],
                                  "shipped_at": [r[5] for r in rows]}),
        "FROM": pd.DataFrame({"start": ids, "end": [f"Location:{r[2]}" for r in rows]}),
        "TO": pd.DataFrame({"start": ids, "end": [f"Location:{r[3]}" for r in rows]}),
        "SENT": pd.DataFrame([(r[6], i) for r, i in zip(rows, ids, strict=True) if r[6]], columns=["start", "end"]),
    }


def test_routes_by_courier_carry_weight_dates_and_senders() -> None:
    table = routes.routes(_shipments()).set_index(["shipper", "origin", "destination"])
    dhl = table.loc[("dhl", "VN", "CN")]
    assert (dhl["shipments"], dhl["weight_kg"], dhl["first"], dhl["last"]) == (
        2, 5.0, "2024-01-05T00:00:00Z", "2024-03-01T00:00:00Z")
    assert dhl["senders"] == ["Account:ig:a", "Account:ig:b"]
    assert table.loc[("ems", "TH", "CN"), "senders"] == []  # an unsent shipment still counts on its route
    assert table["shipments"].sum() == 5


def test_top_routes_merge_couriers_and_rank_by_what_is_asked() -> None:
    tables = _shipments()
    by_count = routes.top_routes(tables, n=2)
    assert list(zip(by_count["origin"], by_count["destination"], by_count["shipments"], strict=True)) == [
        ("VN", "CN", 3), ("CN", "VN", 1)]
    assert by_count.iloc[0]["shippers"] == ["dhl", "ems"] and by_count.iloc[0]["senders"] == 2
    by_weight = routes.top_routes(tables, n=1, by="weight_kg", level="city")
    assert (by_weight.iloc[0]["origin"], by_weight.iloc[0]["weight_kg"]) == ("VN:hcmc", 10.0)


def test_city_routes_and_two_stage_flows() -> None:
    tables = _shipments()
    cities = routes.routes(tables, level="city")
    assert ("dhl", "VN:hanoi", "CN:kunming") in set(zip(cities["shipper"], cities["origin"], cities["destination"],
                                                         strict=True))
    flows = routes.route_flows(tables, via_shipper=True).set_index(["source", "target"])["value"]
    assert flows[("from VN", "via dhl")] == 2 and flows[("via dhl", "to CN")] == 2
    assert flows[("via dhl", "to VN")] == 1  # VN sends and receives: two labelled nodes, no loop
    assert flows.sum() == 2 * 5


def test_consumer_hub_needs_many_origins_and_to_import_more_than_it_exports() -> None:
    tables = _shipments()
    assert routes.consumer_hubs(tables, min_origins=2)["country"].tolist() == ["CN"]
    assert routes.consumer_hubs(tables, min_origins=3).empty
    city_hubs = routes.consumer_hubs(tables, min_origins=2, level="city")
    assert city_hubs["country"].tolist() == ["CN:kunming"]  # received 3 from hanoi and hcmc, sent 1
