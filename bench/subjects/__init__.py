"""The implementations under test, each a ``bench.harness.Subject`` (stdlib only here).

The registry names each subject's module without importing it: a worker imports only its own
(a peer's venv has neither our client nor the other peers).
"""

SUBJECTS: dict[str, str] = {
    "raw": "bench.subjects.raw:Raw",
    "raw_wire": "bench.subjects.raw:RawWire",
    "raw_views": "bench.subjects.raw:RawViews",
    "ours": "bench.subjects.ours:Ours",
    "ours_lean": "bench.subjects.ours:OursLean",
    "etcd3-client": "bench.subjects.compat_peer:Etcd3Client",
    "python-etcd3": "bench.subjects.compat_peer:PythonEtcd3",
    "aetcd": "bench.subjects.aetcd_peer:Aetcd",
    "etcd3aio": "bench.subjects.etcd3aio_peer:Etcd3aio",
    "etcd-client-py": "bench.subjects.etcd_client_py_peer:EtcdClientPy",
}
