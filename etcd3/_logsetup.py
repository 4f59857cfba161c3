"""The library's logging setup, done once per process when this module is first imported.

A library logs, the application decides what is shown: every record of etcd3 goes to a logger
under ``"etcd3"``, and a ``NullHandler`` on ``"etcd3"`` keeps Python's last-resort handler from
printing WARNING records (e.g. a lost lease) to stderr when the application configured nothing.
Importing it is how a module makes sure of that before it logs.
"""

import logging

logging.getLogger("etcd3").addHandler(logging.NullHandler())
