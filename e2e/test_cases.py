"""A caseworker's case list, a case page, and what another organisation gets: 404.
Also checks, as an attacker with a copy of the database would, that names are not in clear."""
import os
import pathlib
import re

from selenium.webdriver.common.by import By

from conftest import shot
from test_sign_in import sign_in


def case_links(browser):
    return [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table a[href*='/cases/']")]


def test_case_list_pages_and_isolation(browser, base_url, demo_accounts, demo_password):
    caseworker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])
    sign_in(browser, base_url, caseworker["email"], demo_password)
    browser.get(base_url + "/cases")
    links = sorted(set(case_links(browser)))
    assert links, "the demo caseworker sees no case"
    assert all(re.search(r"/cases/[0-9A-F-]{36}$", link) for link in links)
    names = [row.find_elements(By.TAG_NAME, "td")[1].text for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    shot(browser, "10-case-list")
    browser.get(links[0])
    h1 = browser.find_element(By.TAG_NAME, "h1").text
    assert h1 in names
    assert browser.find_element(By.ID, "safe-heading")
    shot(browser, "11-case-page")

    # Another organisation's caseworker follows the same links: 404 for each.
    browser.delete_all_cookies()
    outsider = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and a["organisation"] != caseworker["organisation"])
    sign_in(browser, base_url, outsider["email"], demo_password)
    for link in links[:5]:
        browser.get(link)
        assert browser.find_element(By.TAG_NAME, "h1").text in ("Page introuvable", "Page not found")
    shot(browser, "12-other-organisation-404")

    # No preferred name of the list is in clear in the database file or its WAL.
    data_dir = pathlib.Path(os.environ["PASSERELLE_DATA_DIR"])
    raw = b"".join(p.read_bytes() for p in [data_dir / "passerelle.sqlite", data_dir / "passerelle.sqlite-wal"] if p.exists())
    for name in names:
        assert name.encode("utf-8") not in raw, f"{name!r} found in clear"
