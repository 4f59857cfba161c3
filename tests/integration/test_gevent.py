"""The sync client under gevent, set up as docs/guide/installation.md says, against real etcd.

gevent's monkey-patching changes the whole process, so the program runs in a child process:
the page's gevent block (pointed at the test's server), then greenlets that write, watch
through a callback and an iterator, keep a lease alive past its TTL and take a lock, then a
clean close. The page says all of this works; this test is what says so.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etcd3.testing import EtcdServer

PAGE = Path(__file__).resolve().parent.parent.parent / "docs" / "guide" / "installation.md"

_SCENARIO = textwrap.dedent(
    """
    import gevent

    with etcd3.client(HOST, PORT, timeout=5) as client:
        seen = []
        watch_id = client.add_watch_prefix_callback(
            "/gevent/many/", lambda response: seen.extend(e.key for e in response.events)
        )
        writers = [gevent.spawn(client.put, f"/gevent/many/{n:02}", str(n)) for n in range(20)]
        gevent.joinall(writers, raise_error=True)
        deadline = time.monotonic() + 5
        while len(seen) < 20 and time.monotonic() < deadline:
            gevent.sleep(0.05)
        client.cancel_watch(watch_id)
        print("callback events:", len(seen))

        lease = client.lease(2, keep_alive=True)
        client.put("/gevent/leased", "x", lease=lease)
        time.sleep(3.5)  # gevent's sleep now: the keep-alive greenlet runs meanwhile
        print("leased key after its TTL:", client.get("/gevent/leased")[0])
        lease.revoke()

        events, cancel = client.watch("/gevent/iterated")
        gevent.spawn_later(0.2, client.put, "/gevent/iterated", "v")
        print("iterator event:", next(iter(events)).value)
        cancel()

        with client.lock("gevent", ttl=5) as lock:
            print("lock held:", lock.is_acquired())
    print("closed")
    """
)


def gevent_block() -> str:
    """The page's gevent set-up block (the one that calls ``monkey.patch_all()``)."""
    blocks: list[str] = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    (block,) = [block for block in blocks if "monkey.patch_all()" in block]
    return block


@pytest.mark.slow
def test_the_sync_client_works_under_gevent_as_documented(etcd_server: EtcdServer) -> None:
    block = gevent_block()
    assert block.count('"127.0.0.1", 2379') == 1
    here = f'"{etcd_server.host}", {etcd_server.port}'
    scenario = _SCENARIO.replace("HOST, PORT", here)
    program = block.replace('"127.0.0.1", 2379', here) + "\nimport time\n" + scenario
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "callback events: 20",
        "leased key after its TTL: b'x'",
        "iterator event: b'v'",
        "lock held: True",
        "closed",
    ]
