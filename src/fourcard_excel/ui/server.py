"""Start the page: a free port on 127.0.0.1, the printed address with its token, the browser."""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"  # never another interface: the page shows personal data
PORT_TRIES = 50


class NoFreePort(OSError):
    pass


def bind_free_port(port: int, tries: int = PORT_TRIES) -> socket.socket:
    """A listening socket on 127.0.0.1 at ``port`` or the next free one."""
    for candidate in range(port, port + tries):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((HOST, candidate))
        except OSError:
            sock.close()
            continue
        sock.listen(128)
        return sock
    raise NoFreePort(f"端口 {port}–{port + tries - 1} 都被占用，请用 --port 换一个端口")


def serve(workdir: Path, *, port: int, open_browser: bool, max_upload: int,
          echo: Callable[[str], None]) -> None:
    """Serve until Ctrl+C. Prints one line with the address (token included)."""
    import uvicorn

    from .app import create_app

    token = secrets.token_urlsafe(24)
    sock = bind_free_port(port)
    actual = sock.getsockname()[1]
    app = create_app(workdir, token, max_upload=max_upload)
    url = f"http://{HOST}:{actual}/?token={token}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    echo(f"请在浏览器打开：{url}")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
