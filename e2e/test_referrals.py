"""Referrals in a real browser: the demo's accepted referral reaches a caseworker of the
receiving organisation with the shared fields only; a caseworker of a third organisation gets
404; from a case, "find a service" leads to a service page that offers to refer the person; and
axe-core finds nothing critical or serious on the referral and directory pages."""
import os
import pathlib
import re

from selenium.webdriver.common.by import By

from conftest import shot
from test_cases import case_links
from test_my_day import serious_violations
from test_sign_in import sign_in


def accepted_referral():
    log = pathlib.Path(os.environ["PASSERELLE_SERVER_LOG"]).read_text(encoding="utf-8")
    match = re.search(r"^demo accepted referral: (/referrals/[0-9A-F-]{36}) received by (.+)$", log, re.MULTILINE)
    assert match, "the server printed no accepted referral"
    return match[1], match[2]


def test_the_accepted_referral_shows_only_what_was_shared(browser, base_url, demo_accounts, demo_password):
    path, receiver = accepted_referral()
    worker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and a["organisation"] == receiver)
    sign_in(browser, base_url, worker["email"], demo_password)
    browser.get(base_url + "/referrals")
    assert browser.find_elements(By.CSS_SELECTOR, f'a[href="{path}"]'), "the inbox does not link to the accepted referral"
    browser.get(base_url + path)
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Renseignements partagés" in text or "Shared information" in text
    assert "/cases/" not in browser.page_source.split("<main", 1)[1].split("</main>", 1)[0].replace('href="/cases/new', "")
    shot(browser, "referral-received")
    problems = serious_violations(browser)
    browser.get(base_url + "/referrals")
    problems += serious_violations(browser)
    assert not problems, problems
    browser.delete_all_cookies()
    # A caseworker of an organisation on neither side.
    third = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and a["organisation"] not in (receiver, )
                 and "Refuge" not in a["organisation"])
    sign_in(browser, base_url, third["email"], demo_password)
    browser.get(base_url + path)
    assert "404" in browser.title or "introuvable" in browser.page_source.lower() or "not found" in browser.page_source.lower()
    browser.delete_all_cookies()


def test_find_a_service_from_a_case_offers_to_refer(browser, base_url, demo_accounts, demo_password):
    worker = next(a for a in demo_accounts if a["roles"] == ["caseworker"] and "Refuge" in a["organisation"])
    sign_in(browser, base_url, worker["email"], demo_password)
    browser.get(base_url + "/cases")
    case = sorted(set(case_links(browser)))[0]
    browser.get(case)  # case_links gives absolute addresses
    browser.find_element(By.CSS_SELECTOR, 'a[href^="/directory?"][href*="case="]').click()
    problems = serious_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "ul.results h2 a").click()
    refer = browser.find_element(By.CSS_SELECTOR, 'a.button[href*="/referrals?service="]')
    problems += serious_violations(browser)
    refer.click()
    assert "/referrals?service=" in browser.current_url
    problems += serious_violations(browser)
    shot(browser, "referral-form")
    assert not problems, problems
    browser.delete_all_cookies()
