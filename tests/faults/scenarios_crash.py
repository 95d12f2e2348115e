"""Fault scenarios where something dies or stalls: the hub, a console, the hub's database.

Each function runs one scenario in `workdir` with the given sizes, asserts the oracle
("every console's state equals the hub's, each command applied once, nothing accepted lost")
and returns its figures. The tests call them with quick sizes, benchmarks/faults.py with long.
Sleeps here are the faults themselves (a hub kept down, traffic flowing for a while), never a
wait for a condition.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from consoles import ChildConsole, Console
from harness import (
    Commander,
    DbLock,
    FaultHub,
    PublishedLog,
    Pusher,
    ReportStream,
    report,
    wait_published,
)
from oracle import command_problems, converge, lost_problems, read_hub_db

from app.embedded import free_base_port
from support import SimulatorProcess, wait_until


def _hub(stack: ExitStack, workdir: Path, *args: str) -> FaultHub:
    hub = FaultHub(free_base_port(), workdir / "hub.db", args=args)
    stack.callback(hub.close)
    return hub


def _console(stack: ExitStack, hub: FaultHub, workdir: Path, name: str) -> Console:
    console = Console(hub.ports, workdir / f"{name}-cache.db", name).start()
    stack.callback(console.close)
    return console


def _seed(hub: FaultHub, published: PublishedLog, prefix: str, count: int) -> list[str]:
    pusher = Pusher(hub.ports)
    pusher.send(*(report(prefix, n) for n in range(count)))
    pusher.close()
    ids = [f"{prefix}-{n}" for n in range(count)]
    wait_published(published, ids)
    return ids


def hub_kill_restart(workdir: Path, *, rate: float = 200.0, stream_s: float = 6.0, down_s: float = 0.5) -> dict:
    """1. The hub is SIGKILLed mid-stream and restarted on the same database (a new epoch)."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        first_epoch = hub.start_ready()
        published = PublishedLog(hub.ports).start()
        stack.callback(published.halt)
        consoles = [_console(stack, hub, workdir, name) for name in ("alpha", "bravo")]
        wait_until(lambda: all(c.live for c in consoles), 20, message="consoles never went live")
        sim = SimulatorProcess(
            hub.ports,
            "--rate",
            str(rate),
            "--duration",
            str(stream_s),
            "--seed",
            "5",
            "--aq-interval",
            "1",
            "--camera-status-every",
            "0.5",
        )
        stack.callback(sim.stop)
        wait_until(lambda: published.updates >= rate, 20, message="no stream before the kill")
        hub.kill()
        time.sleep(down_s)
        restarted = time.monotonic()
        epoch = hub.start_ready()
        assert epoch != first_epoch, "a restarted hub must announce a new epoch"
        wait_until(
            lambda: all(c.live and c.epoch == epoch for c in consoles),
            30,
            message=f"consoles did not resync to epoch {epoch}",
        )
        resync_s = time.monotonic() - restarted
        wait_until(lambda: sim.proc.poll() is not None, stream_s + 60, message="simulator did not finish")
        converge_s = converge(hub, consoles, 60)
        truth = read_hub_db(hub.db_path)
        problems = lost_problems(published, truth)
        assert not problems, problems
        return {
            "resync_s": resync_s,
            "converge_s": converge_s,
            "incidents": len(truth.incidents),
            "published": published.updates,
            "epochs": len(published.epochs),
        }


def _traffic(
    stack: ExitStack,
    workdir: Path,
    seed_prefix: str,
    seeds: int,
    flow_prefix: str,
    report_rate: float,
    command_interval: float,
):
    """A hub with a console, `seeds` incidents, then reports and note commands flowing."""
    hub = _hub(stack, workdir)
    hub.start_ready()
    published = PublishedLog(hub.ports).start()
    stack.callback(published.halt)
    console = _console(stack, hub, workdir, "alpha")
    seeded = _seed(hub, published, seed_prefix, seeds)
    stream = ReportStream(hub.ports, flow_prefix, report_rate)
    stream.start()
    stack.callback(stream.halt)
    commander = Commander(console.session, seeded, command_interval)
    commander.start()
    stack.callback(commander.halt)
    return hub, published, console, stream, commander


def hub_kill_loop(
    workdir: Path, *, kills: int = 5, up_s: float = 0.5, report_rate: float = 150.0, command_interval: float = 0.1
) -> dict:
    """2. The hub is SIGKILLed every `up_s` seconds while reports and commands flow."""
    with ExitStack() as stack:
        hub, published, console, stream, commander = _traffic(
            stack, workdir, "seed", 20, "flow", report_rate, command_interval
        )
        downtimes = []
        for _ in range(kills):
            time.sleep(up_s)
            hub.kill()
            down = time.monotonic()
            hub.start_ready()
            downtimes.append(time.monotonic() - down)
        time.sleep(up_s)
        commander.halt()
        stream.halt()
        issued = list(commander.issued)
        wait_until(
            lambda: set(issued) <= console.answers().keys(),
            60,
            message=f"not every command was answered: {len(set(issued) - console.answers().keys())} open",
        )
        converge_s = converge(hub, [console], 60)
        truth = read_hub_db(hub.db_path)
        answers = console.answers()
        per_cmd = Counter(r.cmd_id for r in console.probe.replies)
        assert all(per_cmd[c] == 1 for c in issued), "a command answered more than once"
        refused = {c: r.code for c, r in answers.items() if not r.ok}
        assert not refused, f"commands not answered ok: {refused}"
        problems = command_problems(truth, answers, must_apply=issued) + lost_problems(published, truth)
        assert not problems, problems
        return {
            "kills": kills,
            "commands": len(issued),
            "answered_ok": sum(r.ok for r in answers.values()),
            "answered_duplicate": sum(r.code == "duplicate" for r in answers.values()),
            "reports_sent": len(stream.sent_ids),
            "incidents": len(truth.incidents),
            "restart_s_max": max(downtimes),
            "converge_s": converge_s,
        }


def console_kill_after_commands(workdir: Path, *, count: int = 10) -> dict:
    """3. A console issues `count` commands with the hub down and is SIGKILLed at once; a new
    session on the same cache, with the hub back, must get every one applied once."""
    with ExitStack() as stack:
        hub = _hub(stack, workdir)
        hub.start_ready()
        published = PublishedLog(hub.ports).start()
        stack.callback(published.halt)
        target = _seed(hub, published, "desk", 1)[0]
        hub.kill()
        cache = workdir / "console-cache.db"
        child = ChildConsole(hub.ports, cache, "issue", "--incident", target, "--count", str(count))
        stack.callback(child.sigkill)
        issued = child.lines(count, 30)
        child.sigkill()
        assert len(issued) == count, f"the console issued {len(issued)} of {count} commands"
        hub.start_ready()
        console = _console(stack, hub, workdir, "console")
        started = time.monotonic()
        try:
            wait_until(lambda: set(issued) <= read_hub_db(hub.db_path).commands.keys(), 15)
        except AssertionError:
            applied = set(issued) & read_hub_db(hub.db_path).commands.keys()
            raise AssertionError(
                f"{count - len(applied)} of {count} commands issued before the console died were lost"
            ) from None
        applied_s = time.monotonic() - started
        converge_s = converge(hub, [console], 30)
        problems = command_problems(read_hub_db(hub.db_path), console.answers(), must_apply=issued)
        assert not problems, problems
        return {"commands": count, "applied_s": applied_s, "converge_s": converge_s}


def database_locked(
    workdir: Path, *, lock_s: float = 10.0, report_rate: float = 50.0, command_interval: float = 0.5
) -> dict:
    """4. Another process holds BEGIN EXCLUSIVE on the hub's database while traffic flows."""
    with ExitStack() as stack:
        hub, published, console, stream, commander = _traffic(
            stack, workdir, "lk-seed", 5, "lk", report_rate, command_interval
        )
        time.sleep(1.0)
        lock = DbLock(hub.db_path, lock_s)
        stack.callback(lock.close)
        exited_after = None
        locked_at = time.monotonic()
        while lock.proc.poll() is None:
            if exited_after is None and not hub.alive():
                exited_after = time.monotonic() - locked_at
            time.sleep(0.1)
        released = time.monotonic()
        time.sleep(2.0)
        commander.halt()
        stream.halt()
        assert exited_after is None and hub.alive(), (
            f"the hub exited {exited_after or 0:.1f} s into a {lock_s:.0f} s database lock:\n{hub.log_tail(8)}"
        )
        issued = list(commander.issued)
        wait_until(
            lambda: set(issued) <= console.answers().keys(),
            30,
            message="commands given during the lock were never answered",
        )
        sent = set(stream.sent_ids)
        try:
            wait_until(lambda: sent <= read_hub_db(hub.db_path).incidents.keys(), 20)
        except AssertionError:
            lost = sent - read_hub_db(hub.db_path).incidents.keys()
            raise AssertionError(f"{len(lost)} of {len(sent)} reports pushed to a running hub were lost") from None
        recovered_s = time.monotonic() - released
        converge_s = converge(hub, [console], 30)
        truth = read_hub_db(hub.db_path)
        answers = console.answers()
        problems = command_problems(truth, answers) + lost_problems(published, truth)
        assert not problems, problems
        return {
            "lock_s": lock_s,
            "reports": len(sent),
            "commands": len(issued),
            "refused": sum(not r.ok for r in answers.values()),
            "recovered_s": recovered_s,
            "converge_s": converge_s,
        }
