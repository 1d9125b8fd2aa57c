"""Dask executor for `kehoach run --executor dask`: the same per-school function, elsewhere."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from urllib.parse import urlparse

from ..errors import ParamsError

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


TLS_SETTINGS = ("distributed.comm.tls.ca-file", "distributed.comm.tls.client.cert")


def check_tls_settings(address: str) -> None:
    """tls:// needs the CA and a client certificate; say so before trying to connect."""
    import dask

    if urlparse(address).scheme != "tls":
        return
    missing = [k for k in TLS_SETTINGS if not dask.config.get(k, None)]
    if missing:
        raise ParamsError(f"địa chỉ {address} dùng tls:// nhưng chưa cấu hình chứng chỉ ("
                          + ", ".join(missing) + "). Đặt chúng trong ~/.config/dask/distributed.yaml "
                          "hoặc biến môi trường DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
                          "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, "
                          "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY.")


def connect(scheduler: str):
    """A Client on the scheduler, or a Vietnamese ParamsError (exit 2) instead of a traceback."""
    from dask.distributed import Client

    check_scheduler(scheduler)
    check_tls_settings(scheduler)
    try:
        return Client(scheduler)
    except OSError as exc:
        raise ParamsError(f"không kết nối được tới Dask scheduler {scheduler}: {exc}. Kiểm tra địa "
                          "chỉ, cổng, tường lửa và scheduler đang chạy.") from None
    except Exception as exc:  # noqa: BLE001 - TLS context, bad certificate files…
        raise ParamsError(f"không kết nối được tới Dask scheduler {scheduler} "
                          f"({type(exc).__name__}: {exc}). Kiểm tra cấu hình TLS "
                          "(distributed.comm.tls).") from None


def local_cluster(jobs: int):
    from dask.distributed import LocalCluster

    try:
        return LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address=None)
    except Exception as exc:  # noqa: BLE001
        raise ParamsError(f"không khởi động được cụm Dask cục bộ: {type(exc).__name__}: {exc}") from None


@contextlib.contextmanager
def dask_executor(scheduler: str | None, jobs: int):
    """A concurrent.futures executor on an existing cluster, or on a loopback LocalCluster."""
    from dask.distributed import Client

    cluster = None
    if scheduler:
        client = connect(scheduler)
    else:
        cluster = local_cluster(jobs)
        client = Client(cluster)
    try:
        with client.get_executor(pure=False) as executor:
            yield executor
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
