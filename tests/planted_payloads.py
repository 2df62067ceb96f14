"""A folder of exports written by someone who knows the analyst will open them: handles, names, bios,
titles, texts and URLs that are Markdown images, HTML with event handlers, script tags, ``javascript:``
/ ``data:`` / ``file:`` links and Streamlit directives. Every script payload sets ``window.pwned``;
every fetch payload points at ``evil.example`` (a name that never resolves), so a test can tell that
nothing ran and nothing was fetched. Also one harmless http(s) listing URL, which exports must keep."""

from __future__ import annotations

import csv
import json
from pathlib import Path

EVIL_HOST = "evil.example"
IMAGE_HANDLE = f"![](http://{EVIL_HOST}/handle.png)"
HTML_HANDLE = f'<img/src="http://{EVIL_HOST}/i.png"/onerror="window.pwned=1">'
SCRIPT_HANDLE = "</script><script>window.pwned=2</script>"
PLAIN_HANDLE = "rare_store__x"  # escaping must still show the underscores, not "\_"
TITLE = (f"white plastic ![x](http://{EVIL_HOST}/t.png) <script>window.pwned=3</script> "
         f"[click](javascript:window.pwned=4) www.{EVIL_HOST}")
BIO = (f"<img src=http://{EVIL_HOST}/b.png onerror=window.pwned=5> :red[**boss**] $x^2$ "
       f"<iframe src=http://{EVIL_HOST}/f></iframe>")
BAD_URLS = ["javascript:window.pwned=6", "data:text/html,<script>window.pwned=7</script>", "file:///etc/passwd",
            " JavaScript:window.pwned=8", "vbscript:msgbox(1)"]
GOOD_URL = f"https://{EVIL_HOST}/listing/ok"
HANDLES = [IMAGE_HANDLE, HTML_HANDLE, SCRIPT_HANDLE, PLAIN_HANDLE]
CITY = f'<a href="http://{EVIL_HOST}/city">Hanoi</a>'  # plotly draws <a> in chart labels as a link
WECHAT = f'<a href="http://{EVIL_HOST}/pay">pay</a>'  # a free-text channel id: plotly would draw it as a link
PHONE = "+84 91 555 0101"  # shared by every planted account: the Links page finds paths between them


def account_id(handle: str) -> str:
    return f"Account:instagram:{handle.lower()}"


def write_planted(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["platform", "handle", "display_name", "profile_url", "bio", "phone", "email"])
        for n, name in enumerate(HANDLES):
            out.writerow(["instagram", name, f":blue[{name}] <b>x</b>", BAD_URLS[n % len(BAD_URLS)], BIO, PHONE,
                          f"seller{n}@{EVIL_HOST}"])
    with (folder / "listings.jsonl").open("w", encoding="utf-8") as handle:
        urls = [*BAD_URLS, GOOD_URL]
        for n, url in enumerate(urls):
            handle.write(json.dumps({
                "platform": "instagram", "listing_id": f"EV{n}", "handle": HANDLES[n % len(HANDLES)],
                "posted_at": f"2024-05-0{n + 1}T10:00:00Z", "title": TITLE,
                "text": f"{BIO} pangolin scales, ivory — {TITLE}", "price": "100", "currency": "USD",
                "hashtags": "ivory;<script>window.pwned=9</script>", "url": url}) + "\n")
    with (folder / "payment_links.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["platform", "handle", "channel_type", "channel_id", "seen_in"])
        out.writerow(["instagram", IMAGE_HANDLE, "btc", "bc1qevil0000000000000000000000000000000", "bio"])
        out.writerow(["instagram", HTML_HANDLE, "paypal", f"pay@{EVIL_HOST}", "bio"])
    with (folder / "transactions.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount", "currency",
                      "reference"])
        out.writerow(["EVT1", "2024-05-06T10:00:00Z", "paypal", f"buyer@{EVIL_HOST}", "paypal", f"pay@{EVIL_HOST}",
                      "500", "USD", f"![](http://{EVIL_HOST}/ref.png)"])
        out.writerow(["EVT3", "2024-05-05T10:00:00Z", "wechat", WECHAT, "paypal", f"pay@{EVIL_HOST}", "900", "USD", ""])
        out.writerow(["EVT2", "2024-05-07T10:00:00Z", "paypal", f"pay@{EVIL_HOST}", "btc",
                      "bc1qevil0000000000000000000000000000000", "480", "USD", "<script>window.pwned=10</script>"])
    with (folder / "shipments.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["shipper", "tracking_no", "sender_platform", "sender_handle", "origin_country", "origin_city",
                      "destination_country", "destination_city", "declared_content", "weight_kg", "shipped_at"])
        for n in range(2):
            out.writerow(["DHL", f"EVS{n}", "instagram", IMAGE_HANDLE, "VN", CITY, "CN",
                          f"<img src=http://{EVIL_HOST}/c{n}.png>", BIO, "1.5", f"2024-05-1{n}"])
    return folder
