"""The deadlines board of a demo caseworker, and the private calendar feed it links to,
parsed by a real iCalendar parser and checked for names."""
import re
import urllib.request

from icalendar import Calendar
from selenium.webdriver.common.by import By

from conftest import shot
from test_sign_in import sign_in


def test_board_lists_expiring_permits_and_links_a_clean_feed(browser, base_url, demo_accounts, demo_password):
    caseworker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])
    sign_in(browser, base_url, caseworker["email"], demo_password)
    browser.get(base_url + "/cases")
    names = {row.find_elements(By.TAG_NAME, "td")[1].text for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")}
    browser.get(base_url + "/deadlines")
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2")]
    assert any(re.search(r"(30|60|90) jours|(30|60|90) days", h) for h in headings), headings
    shot(browser, "20-deadlines")
    link = browser.find_element(By.CSS_SELECTOR, "a[href*='/calendar/']").get_attribute("href")
    with urllib.request.urlopen(link) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        body = response.read()
    calendar = Calendar.from_ical(body)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert events, "the feed has no event"
    text = body.decode("utf-8")
    for name in names:
        assert name not in text, f"{name!r} appears in the calendar feed"
