"""Browser tests: a real headless Chromium (Debian's chromium + chromium-driver) against a
running `passerelle demo`. .ci/run starts the server and sets PASSERELLE_URL and
PASSERELLE_SERVER_LOG; the demo password comes from PASSERELLE_DEMO_PASSWORD."""
import os
import pathlib
import re
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SCREENSHOTS = pathlib.Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("PASSERELLE_URL")
    if not url:
        pytest.fail("PASSERELLE_URL is not set: start `passerelle demo` first (see .ci/run)")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def demo_accounts():
    log = pathlib.Path(os.environ["PASSERELLE_SERVER_LOG"]).read_text(encoding="utf-8")
    accounts = []
    for line in log.splitlines():
        match = re.match(r"^demo account: (\S+) (\S+) (.+)$", line)
        if match:
            accounts.append({"email": match[1], "roles": match[2].split(","), "organisation": match[3]})
    assert accounts, "the server printed no demo account lines"
    return accounts


@pytest.fixture(scope="session")
def demo_password():
    return os.environ["PASSERELLE_DEMO_PASSWORD"]


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--lang=fr-CA", "--disable-gpu"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-CA,fr"})
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(5)
    SCREENSHOTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
