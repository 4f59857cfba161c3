__version__ = "0.1.0"
"""This release of etcd3 (PEP 440); the changelog says what each release changed."""
