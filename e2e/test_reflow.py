"""A phone, 390 px wide: no page of a caseworker's day scrolls sideways (WCAG 1.4.10), and the
safe-contact block of a case page is fully visible."""
from selenium.webdriver.common.by import By

from conftest import shot
from test_cases import case_links
from test_sign_in import sign_in


def overflow(browser):
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def test_pages_fit_a_phone(browser, base_url, demo_accounts, demo_password):
    caseworker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])
    sign_in(browser, base_url, caseworker["email"], demo_password)
    browser.get(base_url + "/cases")
    case = sorted(set(case_links(browser)))[0]
    browser.set_window_size(390, 844)
    assert browser.execute_script("return window.innerWidth") <= 390
    pages = ["/home", "/cases", case, case + "/person", case + "/safe-contact", case + "/experience", "/cases/new",
             "/deadlines", "/account", "/account/sessions", "/cases?lang=en", case + "?lang=en", "/account?lang=en"]
    try:
        for page in pages:
            browser.get(page if page.startswith("http") else base_url + page)
            assert overflow(browser) <= 0, f"{page} scrolls sideways by {overflow(browser)} px"
    finally:
        # ?lang= is saved to the account: give it back its French for the other tests.
        browser.get(base_url + "/home?lang=fr")
    browser.get(case)
    safe = browser.find_element(By.ID, "safe-heading").find_element(By.XPATH, "./..")
    right = browser.execute_script("return arguments[0].getBoundingClientRect().right", safe)
    assert right <= browser.execute_script("return window.innerWidth")
    shot(browser, "40-case-page-390")
