"""A caseworker's first minutes: sign in, switch language, make a mistake, sign out."""
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import shot


def sign_in(browser, base_url, email, password):
    browser.get(base_url + "/login")
    browser.find_element(By.ID, "email").clear()
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    button = browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]")
    button.click()
    # Wait for the next page to replace this one. Chromium may answer the check with an
    # "inspector error" while the page is being replaced: ask again.
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(EC.staleness_of(button))


def test_sign_in_switch_language_and_sign_out(browser, base_url, demo_accounts, demo_password):
    caseworker = next(a for a in demo_accounts if "caseworker" in a["roles"] and "démo" in a["organisation"])
    browser.get(base_url + "/login")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr-CA"
    assert "Connexion" in browser.find_element(By.TAG_NAME, "h1").text
    shot(browser, "01-login-fr")

    sign_in(browser, base_url, caseworker["email"], demo_password)
    assert browser.current_url.endswith("/home")
    assert caseworker["organisation"] in browser.page_source
    assert "Démonstration" in browser.page_source
    shot(browser, "02-home-fr")

    link = browser.find_element(By.CSS_SELECTOR, "a.lang-switch")
    link.click()
    WebDriverWait(browser, 10).until(EC.staleness_of(link))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-CA"
    assert "Your roles" in browser.page_source
    shot(browser, "03-home-en")
    # The choice is remembered on the next page.
    account = browser.find_element(By.LINK_TEXT, "My account")
    account.click()
    WebDriverWait(browser, 10).until(EC.staleness_of(account))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-CA"

    sign_out = browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button")
    sign_out.click()
    WebDriverWait(browser, 10).until(EC.staleness_of(sign_out))
    assert "/login" in browser.current_url
    browser.get(base_url + "/home")
    assert "/login" in browser.current_url
    shot(browser, "04-signed-out")


def test_a_failed_sign_in_explains_and_keeps_the_email(browser, base_url, demo_accounts):
    account = next(a for a in demo_accounts if "supervisor" in a["roles"])
    sign_in(browser, base_url, account["email"], "ce n'est pas le bon mot de passe")
    assert "/login" in browser.current_url
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert alert.text in ("L'adresse courriel ou le mot de passe est incorrect.", "Incorrect e-mail address or password.")
    assert browser.find_element(By.ID, "email").get_attribute("value") == account["email"]
    shot(browser, "05-failed-sign-in")


def test_pages_load_nothing_from_other_sites(browser, base_url, demo_accounts, demo_password):
    admin = next(a for a in demo_accounts if "org_admin" in a["roles"])
    sign_in(browser, base_url, admin["email"], demo_password)
    for path in ["/home", "/users", "/audit", "/account", "/account/sessions"]:
        browser.get(base_url + path)
        sources = [e.get_attribute("src") or e.get_attribute("href") or ""
                   for e in browser.find_elements(By.CSS_SELECTOR, "script, link, img, iframe")]
        assert all(s.startswith(base_url) or s.startswith("/") or s == "" for s in sources), sources
        assert browser.find_elements(By.TAG_NAME, "script") == []
    shot(browser, "06-sessions")
