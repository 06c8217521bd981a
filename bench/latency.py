"""Message latency, throughput, memory and training time of the production profile.

The floor is a bare Rasa assistant: the one `rasa init` makes (the mood bot),
trained in a temporary folder and served by one `rasa run` with its defaults
(conversations in memory, no action server, no database, no lock store).

Ours is the production profile (tests/production.py): bot.server in front,
PostgreSQL for both stores, Redis for locks, the action server writing every
answer. Scripted people go through a whole review on the web chat endpoint (18
messages: hello, start, role, seven answers each with "no more to say", and
"no" to hearing back); on the floor they send 18 messages of the mood bot's
own kind. 1, 10 and 50 people at once. Every figure next to the floor's is
measured in the same run. Writes the "Conversations" section of
docs/benchmarks.md. `make bench-latency` runs it (about 10 minutes).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from bot.cli import service_env, stop_processes  # noqa: E402
from tests.e2e import free_port, wait_for  # noqa: E402
from tests.production import running_production, services_missing  # noqa: E402

SECTION = "## Conversations"
RASA = str(Path(sys.executable).parent / "rasa")
PARENT = '/inform{"role": "parent_carer"}'
OUR_SCRIPT = ["hello", "/start_review", PARENT, *["/affirm", "/skip_question"] * 7, "/deny"]
BARE_SCRIPT = [
    "hello", "I am great", "bye", "hi there", "very sad", "yes",
    "hey", "I am feeling good", "goodbye", "good morning", "unhappy", "no",
    "hello there", "amazing", "see you later", "hi", "sad", "yes it did",
]  # fmt: skip
LEVELS = (1, 10, 50)
# Conversations per person: each level sends at least 90 messages, and 10 people,
# the level the p95 target is set at, 360 (of 180, the p95 rests on the 9 slowest).
ROUNDS = {1: 5, 10: 2, 50: 1}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    family, total = {pid}, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in family:
            family.add(int(stat.parent.name))
    for member in family:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def our_person(
    base_url: str, number: int, rounds: int, times: list[float], errors: list[str], tag: int = 0
) -> None:
    # Each person has their own address, as families behind a reverse proxy do
    # (bot.server limits messages per address; uvicorn trusts the header from 127.0.0.1).
    address = {"x-forwarded-for": f"10.{tag}.{number // 250}.{number % 250 + 1}"}
    for _ in range(rounds):
        # A new client is a new browser: a new person with a new review.
        async with httpx.AsyncClient(base_url=base_url, timeout=180, headers=address) as client:
            replies: list[dict] = []
            for message in OUR_SCRIPT:
                body = {"payload": message} if message.startswith("/") else {"text": message}
                started = time.perf_counter()
                response = await client.post("/api/chat", json=body)
                times.append(time.perf_counter() - started)
                replies = response.json().get("messages", [])
                if response.status_code != 200 or not replies:
                    errors.append(f"{response.status_code} on {message}")
            if "That is the end" not in " ".join(r["text"] for r in replies):
                errors.append("a review did not reach its end")


async def bare_person(
    rasa_url: str, name: str, rounds: int, times: list[float], errors: list[str]
) -> None:
    async with httpx.AsyncClient(timeout=180) as client:
        for round_number in range(rounds):
            for message in BARE_SCRIPT:
                started = time.perf_counter()
                response = await client.post(
                    f"{rasa_url}/webhooks/rest/webhook",
                    json={"sender": f"{name}-{round_number}", "message": message},
                )
                times.append(time.perf_counter() - started)
                # The mood bot says nothing to some messages ("no" out of turn): not an error.
                if response.status_code != 200:
                    errors.append(f"{response.status_code} on {message}")


def load(person, people: int) -> dict:
    """Run ``people`` scripted people at once; latency percentiles and throughput."""
    times: list[float] = []
    errors: list[str] = []

    async def everyone() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(person(n, ROUNDS[people], times, errors) for n in range(people)))
        return time.perf_counter() - started

    wall = asyncio.run(everyone())
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "messages": len(times),
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "per_second": len(times) / wall,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def timed_run(command: list[str], cwd: Path, cache: Path) -> float:
    """Seconds ``command`` took, with Rasa's training cache in ``cache`` (empty: from nothing)."""
    env = service_env(dict(os.environ, RASA_CACHE_DIRECTORY=str(cache)))
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def measure_bare(folder: Path) -> dict:
    bare = folder / "bare"
    bare.mkdir()
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(bare)],
        cwd=folder, env=service_env(dict(os.environ)), check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.rmtree(bare / "models")
    seconds = timed_run(
        [RASA, "train", "--force", "--out", "models", "--fixed-model-name", "bare"],
        bare,
        folder / "bare-cache",
    )
    port = free_port()
    log = folder / "bare.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [RASA, "run", "--model", "models/bare.tar.gz", "--credentials", "credentials.yml",
             "--interface", "127.0.0.1", "--port", str(port)],
            cwd=bare, env=service_env(dict(os.environ)), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/webhooks/rest/", server, log, 420)
        result = {"train_seconds": seconds, "memory_loaded": rss_mb(server.pid), "levels": {}}
        for people in LEVELS:

            def person(n, rounds, times, errors, people=people):
                return bare_person(url, f"p{people}-{n}", rounds, times, errors)

            result["levels"][people] = load(person, people)
            print(f"bare, {people} at once: {result['levels'][people]}", flush=True)
        result["memory_after"] = rss_mb(server.pid)
        return result
    finally:
        stop_processes([server])


def measure_ours(folder: Path, rasa_servers: int, levels: tuple[int, ...]) -> dict:
    work = folder / f"ours{rasa_servers}"
    work.mkdir()
    with running_production(work, rasa_servers=rasa_servers, via_proxy=False) as production:
        rasa = [production.processes[f"rasa{n}"] for n in range(rasa_servers)]
        result = {"memory_loaded": max(rss_mb(p.pid) for p in rasa), "levels": {}}
        for people in levels:

            def person(n, rounds, times, errors, people=people):
                # Addresses new at each level: the per-address limit counts a minute.
                tag = people + 100 * rasa_servers
                return our_person(production.server_url, n, rounds, times, errors, tag % 256)

            result["levels"][people] = load(person, people)
            print(f"ours ({rasa_servers} Rasa), {people} at once: {result['levels'][people]}",
                  flush=True)  # fmt: skip
        result["memory_after"] = max(rss_mb(p.pid) for p in rasa)
        others = ("actions", "server")
        result["memory_others"] = {name: rss_mb(production.processes[name].pid) for name in others}
        return result


def train_ours(folder: Path) -> float:
    return timed_run(
        [RASA, "train", "-d", "domain.yml", "--data", "nlu_data", "--config", "config.yml",
         "--out", str(folder / "ours-model"), "--fixed-model-name", "timed", "--force"],
        ROOT,
        folder / "ours-cache",
    )  # fmt: skip


def _row(people: int, floor: dict, ours: dict) -> str:
    def vs(key: str) -> str:
        return f"{ours[key]:.0f} ({ours[key] / floor[key]:.2f}×)"

    return (
        f"| {people} | {vs('p50')} | {vs('p95')} | {vs('p99')} "
        f"| {ours['per_second']:.1f} ({ours['per_second'] / floor['per_second']:.2f}×) "
        f"| {ours['errors']} |"
    )


def section(bare: dict, ours: dict, ours2: dict, our_train: float) -> list[str]:
    lines = [
        SECTION + " (`make bench-latency`, bench/latency.py)",
        "",
        "Scripted people on this machine (2 cores, the load generator on the same",
        "cores). *Floor*: the `rasa init` mood bot on one `rasa run` (conversations in",
        "memory, no actions, no database). *Ours*: the production profile, the web chat",
        "endpoint of bot.server, PostgreSQL for both stores, Redis for locks, every",
        "answer written by the action server. Each person sends 18 messages a round",
        "(ours: a whole review; 5 rounds at 1 person, 2 at 10, 1 at 50) from their own",
        "address (bot.server limits each address).",
        "Milliseconds per message; in brackets, times the floor at the same number of",
        "people, measured in the same run.",
        "",
        "The floor:",
        "",
        "| people at once | messages | p50 | p95 | p99 | messages a second | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for people in LEVELS:
        f = bare["levels"][people]
        lines.append(
            f"| {people} | {f['messages']} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} "
            f"| {f['per_second']:.1f} | {f['errors']} |"
        )
    for title, result in (("one Rasa server", ours), ("two Rasa servers", ours2)):
        lines += [
            "",
            f"Ours, {title}:",
            "",
            "| people at once | p50 | p95 | p99 | messages a second | errors |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            _row(people, bare["levels"][people], result["levels"][people]) for people in LEVELS
        ]
    lines += [
        "",
        "| | floor | ours | ours ÷ floor |",
        "|---|---|---|---|",
        f"| Rasa server memory, loaded (MB) | {bare['memory_loaded']:.0f} "
        f"| {ours['memory_loaded']:.0f} | {ours['memory_loaded'] / bare['memory_loaded']:.2f} |",
        f"| Rasa server memory, after 50 at once (MB) | {bare['memory_after']:.0f} "
        f"| {ours['memory_after']:.0f} | {ours['memory_after'] / bare['memory_after']:.2f} |",
        f"| Training from nothing (empty cache, `rasa train --force`, s) "
        f"| {bare['train_seconds']:.0f} "
        f"| {our_train:.0f} | {our_train / bare['train_seconds']:.2f} |",
        "",
        f"Our other processes after the load: action server "
        f"{ours['memory_others']['actions']:.0f} MB, bot.server "
        f"{ours['memory_others']['server']:.0f} MB.",
        "",
        "NLU quality (5-fold cross-validation, intent macro-F1) is in",
        "[nlu-report.md](nlu-report.md) (`make cross-validate`).",
        "",
    ]
    return lines


def main() -> int:
    missing = services_missing()
    if missing:
        print(f"{' and '.join(missing)} cannot be reached: nothing measured.", file=sys.stderr)
        return 1
    with TemporaryDirectory() as name:
        folder = Path(name)
        bare = measure_bare(folder)
        ours = measure_ours(folder, 1, LEVELS)
        ours2 = measure_ours(folder, 2, LEVELS)
        our_train = train_ours(folder)
        print(f"training: floor {bare['train_seconds']:.0f} s, ours {our_train:.0f} s")
    write_section(SECTION, section(bare, ours, ours2, our_train))
    return 0


if __name__ == "__main__":
    sys.exit(main())
