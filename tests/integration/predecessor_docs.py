"""The documented examples of python-etcd3 0.12.0 and etcd3-client 0.104.0, verbatim.

Each string is a Python block of a predecessor's documentation, exactly as printed there (only
the reStructuredText indentation removed), so ``test_predecessor_examples.py`` runs what those
users were shown. Both projects are Apache-2.0 licensed: python-etcd3 (c) Louis Taylor and its
contributors; etcd3-client (c) GoodData Inc. and the etcd3 authors.
"""

from __future__ import annotations

PYTHON_ETCD3_README = """\
import etcd3

etcd = etcd3.client()

etcd.get('foo')
etcd.put('bar', 'doot')
etcd.delete('bar')

# locks
lock = etcd.lock('thing')
lock.acquire()
# do something
lock.release()

with etcd.lock('doot-machine') as lock:
    # do something

# transactions
etcd.transaction(
    compare=[
        etcd.transactions.value('/doot/testing') == 'doot',
        etcd.transactions.version('/doot/testing') > 0,
    ],
    success=[
        etcd.transactions.put('/doot/testing', 'success'),
    ],
    failure=[
        etcd.transactions.put('/doot/testing', 'failure'),
    ]
)

# watch key
watch_count = 0
events_iterator, cancel = etcd.watch("/doot/watch")
for event in events_iterator:
    print(event)
    watch_count += 1
    if watch_count > 10:
        cancel()

# watch prefix
watch_count = 0
events_iterator, cancel = etcd.watch_prefix("/doot/watch/prefix/")
for event in events_iterator:
    print(event)
    watch_count += 1
    if watch_count > 10:
        cancel()

# recieve watch events via callback function
def watch_callback(event):
    print(event)

watch_id = etcd.add_watch_callback("/anotherkey", watch_callback)

# cancel watch
etcd.cancel_watch(watch_id)

# recieve watch events for a prefix via callback function
def watch_callback(event):
    print(event)

watch_id = etcd.add_watch_prefix_callback("/doot/watch/prefix/", watch_callback)

# cancel watch
etcd.cancel_watch(watch_id)
"""
"""python-etcd3 0.12.0, ``README.rst``, "Basic usage"."""

PYTHON_ETCD3_USAGE = [
    """\
import etcd3
""",
    """\
etcd = etcd3.client()
""",
    """\
etcd = etcd3.client(host='etcd-host-01', port=2379)
""",
    """\
etcd = etcd3.client(grpc_options={
                        'grpc.http2.true_binary': 1,
                        'grpc.http2.max_pings_without_data': 0,
                    }.items())
""",
    """\
etcd.put('/key', 'dooot')
""",
]
"""python-etcd3 0.12.0, ``docs/usage.rst``, its blocks in page order."""

ETCD3_CLIENT_GETTING_STARTED = {
    "connect": """\
import etcd3

etcd = etcd3.client(host="localhost", port=2379)
""",
    "connect-tls": """\
etcd = etcd3.client(
    host="etcd.example.com", port=2379,
    ca_cert="/etc/etcd/ca.crt",
    cert_cert="/etc/etcd/client.crt",
    cert_key="/etc/etcd/client.key",
)
""",
    "connect-auth": """\
etcd = etcd3.client(host="localhost", port=2379, user="root", password="hunter2")
""",
    "timeout-override": """\
with etcd3.client(timeout=2) as etcd:
    etcd.get("/some/key", timeout_override=10)
""",
    "range-end-for-key": """\
from etcd3 import range_end_for_key

prefix = b"users/"
end = range_end_for_key(prefix)   # all keys with prefix "users/" lie in [prefix, end)
""",
    "get": """\
value, meta = etcd.get("/config/feature_x")
if value is None:
    ...  # not set
else:
    print(value, meta.mod_revision)
""",
    "get-strict": """\
value, meta = etcd.get_strict("/config/feature_x")
""",
    "get-prefix": """\
for value, meta in etcd.get_prefix("/users/"):
    print(meta.key, value)
""",
    "get-range": """\
for value, meta in etcd.get_range(b"a", b"m"):
    ...
""",
    "get-prefix-paged": """\
for value, meta in etcd.get_prefix_paged("/big/keyspace/", page_size=1000):
    process(value)
""",
    "get-options": """\
# only the keys, no values (cheaper to transfer)
keys = [meta.key for _, meta in etcd.get_prefix("/users/", keys_only=True)]

# descending sort
for v, m in etcd.get_prefix("/events/", sort_order="desc"):
    ...

# read at a specific historical revision
for v, m in etcd.get_prefix("/users/", revision=12345):
    ...
""",
    "put": """\
resp = etcd.put("/config/feature_x", b"on")
print(resp.header.revision)
""",
    "put-if-not-exists": """\
created, resp = etcd.put_if_not_exists("/locks/job-42", b"owner=worker-1")
if created:
    ...  # we got the lock
""",
    "replace": """\
swapped, resp = etcd.replace("/state", b"old", b"new")
""",
    "delete": """\
deleted, resp = etcd.delete("/locks/job-42")
""",
    "delete-prefix": """\
resp = etcd.delete_prefix("/sessions/")
print(resp.deleted)   # how many keys went away
""",
    "delete-range": """\
resp = etcd.delete_range(b"a", b"m")
""",
    "watch-response": """\
responses, cancel = etcd.watch_response("/config/feature_x", start_revision=last_seen)

try:
    for resp in responses:
        for event in resp:
            print(event.key, event.value)   # PutEvent or DeleteEvent
        # track the high watermark for resume across reconnects
        last_seen = resp.max_mod_revision
finally:
    cancel()
""",
    "watch-prefix-response": """\
responses, cancel = etcd.watch_prefix_response("/users/")
for resp in responses:
    for event in resp:
        ...
""",
    "txn-put-if-absent": """\
from etcd3 import TransactionBuilder

tx = TransactionBuilder.new()
tx.compare("/locks/job-42").create.eq(0)
tx.success.put("/locks/job-42", b"owner=worker-1")

response = etcd.txn(tx)
if response.success:
    put_response = response.as_put(0)   # PutResponse for the success op at index 0
    print("acquired at revision", put_response.header.revision)
else:
    print("already held")
""",
    "txn-cas-fallback": """\
tx = TransactionBuilder.new()
tx.compare("/state").value.eq(b"old")
tx.success.put("/state", b"new")
tx.failure.get("/state")

response = etcd.txn(tx)

if response.success:
    print("swapped at", response.as_put(0).header.revision)
else:
    current = response.as_get(0)        # list of (value, meta)
    print("current value is", current[0][0])
""",
    "txn-several-ops": """\
tx = TransactionBuilder.new()
tx.compare("/state").value.eq(b"old")
tx.success.delete("/old-key")
tx.success.put("/new-key", b"new")
tx.success.get("/some-other-key")

response = etcd.txn(tx)
assert response.success

del_resp = response.as_del(0)
put_resp = response.as_put(1)
get_resp = response.as_get(2)

print(del_resp.deleted, put_resp.header.revision, len(get_resp))
""",
    "lease": """\
lease = etcd.lease(ttl=60)
etcd.put("/sessions/abc", b"...", lease=lease)

# ... later ...
lease.revoke()
# /sessions/abc is now gone
""",
    "lease-refresh": """\
lease.refresh()
""",
}
"""etcd3-client 0.104.0, ``docs/getting-started.md`` (the tour its README points to), in order."""
