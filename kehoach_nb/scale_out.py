"""Dask executor for `kehoach run --executor dask`: the same per-school function, elsewhere."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from urllib.parse import urlparse

from .errors import ParamsError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False


def check_scheduler(address: str) -> None:
    """Refuse plain tcp:// to another machine: reports and data would cross unencrypted."""
    url = urlparse(address)
    if url.scheme not in ("tcp", "tls"):
        raise ParamsError(f"địa chỉ scheduler \"{address}\" phải bắt đầu bằng tcp:// hoặc tls://")
    if url.scheme == "tcp" and not is_loopback(url.hostname or ""):
        raise ParamsError(f"từ chối kết nối không mã hóa tới {address}: dùng tls:// với chứng chỉ "
                          "(cấu hình distributed.comm.tls) khi scheduler ở máy khác")


@contextlib.contextmanager
def dask_executor(scheduler: str | None, jobs: int):
    """A concurrent.futures executor on an existing cluster, or on a loopback LocalCluster."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        check_scheduler(scheduler)
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        with client.get_executor(pure=False) as executor:
            yield executor
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
