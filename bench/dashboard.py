"""Dashboard benchmark: the web app's dashboard for a signed-in coordinator, demo region.

Starts the platform as `lotse up` runs it (one uvicorn process per service, the embedded
broker, the local mail sink for the funding service's mail), loads the demo region
through the API, signs in through the sign-in form as the demo coordinator, and then
asks, one request at a time and interleaved so both see the same machine:
`GET /dashboard` (six API calls in process, two of them forwarded to the services, the
page rendered) and the baseline `GET /api/v1/topics` with the same coordinator's key
through the same gateway (one request cycle, no service behind it). Reports p50/p99 of
both and their ratio, and the load average (other processes share the cores). With
`--screenshot PATH` it also saves a picture of the dashboard (Debian's chromium through
Playwright).
Usage: python -m bench.dashboard [--requests 400] [--screenshot docs/img/dashboard.png]
"""

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import time
from pathlib import Path

import httpx

from bench.platform import running_platform
from shared.cli.broker import free_port
from shared.cli.seed import seed_demo_region
from shared.cli.up import start_mailsink_process

ADMIN_KEY = "lotse_bench_admin_key_0123456789abcdef"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
DEGRADED = "Dieser Teil ist gerade nicht verfügbar"
PARTS = re.compile(r'<section class="[^"]*" id="([a-z]+)"(.*?)</section>', re.S)
DEMO_PROJECTS = 41
CHROMIUM = Path("/usr/bin/chromium")
SHOT_HEIGHT = 2050
"""The top of the dashboard for README: the figures, the region and the live list."""


def sign_in(client: httpx.Client, key: str) -> None:
    form = client.get("/sign-in")
    token = TOKEN.search(form.text)
    assert token, "the sign-in form carries a token"
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "key": key},
        headers={"Origin": str(client.base_url).rstrip("/")},
    )
    assert answer.status_code == 303, answer.text


def settled(client: httpx.Client, key: str) -> None:
    """Wait until the demo's projects are counted and their entries are in the feed."""
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = client.get("/api/v1/projects/counts", headers=headers).json()
        feed = client.get("/api/v1/feed", params={"limit": 1}, headers=headers).json()
        if counts.get("total", 0) >= DEMO_PROJECTS and feed.get("total", 0) >= DEMO_PROJECTS:
            return
        time.sleep(0.5)
    raise TimeoutError("the demo region did not settle")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(client: httpx.Client, key: str, requests: int, warmup: int) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"}
    page: list[float] = []
    baseline: list[float] = []
    degraded: dict[str, int] = {}
    for number in range(warmup + requests):
        started = time.perf_counter()
        answer = client.get("/api/v1/topics", headers=headers)
        took = time.perf_counter() - started
        assert answer.status_code == 200
        if number >= warmup:
            baseline.append(took)
        started = time.perf_counter()
        answer = client.get("/dashboard")
        took = time.perf_counter() - started
        assert answer.status_code == 200, answer.text
        if DEGRADED in answer.text:
            # A part left out (its call failed or timed out): counted, and named.
            for part in PARTS.findall(answer.text):
                if DEGRADED in part[1]:
                    degraded[part[0]] = degraded.get(part[0], 0) + 1
        if number >= warmup:
            page.append(took)

    def summary(samples: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(statistics.median(samples) * 1000, 2),
            "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
        }

    result: dict[str, object] = {"dashboard": summary(page), "baseline_topics": summary(baseline)}
    result["pages_with_a_part_left_out"] = degraded
    result["ratio_p50"] = round(statistics.median(page) / statistics.median(baseline), 1)
    result["ratio_p99"] = round(percentile(page, 0.99) / percentile(baseline, 0.99), 1)
    return result


def parts(client: httpx.Client, key: str, requests: int) -> dict[str, float]:
    """p50 in ms of each API call the page makes, alone, through the same gateway."""
    headers = {"Authorization": f"Bearer {key}"}
    calls: dict[str, tuple[str, dict[str, str | int]]] = {
        "municipalities": ("/api/v1/municipalities", {"limit": 500}),
        "projects/counts (projects service)": ("/api/v1/projects/counts", {}),
        "feed": ("/api/v1/feed", {"limit": 8}),
        "funding-calls (funding service)": (
            "/api/v1/funding-calls",
            {"status": "open", "deadline_from": "2000-01-01T00:00:00Z", "limit": 200},
        ),
        "feed of match.found": ("/api/v1/feed", {"type": "de.lotse.match.found.v1", "limit": 5}),
    }
    took: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(requests):
        for name, (path, params) in calls.items():
            started = time.perf_counter()
            answer = client.get(path, params=params, headers=headers)
            took[name].append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
    return {name: round(statistics.median(samples) * 1000, 2) for name, samples in took.items()}


async def screenshot(url: str, key: str, path: Path) -> None:
    from playwright.async_api import async_playwright  # only when asked for a picture

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = await browser.new_context(
            base_url=url, locale="de-DE", viewport={"width": 1000, "height": 900}
        )
        tab = await context.new_page()  # the top of the page: figures, picture, live list
        await tab.goto("/sign-in")
        await tab.get_by_label("API-Schlüssel").fill(key)
        await tab.get_by_role("button", name="Anmelden").click()
        await tab.wait_for_url("**/dashboard")
        path.parent.mkdir(parents=True, exist_ok=True)
        await tab.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1000, "height": SHOT_HEIGHT},
        )
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    mail_port = free_port()
    sink: list[subprocess.Popen[bytes]] = []

    def start_sink(data: Path) -> None:
        sink.append(start_mailsink_process(data, mail_port, dict(os.environ)))

    try:
        with running_platform({"LOTSE_MAILSINK_PORT": str(mail_port)}, prepare=start_sink) as lotse:
            # The seed follows the subscriptions' confirmation links only when mail goes to
            # the sink; its links name the public URL of `lotse up` (port 8000), not this
            # run's. The dashboard shows no subscription, so they stay unconfirmed here:
            # set for this process only, after the services started with the sink.
            os.environ["LOTSE_SMTP_HOST"] = "127.0.0.1"
            keys = seed_demo_region(lotse.gateway, ADMIN_KEY, lotse.data)
            coordinator = keys["coordinator key"]
            with httpx.Client(base_url=lotse.gateway, timeout=30) as client:
                settled(client, coordinator)
                sign_in(client, coordinator)
                load_before = os.getloadavg()
                result = measure(client, coordinator, args.requests, args.warmup)
                load_after = os.getloadavg()
                result["api_calls_alone_p50_ms"] = parts(client, coordinator, args.requests // 4)
            if args.screenshot:
                asyncio.run(screenshot(lotse.gateway, coordinator, args.screenshot))
    finally:
        for process in sink:
            process.terminate()
            process.wait(10)
    result |= {
        "requests": args.requests,
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
