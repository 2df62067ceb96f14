"""A first-time user in a real headless Chromium: loads a CSV with foreign column names into the graph
without a text editor (the Data page's import wizard), and no page answers bad input with a traceback."""

from __future__ import annotations

import os

import pytest
import yaml
from browser_app import ARGS, ARTIFACTS, ROOT, launched_chromium, require_chromium, served_app

pytestmark = pytest.mark.browser

FOREIGN = ("Username,Site,Mobile,Notes\n"
           "@Tortoise.Trader,Instagram,+84 91 765 4321,ships weekly\n"
           "pangolin_pal,facebook,+44 7700 900456,\n"
           ",tiktok,+1 415 555 0199,no handle\n")  # the third row has no handle: rejected, and shown before the load


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("browser-import")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, ROOT / "tests" / "fixtures" / "mini", rejects_dir=folder / "rejects")  # small: quick pages
    store.close()
    os.environ["GRAPHBENCH_MAPPINGS"] = str(folder / "mappings")  # the served app inherits it
    try:
        with served_app(folder) as url:
            yield url, folder
    finally:
        os.environ.pop("GRAPHBENCH_MAPPINGS", None)


@pytest.fixture(scope="module")
def chromium(app_url):
    with launched_chromium(ARGS) as browser:  # one for the module; each test gets a fresh context
        yield browser


@pytest.fixture
def page(chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport={"width": 1500, "height": 2000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        yield page
    finally:
        context.close()


def _idle(page) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def _go(page, url: str, path: str, title: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for()
    _idle(page)


def _no_traceback(page, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, f"a traceback on {where}"


def _selected(page, label: str) -> str:
    """What the select box labelled ``label`` shows."""
    return page.get_by_role("combobox", name=label, exact=True).first.input_value()


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``, as a person does: open it, click the option."""
    page.get_by_role("combobox", name=label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    _idle(page)


def test_a_foreign_csv_reaches_the_graph_without_yaml(page, app_url, tmp_path) -> None:
    url, folder = app_url
    source = tmp_path / "contacts.csv"
    source.write_text(FOREIGN, encoding="utf-8")
    junk = tmp_path / "accounts-export.csv"
    junk.write_bytes(os.urandom(8192))  # binary junk renamed .csv
    try:
        _go(page, url, "", "Data")
        wizard = page.locator('[data-testid="stFileUploader"]').filter(has_text="Import one export").locator(
            'input[type="file"]')
        wizard.set_input_files(str(junk))
        page.get_by_text("accounts-export.csv is not a text file").first.wait_for()
        _no_traceback(page, "Data (binary upload)")

        wizard.set_input_files(str(source))
        page.get_by_text("would be rejected").first.wait_for()
        _idle(page)
        text = page.locator("section.main, [data-testid='stMain']").first.inner_text()
        assert "3 rows: 2 would load, 1 would be rejected" in text
        assert "row 3, handle: required field is missing" in text  # the why, before anything is written
        for column, suggested in (("Username", "handle (required)"), ("Site", "platform (required)"),
                                  ("Mobile", "phone"), ("Notes", "(leave out)")):
            assert _selected(page, column) == suggested
        _choose(page, "Notes", "bio")  # the one column nothing suggested: the user says what it is
        page.screenshot(path=str(ARTIFACTS / "10-import-wizard.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("button", name="Download the mapping (YAML)").click()
        assert download.value.suggested_filename == "contacts.yaml"
        mapping = yaml.safe_load(open(download.value.path(), encoding="utf-8"))
        assert mapping["files"][0]["kind"] == "accounts"
        assert mapping["files"][0]["columns"] == {"handle": "Username", "platform": "Site", "phone": "Mobile",
                                                  "bio": "Notes"}

        page.get_by_role("button", name="Load 2 rows").click()
        page.get_by_text("loaded 2 of 3 rows").first.wait_for()
        _idle(page)
        assert (folder / "mappings" / "contacts.yaml").is_file()  # kept beside the workspace for next time

        page.get_by_label("Node id").fill("Account:instagram:tortoise.trader")
        page.get_by_label("Node id").press("Enter")
        page.get_by_text('"source_file"').first.wait_for()
        _idle(page)
        provenance = page.locator('[data-testid="stJson"]').first.inner_text()
        assert '"contacts.csv"' in provenance and "graphbench-import" not in provenance
        page.screenshot(path=str(ARTIFACTS / "11-import-loaded.png"), full_page=True)
        _no_traceback(page, "Data")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "failure-import.png"), full_page=True)
        raise


def test_bad_input_on_every_page_is_one_sentence_never_a_traceback(page, app_url) -> None:
    url, _ = app_url
    try:
        _go(page, url, "explore", "Explore")
        page.get_by_label("Focus node id").fill("Account:instagram:reptile.house")
        page.get_by_label("Focus node id").press("Enter")
        _idle(page)
        page.get_by_label("From (ISO date, optional)").fill("last week")
        page.get_by_label("From (ISO date, optional)").press("Enter")
        page.get_by_text("'last week' is not a date").first.wait_for()
        _no_traceback(page, "Explore")

        _go(page, url, "links", "Links")
        page.get_by_label("From", exact=True).fill("reptile.house")  # a handle without its label
        page.get_by_label("To", exact=True).fill("Account:facebook:reptilehouse.vn")
        page.get_by_label("To", exact=True).press("Enter")
        page.get_by_text("There is no node 'reptile.house'").first.wait_for()
        _no_traceback(page, "Links")
        grid = page.locator('[data-testid="stDataFrame"]').first  # the SAME_AS table
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's picker, as the analyst reads it
        _idle(page)
        page.get_by_role("button", name="Accept").click()
        # the verdict is on the row that was read (the fixture's one SAME_AS pair), not a separate picker
        page.get_by_text("accepted: Account:facebook:reptilehouse.vn ~ Account:instagram:reptile.house").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "12-links-errors-and-verdict.png"), full_page=True)

        _go(page, url, "money", "Money")
        page.get_by_label("Since (ISO date)").fill("last week")
        page.get_by_label("Since (ISO date)").press("Enter")
        page.get_by_role("button", name="Trace").click()
        page.get_by_text("Since: 'last week' is not a date").first.wait_for()
        _no_traceback(page, "Money")

        _go(page, url, "query", "Query")
        _choose(page, "Query", "transfers_out")
        page.get_by_role("textbox", name="channel (node_id)").fill("PaymentChannel:paypal:sales@reptile.example")
        page.get_by_role("textbox", name="limit (int)").fill("ten")
        page.get_by_role("button", name="Run").click()
        page.get_by_text("limit is a whole number such as 10, not 'ten'.").first.wait_for()
        _no_traceback(page, "Query")
        _choose(page, "Query", "busiest_payers")  # the next query: its limit is its own, empty (the default)
        page.get_by_role("textbox", name="channel (node_id)").wait_for(state="detached")  # its form is drawn
        assert page.get_by_role("textbox", name="limit (int)").input_value() == ""

        _go(page, url, "report", "Cyber-alert report")
        page.get_by_role("textbox", name="Community (number, optional)").fill("ring 5")
        page.get_by_label("Since (ISO date, optional)").fill("last week")
        page.get_by_role("button", name="Generate").click()
        page.get_by_text("'ring 5' is not a community number").first.wait_for()
        page.get_by_text("Since: 'last week' is not a date").first.wait_for()
        _no_traceback(page, "Report")
        page.screenshot(path=str(ARTIFACTS / "13-report-errors.png"), full_page=True)

        _go(page, url, "communities", "Communities")
        page.get_by_label("Smallest community shown").fill("1")
        page.get_by_label("Smallest community shown").press("Enter")
        page.get_by_role("button", name="Run community detection").click()
        page.get_by_role("button", name="Report on this").wait_for()
        _idle(page)
        page.screenshot(path=str(ARTIFACTS / "14-communities-named.png"), full_page=True)
        _no_traceback(page, "Communities")
        page.get_by_role("button", name="Open in Explore").click()  # its top member, focused
        page.get_by_role("heading", name="Explore").first.wait_for()
        _idle(page)
        assert page.get_by_label("Focus node id").input_value() == "Account:facebook:reptilehouse.vn"
        _no_traceback(page, "Explore (from Communities)")
        # back through the sidebar (the same session): the run is kept, the smallest size is the default 3
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Communities", exact=True).click()
        page.get_by_text("No community has 3 or more accounts").first.wait_for()
        _no_traceback(page, "Communities (none big enough)")
        page.get_by_label("Smallest community shown").fill("1")
        page.get_by_label("Smallest community shown").press("Enter")
        page.get_by_role("button", name="Report on this").click()
        page.get_by_role("heading", name="Cyber-alert report").first.wait_for()
        _idle(page)
        assert page.get_by_label("Accounts (one id per line, optional)").input_value().startswith("Account:")
        page.get_by_role("button", name="Generate").click()
        button = page.get_by_role("button", name="Download")
        button.wait_for()
        with page.expect_download() as download:
            button.click()
        name = download.value.suggested_filename
        assert name.startswith("graphbench-alert-") and "-accounts-20" in name and name.endswith(".html"), name
        _no_traceback(page, "Report")

        _go(page, url, "trends", "Trends & routes")
        _no_traceback(page, "Trends & routes")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "failure-bad-input.png"), full_page=True)
        raise
