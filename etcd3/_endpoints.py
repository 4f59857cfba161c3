"""Endpoints (sans-IO): parsing, health bookkeeping, the order in which to try them.

``parse_endpoint`` turns a user's ``"host:port"`` / ``"http://host:port"`` /
``"https://host:port"`` into an ``EndpointSpec``. ``EndpointSet`` remembers which
endpoints failed lately and which one is *preferred* (sticky: calls keep going to one member
until it fails, so reads are not spread across members without reason):

- a failed endpoint is skipped for a growing, jittered time (``quarantine``);
- when the preferred endpoint fails, the next healthy one in list order becomes preferred;
- when all are in quarantine, the least recently failed one is used: there is never "no
  endpoint" while any exists, and a lone endpoint is never stuck "failed";
- ``EndpointSet.replace`` (auto-sync from MemberList) keeps the state of endpoints that
  stay.

The transport owns the channels and a lock; this module only decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from etcd3._record import record
from etcd3._validate import port_arg

if TYPE_CHECKING:
    import random

    import grpc

__all__ = [
    "Endpoint",
    "EndpointSet",
    "EndpointSpec",
    "endpoints_from_member_urls",
    "parse_endpoint",
    "parse_endpoints",
]

# grpc target schemes passed through untouched (not host:port).
_GRPC_SCHEMES = ("unix:", "unix-abstract:", "dns:", "ipv4:", "ipv6:", "vsock:")


@record
class EndpointSpec:
    """One endpoint as the user gave it.

    Attributes:
        target: The grpc target, ``"host:port"`` (``"[v6addr]:port"`` for IPv6).
        secure: ``True`` for ``https://``, ``False`` for ``http://``, ``None`` when no scheme
            was given (then the client's ``ca_cert`` decides).
    """

    target: str
    secure: bool | None = None


def _host_port(text: str, original: str) -> str:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"endpoint {original!r}: unclosed '[' in an IPv6 address")
        host, rest = text[: end + 1], text[end + 1 :]
        if not rest.startswith(":"):
            raise ValueError(f"endpoint {original!r}: expected host:port")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or not host:
            raise ValueError(f"endpoint {original!r}: expected host:port")
        if ":" in host:
            raise ValueError(f"endpoint {original!r}: put an IPv6 address in brackets: [addr]:port")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"endpoint {original!r}: the port must be a number in 1..65535")
    return f"{host}:{int(port_text)}"


def parse_endpoint(endpoint: str) -> EndpointSpec:
    """Parse ``"host:port"``, ``"http://host:port"`` or ``"https://host:port"``.

    A trailing ``/`` is accepted; grpc targets such as ``"unix:/path"`` pass through as they are.

    Args:
        endpoint: The endpoint text.

    Returns:
        Its spec.

    Raises:
        TypeError: ``endpoint`` is not a ``str``.
        ValueError: Not one of the accepted forms (names the endpoint).
    """
    if not isinstance(endpoint, str):
        raise TypeError(f"an endpoint must be a str, got {type(endpoint).__name__}")
    text = endpoint.strip()
    secure: bool | None = None
    lowered = text.lower()
    if lowered.startswith("https://"):
        secure, text = True, text[len("https://") :]
    elif lowered.startswith("http://"):
        secure, text = False, text[len("http://") :]
    elif "://" in text:
        raise ValueError(f"endpoint {endpoint!r}: the scheme must be http:// or https://")
    elif lowered.startswith(_GRPC_SCHEMES):
        return EndpointSpec(text, None)
    text = text.rstrip("/")
    if "/" in text:
        raise ValueError(f"endpoint {endpoint!r}: expected host:port without a path")
    return EndpointSpec(_host_port(text, endpoint), secure)


def parse_endpoints(endpoints: str | Sequence[str]) -> tuple[EndpointSpec, ...]:
    """Parse a sequence of endpoints (a single ``str`` counts as one), dropping duplicates.

    Raises:
        TypeError: Not a ``str`` or a sequence of ``str``.
        ValueError: No endpoint, or an endpoint in no accepted form.
    """
    items: Iterable[str] = (endpoints,) if isinstance(endpoints, str) else endpoints
    specs: dict[str, EndpointSpec] = {}
    for item in items:
        spec = parse_endpoint(item)
        specs.setdefault(spec.target, spec)
    if not specs:
        raise ValueError("endpoints must name at least one endpoint")
    return tuple(specs.values())


def endpoints_from_member_urls(
    client_urls: Iterable[str], secure: bool
) -> tuple[EndpointSpec, ...]:
    """The endpoints to use from the client URLs a MemberList reported.

    URLs whose scheme does not match the client's TLS setting are skipped (a plaintext client
    cannot use an ``https`` URL and vice versa); unparseable ones too.

    Args:
        client_urls: Every member's client URLs, in member order.
        secure: Whether the client uses TLS.

    Returns:
        The usable endpoints, without duplicates, in the order given.
    """
    specs: dict[str, EndpointSpec] = {}
    for url in client_urls:
        try:
            spec = parse_endpoint(url)
        except (TypeError, ValueError):
            continue
        if spec.secure is not None and spec.secure != secure:
            continue
        specs.setdefault(spec.target, spec)
    return tuple(specs.values())


class _Health:
    __slots__ = ("failed_at", "failures", "healthy_at")

    def __init__(self) -> None:
        self.failures = 0
        self.failed_at = float("-inf")
        self.healthy_at = float("-inf")


class EndpointSet:
    """Which endpoint to use, and which failed lately (see the module docstring).

    Not thread-safe: the transport calls it under its lock.

    Args:
        targets: The endpoint targets in the user's order (at least one).
        base_quarantine: Seconds an endpoint is skipped after its first failure.
        max_quarantine: Upper bound of the quarantine, reached by doubling per failure.
        jitter: Random spread of each quarantine, as a fraction.
        rng: Random source (tests pass a seeded one).

    Raises:
        ValueError: No targets.
    """

    def __init__(
        self,
        targets: Sequence[str],
        *,
        base_quarantine: float = 0.5,
        max_quarantine: float = 10.0,
        jitter: float = 0.2,
        rng: random.Random | None = None,
    ) -> None:
        if not targets:
            raise ValueError("at least one endpoint is needed")
        self._targets: tuple[str, ...] = tuple(dict.fromkeys(targets))
        self._health: dict[str, _Health] = {target: _Health() for target in self._targets}
        self._preferred = self._targets[0]
        self._base = base_quarantine
        self._max = max_quarantine
        self._jitter = jitter
        if rng is None:
            import random  # with the first endpoint set: the client's import path does not need it

            rng = random.Random()
        self._rng = rng

    @property
    def targets(self) -> tuple[str, ...]:
        """All endpoints, in order."""
        return self._targets

    @property
    def preferred(self) -> str:
        """The endpoint calls go to while it works."""
        return self._preferred

    def is_healthy(self, target: str, now: float) -> bool:
        """Whether ``target`` is out of quarantine at ``now``."""
        health = self._health.get(target)
        return health is not None and now >= health.healthy_at

    def failures(self, target: str) -> int:
        """Failures of ``target`` since it last worked."""
        health = self._health.get(target)
        return 0 if health is None else health.failures

    def quarantine(self, failures: int) -> float:
        """The (unjittered) quarantine after ``failures`` consecutive failures."""
        return float(min(self._base * (2 ** min(max(failures - 1, 0), 30)), self._max))

    def order(self, now: float) -> list[str]:
        """Endpoints in the order to try them: the preferred one if healthy, then the other
        healthy ones in list order after it, then those in quarantine, least recently failed
        first.
        """
        start = self._targets.index(self._preferred)
        rotated = self._targets[start:] + self._targets[:start]
        healthy = [t for t in rotated if now >= self._health[t].healthy_at]
        sick = sorted(
            (t for t in rotated if now < self._health[t].healthy_at),
            key=lambda t: self._health[t].failed_at,
        )
        return healthy + sick

    def next_after_failure(self, now: float, exclude: Iterable[str] = ()) -> str:
        """The endpoint for the next attempt: the first of ``order`` not in ``exclude``
        (endpoints that failed during this call), else the first of ``order``.
        """
        order = self.order(now)
        skipped = set(exclude)
        for target in order:
            if target not in skipped:
                return target
        return order[0]

    def mark_failed(self, target: str, now: float) -> str:
        """Put ``target`` in quarantine; if it was preferred, prefer the next healthy one.

        Args:
            target: The endpoint that failed.
            now: ``time.monotonic()`` now.

        Returns:
            The preferred endpoint afterwards.
        """
        health = self._health.get(target)
        if health is None:  # replaced meanwhile (auto-sync)
            return self._preferred
        health.failures += 1
        health.failed_at = now
        spread = self._rng.uniform(-self._jitter, self._jitter) if self._jitter else 0.0
        health.healthy_at = now + self.quarantine(health.failures) * (1 + spread)
        if target == self._preferred:
            self._preferred = self.order(now)[0]
        return self._preferred

    def mark_ok(self, target: str) -> str:
        """Record that ``target`` worked: out of quarantine, and preferred if the preferred one
        is not healthy (a call that had to move on keeps going there).

        Returns:
            The preferred endpoint afterwards.
        """
        health = self._health.get(target)
        if health is None:
            return self._preferred
        if health.failures or health.healthy_at != float("-inf"):
            health.failures = 0
            health.healthy_at = float("-inf")
        if target != self._preferred and self._health[self._preferred].failures:
            self._preferred = target
        return self._preferred

    def prefer(self, target: str) -> None:
        """Make ``target`` the preferred endpoint (it must be one of ``targets``)."""
        if target not in self._health:
            raise ValueError(f"{target!r} is not one of the endpoints")
        self._preferred = target

    def replace(self, targets: Sequence[str]) -> bool:
        """Use ``targets`` from now on, keeping the health of those that stay.

        The preferred endpoint stays if it is still listed, else the first new one is.
        An empty ``targets`` is ignored (a MemberList never lists no member).

        Returns:
            Whether the set changed.
        """
        new = tuple(dict.fromkeys(targets))
        if not new or new == self._targets:
            return False
        self._health = {t: self._health.get(t) or _Health() for t in new}
        self._targets = new
        if self._preferred not in self._health:
            self._preferred = new[0]
        return True


class Endpoint:
    """One etcd member of a ``MultiEndpointEtcd3Client`` (python-etcd3's API).

    Args:
        host: Host name or address.
        port: Client port (its digits as a ``str`` work too).
        secure: Use TLS (then ``creds`` are required).
        creds: grpc channel credentials, e.g. ``grpc.ssl_channel_credentials(...)``.
        time_retry: Seconds a failed endpoint is left alone before it is tried again.
        opts: grpc channel options for this endpoint, overriding the client's defaults.

    Raises:
        ValueError: ``secure`` without ``creds``, a bad port or a negative ``time_retry``.
    """

    def __init__(
        self,
        host: str,
        port: int | str,
        secure: bool = True,
        creds: grpc.ChannelCredentials | None = None,
        time_retry: float = 300.0,
        opts: Iterable[tuple[str, int | str | bytes]] | None = None,
    ) -> None:
        if secure and creds is None:
            raise ValueError("a secure endpoint needs creds (grpc.ssl_channel_credentials(...))")
        if not time_retry >= 0:
            raise ValueError(f"time_retry must be >= 0 seconds, got {time_retry!r}")
        port = port_arg(port)
        bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
        self.host = host
        self.port = port
        self.secure = secure
        self.creds = creds
        self.time_retry: float = float(time_retry)
        self.opts: list[tuple[str, int | str | bytes]] | None = (
            list(opts) if opts is not None else None
        )
        self.netloc: str = parse_endpoint(f"{bracketed}:{port}").target
        """``host:port`` as the client reports it (``endpoint_in_use``)."""

    def __repr__(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"Endpoint({scheme}://{self.netloc}, time_retry={self.time_retry:g})"
