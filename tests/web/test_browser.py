"""A real browser (Debian's chromium, driven by Playwright) asks the three deployed models.

Each form is filled like a teacher would, the prediction is read back from the page and compared
with the same input sent straight to InvokeEndpoint; one screenshot per form goes to
``test-artifacts/web/``. Bad input and the no-endpoint page are checked in the same browser session.
Every endpoint the test deploys is deleted, and the test asserts that nothing is left.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from web_helpers import boto, sagemaker_names

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SPAM_MAIL = """Subject: FREE money!!! Act now, limited offer

Dear friend, you have been selected to receive a FREE credit card offer. Click here to remove
your name from our mailing list. Guaranteed income, no risk, order now and save money!!!
"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
)


@pytest.fixture
def served(trained_class, settings, emulator, aws_env):
    """The three jobs deployed with `classroom deploy` code and the page served on 127.0.0.1."""
    from werkzeug.serving import make_server

    from kitcore.aws import delete_endpoint_with_parts
    from provision.commands.deploy import deploy_here
    from provision.web.app import create_app

    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    deployed = {}
    server = None
    try:
        for job in ("rainfall", "credit", "spam"):
            deployed[job] = deploy_here(settings, job, 10)[0]
        server = make_server("127.0.0.1", 0, create_app(settings, trained_class), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", deployed, sm
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        for name in deployed.values():
            delete_endpoint_with_parts(sm, name)
        assert sagemaker_names(sm) == before


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def direct_answer(trained_class, job: str, endpoint: str, form: dict, emulator) -> dict:
    """The same input sent straight to the endpoint, without the page."""
    from jobs import serving

    s = serving.load(job, trained_class)
    body, ctype = s.encode(form)
    out = boto("sagemaker-runtime", emulator).invoke_endpoint(
        EndpointName=endpoint, Body=body.encode(), ContentType=ctype, Accept=s.accept
    )
    return s.decode(out["Body"].read())


def ask(page, job: str):
    card = page.locator(f'[data-testid="model-{job}"]')
    card.get_by_role("button", name="Ask the model").click()
    page.wait_for_load_state("domcontentloaded")
    return page.locator(f'[data-testid="model-{job}"]')


def test_a_browser_asks_each_model(served, browser, trained_class, emulator):
    url, deployed, sm = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(url)
    rows = page.locator('[data-testid="endpoints"] tbody tr')
    assert rows.count() == 3
    for i in range(3):
        assert re.fullmatch(r"(9|10) min left", rows.nth(i).locator('[data-testid="time-left"]').inner_text())
    content = page.content()
    for secret in ("testing", emulator.url, "AWS_"):
        assert secret not in content

    # rainfall: a temperature
    card = page.locator('[data-testid="model-rainfall"]')
    card.locator("input[type=text]").first.fill("55")
    card = ask(page, "rainfall")
    label = card.locator('[data-testid="label"]').inner_text()
    score = float(card.locator('[data-testid="score"]').inner_text())
    form = {card.locator("input[type=text]").first.get_attribute("name"): 55.0}
    expected = direct_answer(trained_class, "rainfall", deployed["rainfall"], form, emulator)
    assert label == expected["label"] and "rain" in label
    assert score == pytest.approx(expected["score"], rel=1e-3)
    card.screenshot(path=str(ARTIFACTS / "rainfall.png"))

    # credit: an applicant, every category chosen from the allowed values
    card = page.locator('[data-testid="model-credit"]')
    chosen = {}
    selects = card.locator("select")
    for i in range(selects.count()):
        sel = selects.nth(i)
        options = sel.locator("option")
        value = options.nth(options.count() - 1).get_attribute("value")
        sel.select_option(value)
        chosen[sel.get_attribute("name")] = value
    numbers = {"age": "35", "credit_amount": "2500", "duration": "24"}
    for name, value in numbers.items():
        card.locator(f'input[name="{name}"]').fill(value)
    card = ask(page, "credit")
    label = card.locator('[data-testid="label"]').inner_text()
    score = float(card.locator('[data-testid="score"]').inner_text())
    expected = direct_answer(
        trained_class,
        "credit",
        deployed["credit"],
        {**chosen, **{k: float(v) for k, v in numbers.items()}},
        emulator,
    )
    assert label == expected["label"] and label in ("good risk", "bad risk")
    assert 0.0 <= score <= 1.0 and score == pytest.approx(expected["score"], rel=1e-3)
    card.screenshot(path=str(ARTIFACTS / "credit.png"))

    # spam: a pasted e-mail
    card = page.locator('[data-testid="model-spam"]')
    card.locator("textarea").fill(SPAM_MAIL)
    card = ask(page, "spam")
    label = card.locator('[data-testid="label"]').inner_text()
    score = float(card.locator('[data-testid="score"]').inner_text())
    expected = direct_answer(trained_class, "spam", deployed["spam"], {"message": SPAM_MAIL}, emulator)
    assert label == expected["label"] and label in ("spam", "ham")
    assert score == pytest.approx(expected["score"], rel=1e-3)
    assert card.locator("textarea").input_value().strip() == SPAM_MAIL.strip()  # the input stays
    card.screenshot(path=str(ARTIFACTS / "spam.png"))
    (ARTIFACTS / "answers.json").write_text(json.dumps({"spam": [label, score]}, indent=2))

    # malformed input: a friendly message in the form, no traceback, nothing invoked
    card = page.locator('[data-testid="model-rainfall"]')
    card.locator("input[type=text]").first.fill("warm")
    card = ask(page, "rainfall")
    assert "must be a number, not “warm”" in card.locator('[data-testid="input-error"]').inner_text()
    assert card.locator('[data-testid="prediction"]').count() == 0
    assert "Traceback" not in page.content()
    card.screenshot(path=str(ARTIFACTS / "rainfall-bad-input.png"))

    # a stale form (another session's token) is refused with a page that says what to do
    other = browser.new_page()
    other.goto(url)
    other.locator('[data-testid="model-spam"] textarea').fill("hello")
    other.locator('[data-testid="model-spam"] input[name=csrf_token]').evaluate("e => e.value = 'forged'")
    other.locator('[data-testid="model-spam"]').get_by_role("button", name="Ask the model").click()
    other.wait_for_load_state("domcontentloaded")
    assert "did not come from this page" in other.locator('[data-testid="error-message"]').inner_text()

    # when the endpoints are gone the page says how to deploy one
    from kitcore.aws import delete_endpoint_with_parts

    for name in deployed.values():
        delete_endpoint_with_parts(sm, name)
    page.goto(url)
    assert "classroom deploy spam --minutes 30" in page.locator('[data-testid="no-endpoint"]').inner_text()
    page.screenshot(path=str(ARTIFACTS / "no-endpoint.png"))
