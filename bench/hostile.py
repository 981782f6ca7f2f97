#!/usr/bin/env python3
"""Hostile load against `visage serve` on loopback (make hostile).

Starts the release binary on a loopback port with a fresh gallery and its default limits, then
runs three bounded cases one after the other, each while a prober asks GET /v1/health every
0.25 s and the server's resident memory is read from /proc every 0.5 s:

  slow-bodies   SLOW_UPLOADS connections (spread over KEYS read keys) each announce a 19 MB upload
                and trickle 1 kB a second
  idle          IDLE_CONNECTIONS connections opened as fast as the client can, each sending half a
                request head and then nothing
  large-bodies  LARGE_UPLOADS clients each send a 19 MB body as fast as loopback allows, writing
                the whole body before reading (as urllib does)

Every connection goes to 127.0.0.1 only; every loop is bounded in count and time. Prints one
JSON line per case and exits 1 when a bound is broken: memory over MEMORY_CAP_MB, a health
probe slower than 1 s or unanswered, or a response other than the documented refusals.
"""
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
BIN = os.environ.get("BIN", ".build/release/visage")
PORT = int(os.environ.get("PORT", "18282"))
SLOW_UPLOADS = int(os.environ.get("SLOW_UPLOADS", "1000"))
IDLE_CONNECTIONS = int(os.environ.get("IDLE_CONNECTIONS", "20000"))
LARGE_UPLOADS = int(os.environ.get("LARGE_UPLOADS", "100"))
KEYS = int(os.environ.get("KEYS", "8"))
CASE_SECONDS = float(os.environ.get("CASE_SECONDS", "30"))
CASES = os.environ.get("CASES", "slow-bodies,idle,large-bodies").split(",")
MEMORY_CAP_MB = float(os.environ.get("MEMORY_CAP_MB", "2048"))
BODY = 19 * 1024 * 1024


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def probe_health(stop, latencies, failures):
    """GET /v1/health every 0.25 s on a new connection; records latency or failure."""
    while not stop.is_set():
        start = time.monotonic()
        phase = "connect"
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), 1.0)
            phase = "answer"
            writer.write(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            line = await asyncio.wait_for(reader.readline(), max(0.01, 1.0 - (time.monotonic() - start)))
            writer.close()
            if not line.startswith(b"HTTP/1.1 200"):
                failures.append(line.decode(errors="replace").strip() or "no status line")
            else:
                latencies.append(time.monotonic() - start)
        except (OSError, asyncio.TimeoutError) as error:
            failures.append(f"{type(error).__name__} waiting for the {phase} after {time.monotonic() - start:.2f} s")
        await asyncio.sleep(0.25)


async def watch_memory(pid, stop, samples):
    while not stop.is_set():
        samples.append((round(time.monotonic(), 2), round(rss_mb(pid), 1)))
        await asyncio.sleep(0.5)


def status_of(first_line):
    parts = first_line.split()
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else None


async def slow_upload(key, statuses, deadline):
    """Announces a 19 MB body and trickles it; records the status the server answered, if any."""
    try:
        reader, writer = await asyncio.open_connection(HOST, PORT)
    except OSError:
        statuses["connect_failed"] = statuses.get("connect_failed", 0) + 1
        return
    writer.write(f"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                 f"Content-Type: image/jpeg\r\nContent-Length: {BODY}\r\n\r\n".encode())
    answer = None
    try:
        while time.monotonic() < deadline and answer is None:
            writer.write(b"\xff" * 1024)
            await writer.drain()
            try:
                line = await asyncio.wait_for(reader.readline(), 1.0)
                answer = status_of(line) if line else "closed"
            except asyncio.TimeoutError:
                pass
    except OSError:
        answer = "reset"
    writer.close()
    label = str(answer) if answer is not None else "still_sending"
    statuses[label] = statuses.get(label, 0) + 1


async def idle_connections(count, statuses, deadline):
    """Opens `count` connections, each with half a request head, as fast as it can; keeps them."""
    held = []
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            writer.write(b"GET /v1/health HTTP/1.1\r\nHo")
            held.append(writer)
            statuses["opened"] = statuses.get("opened", 0) + 1
        except OSError as error:
            statuses[type(error).__name__] = statuses.get(type(error).__name__, 0) + 1
    await asyncio.sleep(max(0, deadline - time.monotonic()))
    for writer in held:
        writer.close()


def idle_worker(count, deadline_in, results):
    """One process's share of the idle connections (a process may hold only so many files)."""
    statuses = {}
    deadline = time.monotonic() + deadline_in
    asyncio.run(idle_connections(count, statuses, deadline))
    results.put(statuses)


async def idle_in_processes(count, statuses, deadline):
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    per_process = max(1, soft - 256)
    workers = (count + per_process - 1) // per_process
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=idle_worker, args=(min(per_process, count - i * per_process), deadline - time.monotonic(), results))
                 for i in range(workers)]
    for process in processes:
        process.start()
    while any(process.is_alive() for process in processes):
        await asyncio.sleep(0.2)
    for _ in processes:
        for key, value in results.get(timeout=5).items():
            statuses[key] = statuses.get(key, 0) + value


async def large_upload(key, statuses):
    """Writes a whole 19 MB body before reading the answer."""
    try:
        reader, writer = await asyncio.open_connection(HOST, PORT)
        writer.write(f"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                     f"Content-Type: image/jpeg\r\nContent-Length: {BODY}\r\n\r\n".encode())
        chunk = b"\xff" * (1024 * 1024)
        for _ in range(BODY // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        writer.write(b"\xff" * (BODY % len(chunk)))
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 30)
        label = str(status_of(line)) if line else "closed"
        writer.close()
    except (OSError, asyncio.TimeoutError) as error:
        label = type(error).__name__
    statuses[label] = statuses.get(label, 0) + 1


async def run_case(name, pid, attack, health_bound=True):
    stop = asyncio.Event()
    latencies, failures, memory, statuses = [], [], [], {}
    watchers = [asyncio.create_task(probe_health(stop, latencies, failures)),
                asyncio.create_task(watch_memory(pid, stop, memory))]
    start = time.monotonic()
    await attack(statuses, start + CASE_SECONDS)
    await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*watchers)
    latencies.sort()
    result = {
        "case": name,
        "seconds": round(time.monotonic() - start, 1),
        "responses": statuses,
        "health_probes": len(latencies) + len(failures),
        "health_failures": failures[:5],
        "health_failure_count": len(failures),
        "health_latency_ms": {"p50": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
                              "max": round(1000 * latencies[-1], 1) if latencies else None},
        "rss_mb": {"start": memory[0][1] if memory else None, "max": max(m for _, m in memory) if memory else None,
                   "end": memory[-1][1] if memory else None},
        "rss_timeline_mb": [m for _, m in memory[::4]],
    }
    problems = []
    if result["rss_mb"]["max"] and result["rss_mb"]["max"] > MEMORY_CAP_MB:
        problems.append(f"memory {result['rss_mb']['max']} MB over the {MEMORY_CAP_MB} MB bound")
    if health_bound and (failures or (latencies and latencies[-1] > 1.0)):
        problems.append("health did not always answer within 1 s")
    # 415: a body of 0xFF bytes read whole is refused as not an image.
    allowed = {"200", "408", "413", "415", "429", "503", "closed", "still_sending", "opened", "reset"}
    unexpected = {k: v for k, v in statuses.items() if k not in allowed}
    if unexpected:
        problems.append(f"unexpected outcomes {unexpected}")
    result["problems"] = problems
    print(json.dumps(result), flush=True)
    return not problems


async def main():
    # The idle connections are spread over as many client processes as the file limit asks.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp()
    # Several read keys, as several attackers (or one with several keys): each key's share and
    # the server's total are both exercised.
    keys = [os.urandom(16).hex() for _ in range(KEYS)]
    with open(f"{work}/keys", "w") as keys_file:
        for number, key in enumerate(keys):
            keys_file.write(f"read {key} hostile-{number}\n")
    log = open(f"{work}/serve.log", "w")
    server = subprocess.Popen([BIN, "serve", "--gallery", f"{work}/hostile.gallery", "--keys", f"{work}/keys",
                               "--port", str(PORT)], stderr=log)
    try:
        for _ in range(150):
            try:
                with socket.create_connection((HOST, PORT), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        ok = True

        async def slow(statuses, deadline):
            await asyncio.gather(*(slow_upload(keys[i % KEYS], statuses, deadline) for i in range(SLOW_UPLOADS)))
        if "slow-bodies" in CASES:
            ok &= await run_case("slow-bodies", server.pid, slow)

        async def idle(statuses, deadline):
            await idle_in_processes(IDLE_CONNECTIONS, statuses, deadline)
        if "idle" in CASES:
            ok &= await run_case("idle", server.pid, idle)

        async def large(statuses, deadline):
            await asyncio.gather(*(large_upload(keys[i % KEYS], statuses) for i in range(LARGE_UPLOADS)))
        # Gigabytes pushed through loopback as fast as two shared cores move them: the memory
        # bound holds; health latency is reported, not bounded (the goals are the two above).
        if "large-bodies" in CASES:
            ok &= await run_case("large-bodies", server.pid, large, health_bound=False)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors = sum(1 for line in open(f"{work}/serve.log") if " error " in line)
    print(json.dumps({"server_log_error_lines": errors}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
