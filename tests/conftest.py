"""Shared test configuration.

The etcd fixtures (``etcd_server``, ``etcd_tls_server``, ``etcd_auth_server``, ``etcd_cluster``,
``etcd_factory``) come from :mod:`etcd3.testing.plugin`, registered through the package's
``pytest11`` entry point, so nothing needs to be imported here.
"""
