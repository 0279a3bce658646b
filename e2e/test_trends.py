"""Network trends in a real browser, signed in as the demo network coordinator: /network/trends
answers with tables and a CSV link for each; every CSV count is x, 0 or at least 11 and its Total
row and column add up wherever no part is x; French and English pages hold the same numbers;
axe-core finds nothing critical or serious; the coordinator still cannot open a demo case."""
import csv
import io
import urllib.request

from selenium.webdriver.common.by import By

from conftest import shot
from test_cases import case_links
from test_my_day import serious_violations
from test_sign_in import sign_in


def coordinator(demo_accounts):
    return next(a for a in demo_accounts if a["roles"] == ["network_coordinator"])


def cookie_header(browser):
    return "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())


def fetch(browser, url):
    request = urllib.request.Request(url, headers={"Cookie": cookie_header(browser)})
    with urllib.request.urlopen(request) as response:
        return response.status, response.read().decode("utf-8-sig")


def cells(browser, language):
    """The data cells' numbers, written the same way whatever the language (1 234,5 and 1,234.5)."""
    def number(text):
        text = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        return text.replace(",", ".") if language == "fr" else text.replace(",", "")
    return [number(td.text) for td in browser.find_elements(By.CSS_SELECTOR, "main table td")]


def test_trends_tables_csv_languages_and_no_case(browser, base_url, demo_accounts, demo_password):
    browser.set_script_timeout(60)
    sign_in(browser, base_url, coordinator(demo_accounts)["email"], demo_password)
    browser.get(base_url + "/network/trends")
    assert browser.find_elements(By.CSS_SELECTOR, "main table"), "no table on the trends page"
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, 'a[href*="/network/trends/"][href*=".csv"]')]
    assert len(links) >= 10, links
    french = cells(browser, "fr")
    assert any(c not in ("x", "0") for c in french), "every cell of the demo's tables is hidden or zero"
    shot(browser, "network-trends")
    problems = serious_violations(browser)
    for link in links:
        status, text = fetch(browser, link)
        assert status == 200
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][-1] == "Total" and rows[-1][0] == "Total", link
        numbers = [row[1:] for row in rows[1:]]
        for row in numbers:
            for cell in row:
                assert cell == "x" or int(cell) == 0 or int(cell) >= 11, (link, cell)
            if "x" not in row:
                assert sum(int(c) for c in row[:-1]) == int(row[-1]), (link, row)
        for j in range(len(numbers[0])):
            column = [row[j] for row in numbers]
            if "x" not in column:
                assert sum(int(c) for c in column[:-1]) == int(column[-1]), (link, j)
    browser.get(base_url + "/network/trends?lang=en")
    assert cells(browser, "en") == french, "French and English tables differ"
    browser.get(base_url + "/network/trends?lang=fr")
    assert not problems, problems
    browser.delete_all_cookies()
    # A demo case, found by one of its caseworkers, is closed to the coordinator.
    worker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])
    sign_in(browser, base_url, worker["email"], demo_password)
    browser.get(base_url + "/cases")
    case = sorted(set(case_links(browser)))[0]
    browser.delete_all_cookies()
    sign_in(browser, base_url, coordinator(demo_accounts)["email"], demo_password)
    try:
        status, _ = fetch(browser, case)
    except urllib.error.HTTPError as error:
        status = error.code
    assert status in (403, 404), status
    browser.delete_all_cookies()
