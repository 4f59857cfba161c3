"""A consumer of the watch API, type-checked with mypy --strict (never run).

``tests/typing/test_reveal_types.py`` checks each expected-type comment against mypy's output.
"""

from __future__ import annotations

from typing_extensions import reveal_type

import etcd3
from etcd3._events import Event, WatchResponse
from etcd3.rpc.etcdserverpb import FilterType


def on_response(item: WatchResponse | Exception) -> None:
    pass


async def on_response_async(item: WatchResponse | Exception) -> None:
    pass


def sync_consumer(client: etcd3.Etcd3Client) -> None:
    reveal_type(client.add_watch_callback(b"k", on_response, filters=["noput"]))  # R: int
    reveal_type(client.add_watch_prefix_callback("p", on_response, prev_kv=True))  # R: int
    reveal_type(client.cancel_watch(1))  # R: None
    events, cancel = client.watch(b"k", filters=[FilterType.NODELETE])
    reveal_type(events)  # R: etcd3._watch.WatchHandle
    reveal_type(events.state.connected)  # R: bool
    reveal_type(cancel)  # R: def ()
    responses, _ = client.watch_prefix_response(b"p", start_revision=3, fragment=True)
    reveal_type(responses)  # R: typing.Iterator[etcd3._events.WatchResponse]
    reveal_type(client.watch_response(b"k")[0])  # R: typing.Iterator[etcd3._events.WatchResponse]
    reveal_type(client.watch_prefix(b"p")[0])  # R: etcd3._watch.WatchHandle
    reveal_type(client.watch_once(b"k", timeout=1))  # R: list[etcd3._events.Event]
    reveal_type(client.watch_prefix_once(b"p", 1))  # R: list[etcd3._events.Event]
    response = client.watch_once_response(b"k", timeout=1.5)
    reveal_type(response)  # R: etcd3._events.WatchResponse
    reveal_type(client.watch_prefix_once_response(b"p"))  # R: etcd3._events.WatchResponse
    reveal_type(response.event_counts)  # R: tuple[int, int]
    reveal_type(response.max_mod_revision)  # R: int | None
    reveal_type(response.header.revision)  # R: int
    reveal_type(response.fragment)  # R: bool
    reveal_type(response.events)  # R: list[etcd3._events.Event]
    reveal_type(response[-1])  # R: etcd3._events.PutEvent | etcd3._events.DeleteEvent
    reveal_type(len(response))  # R: int
    reveal_type(response.watch_response)  # R: etcd3.rpc.etcdserverpb.WatchResponse
    reveal_type(next(iter(response)))  # R: etcd3._events.PutEvent | etcd3._events.DeleteEvent
    reveal_type(next(events))  # R: etcd3._events.PutEvent | etcd3._events.DeleteEvent
    event = response[0]
    reveal_type(Event.create_event(event.event, event.header))  # R: etcd3._events.PutEvent | etcd3._events.DeleteEvent
    reveal_type(event.key)  # R: bytes
    reveal_type(event.value)  # R: bytes
    reveal_type(event.prev_value)  # R: bytes
    reveal_type(event.mod_revision)  # R: int
    reveal_type(event.prev_lease)  # R: int
    reveal_type(event.kv_meta)  # R: etcd3._views.KVMetadata
    reveal_type(event.prev_kv_meta.mod_revision)  # R: int
    reveal_type(event.event)  # R: etcd3.rpc.mvccpb.Event
    client.request_progress()


async def async_consumer(client: etcd3.AsyncEtcd3Client) -> None:
    reveal_type(await client.add_watch_callback(b"k", on_response_async))  # R: int
    reveal_type(await client.add_watch_prefix_callback(b"p", on_response))  # R: int
    reveal_type(await client.cancel_watch(1))  # R: None
    events, cancel = await client.watch(b"k", timeout_override=2)
    reveal_type(events)  # R: etcd3._watch_async.AsyncWatchHandle
    reveal_type(events.state.connected)  # R: bool
    reveal_type(cancel)  # R: def () -> typing.Awaitable[None]
    reveal_type((await client.watch_response(b"k"))[0])  # R: typing.AsyncIterator[etcd3._events.WatchResponse]
    reveal_type((await client.watch_prefix(b"p"))[0])  # R: etcd3._watch_async.AsyncWatchHandle
    reveal_type((await client.watch_prefix_response(b"p"))[0])  # R: typing.AsyncIterator[etcd3._events.WatchResponse]
    reveal_type(await client.watch_once(b"k", 1))  # R: list[etcd3._events.Event]
    reveal_type(await client.watch_prefix_once(b"p"))  # R: list[etcd3._events.Event]
    reveal_type(await client.watch_once_response(b"k"))  # R: etcd3._events.WatchResponse
    reveal_type(await client.watch_prefix_once_response(b"p"))  # R: etcd3._events.WatchResponse
    async for event in events:
        reveal_type(event)  # R: etcd3._events.PutEvent | etcd3._events.DeleteEvent
        reveal_type(event.mod_revision)  # R: int
    await cancel()
    await client.request_progress()
