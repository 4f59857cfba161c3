"""Benchmarks of etcd3 against raw grpcio stubs (``python -m bench``)."""
