"""A sign-in flood: N parallel wrong passwords for one login from one
address (X-Forwarded-For through a trusted proxy), while the server's
resident memory is sampled; then the account's owner signs in from another
address. Prints the answers by status, the slowest answer, the peak memory
and the owner's result. Standard library only.

Usage: python3 bench/signin-flood.py BASE_URL PID [N]
"""
import asyncio
import json
import sys
import time

BASE, PID = sys.argv[1], int(sys.argv[2])
N = int(sys.argv[3]) if len(sys.argv) > 3 else 500
HOST, PORT = BASE.split("//")[1].split(":")[0], int(BASE.rsplit(":", 1)[1])


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def login(password, address):
    body = json.dumps({"login": "admin", "password": password}).encode()
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(
        (
            f"POST /api/v1/login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"X-Forwarded-For: {address}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    return int(status_line.split()[1]), time.monotonic() - started


async def sample(peak, stop):
    while not stop.is_set():
        peak[0] = max(peak[0], rss_kib())
        await asyncio.sleep(0.01)


async def main():
    before = rss_kib()
    peak, stop = [before], asyncio.Event()
    sampler = asyncio.create_task(sample(peak, stop))
    started = time.monotonic()
    results = await asyncio.gather(*(login("wrong guess", "6.6.6.6") for _ in range(N)))
    took = time.monotonic() - started
    stop.set()
    await sampler
    counts = {}
    for status, _ in results:
        counts[status] = counts.get(status, 0) + 1
    slowest = max(t for _, t in results)
    print(f"{N} parallel wrong passwords in {took:.2f} s: answers {dict(sorted(counts.items()))}, "
          f"slowest {slowest * 1000:.0f} ms")
    print(f"resident memory: {before / 1024:.0f} MiB before, peak {peak[0] / 1024:.0f} MiB")
    status, t = await login("demo", "7.7.7.7")
    print(f"the owner from another address, after the flood: {status} in {t * 1000:.0f} ms")
    bad = [s for s, _ in results if s not in (401, 429)]
    if bad or slowest > 2 or peak[0] > 300 * 1024 or status != 200:
        print("NOT MET: every answer 401 or 429 within 2 s, peak under 300 MiB, owner 200")


asyncio.run(main())
