"""A caseworker's day in a real browser: what to do next at the top of a case, "my day" at home,
an error summary that takes the focus, and axe-core (4.12, shipped by PyPI's
axe-playwright-python; only its script is used, run through Selenium) finding nothing critical
or serious on the main pages in both languages."""
import pathlib

import axe_playwright_python
from selenium.webdriver.common.by import By

from conftest import shot
from test_cases import case_links
from test_sign_in import sign_in

AXE = (pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def caseworker_of(demo_accounts):
    return next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])


def test_case_summary_comes_first_and_home_is_my_day(browser, base_url, demo_accounts, demo_password):
    sign_in(browser, base_url, caseworker_of(demo_accounts)["email"], demo_password)
    # Home: my day, urgent items in the warning style, tasks with their titles.
    assert browser.find_element(By.ID, "day-heading").text == "Ma journée"
    day = browser.find_element(By.ID, "day-heading").find_element(By.XPATH, "./..")
    assert day.find_elements(By.CSS_SELECTOR, "h3"), "no task group on the home page"
    assert not day.find_elements(By.CSS_SELECTOR, ".notice"), "urgent deadlines must not be in the success style"
    browser.get(base_url + "/cases")
    case = sorted(set(case_links(browser)))[0]
    browser.get(case)
    # The summary is the first section of the page, above safe contact, and the tab is named by
    # the case's reference.
    sections = browser.find_elements(By.CSS_SELECTOR, "main section")
    assert "case-summary" in sections[0].get_attribute("class")
    assert browser.title.split(" — ")[0] in browser.find_element(By.TAG_NAME, "main").text
    summary = sections[0].text
    for label in ["Statut", "Consentements en vigueur", "Prochaine tâche", "Dernière note"]:
        assert label in summary
    shot(browser, "50-case-summary")
    # Visited: it is among my recent cases at home.
    browser.get(base_url + "/home")
    recent = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#day-heading ~ ul a")]
    assert case in recent


def test_an_error_summary_takes_the_focus(browser, base_url, demo_accounts, demo_password):
    sign_in(browser, base_url, caseworker_of(demo_accounts)["email"], demo_password)
    browser.get(base_url + "/cases/new")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    summary = browser.find_element(By.CSS_SELECTOR, ".error-summary")
    assert browser.title.startswith("Erreur : ")
    assert browser.switch_to.active_element == summary
    link = summary.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href").endswith("#preferredName")
    link.click()
    assert browser.switch_to.active_element.get_attribute("id") == "preferredName"
    assert browser.switch_to.active_element.get_attribute("aria-invalid") == "true"
    shot(browser, "51-error-summary")


def serious_violations(browser):
    browser.execute_script(AXE)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [f"{v['id']} ({v['impact']}): {v['help']} × {len(v['nodes'])}" for v in result
            if v.get("impact") in ("critical", "serious")]


def test_axe_finds_nothing_critical_or_serious(browser, base_url, demo_accounts, demo_password):
    browser.set_script_timeout(60)
    found = {}
    pages = []
    for account, extra in [(caseworker_of(demo_accounts), []),
                           (next(a for a in demo_accounts if "supervisor" in a["roles"] and "Refuge" in a["organisation"]),
                            ["/applications/figures", "/case-settings", "/cases?status=any"])]:
        sign_in(browser, base_url, account["email"], demo_password)
        browser.get(base_url + "/cases")
        case = sorted(set(case_links(browser)))[0]
        pages = ["/home", "/cases", case, case + "/person", case + "/safe-contact", case + "/experience", "/cases/new",
                 "/deadlines", "/account", "/account/sessions", "/cases?q=Introuvable"] + extra
        try:
            for language in ["fr", "en"]:
                browser.get(base_url + "/home?lang=" + language)
                for page in pages:
                    browser.get(page if page.startswith("http") else base_url + page)
                    problems = serious_violations(browser)
                    if problems:
                        found[f"{account['email']} {language} {page}"] = problems
        finally:
            # ?lang= is saved to the account: give it back its French for the other tests.
            browser.get(base_url + "/home?lang=fr")
        browser.get(base_url + "/login")
        browser.delete_all_cookies()
    assert not found, found
