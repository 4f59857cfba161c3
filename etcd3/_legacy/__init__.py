"""What code written for python-etcd3 0.12 and etcd3-client 0.104 needs beyond the core API.

The predecessors' public modules (``etcd3.base``, ``etcd3.client``, ``etcd3.events``,
``etcd3.exceptions``, ``etcd3.leases``, ``etcd3.locks``, ``etcd3.members``,
``etcd3.request_factory``, ``etcd3.transactions``, ``etcd3.transactions2``, ``etcd3.utils``,
``etcd3.watch``) are thin modules of re-exports: each lists the names it holds and which
predecessor had them there. Most are names of the core API under their old path; the few
helpers the core API has no use for are implemented here, on top of the core, one module per
job:

- ``etcd3._legacy.utils``: ``increment_last_byte``, ``lease_to_id``,
  ``response_to_event_iterator`` (python-etcd3) and ``get_secure_creds`` (etcd3-client);
- ``etcd3._legacy.events``: ``new_event`` (python-etcd3);
- ``etcd3._legacy.credentials``: ``EtcdTokenCallCredentials`` (python-etcd3);
- ``etcd3._legacy.request_factory``: etcd3-client's request builders and its literal types;
- ``etcd3._legacy.watch``: ``Watcher`` (both) and ``Watch`` (python-etcd3).

Nothing in the core imports this package.
"""
