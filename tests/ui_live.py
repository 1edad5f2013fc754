"""A real server for the web page tests: uvicorn on 127.0.0.1 in a thread, plain HTTP helpers."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import uvicorn

from fourcard_excel.ui.app import create_app
from fourcard_excel.ui.server import bind_free_port


class LiveServer:
    def __init__(self, workdir: Path, *, token: str = "test-token-123", **kwargs) -> None:
        self.token = token
        self.app = create_app(workdir, token, **kwargs)
        self.sock = bind_free_port(18765)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def url(self, path: str, token: bool = True) -> str:
        sep = "&" if "?" in path else "?"
        path = urllib.parse.quote(path, safe="/?&=%")
        return self.base + path + (f"{sep}token={self.token}" if token else "")

    def get(self, path: str, token: bool = True) -> tuple[int, bytes, dict]:
        return request(self.url(path, token))

    def post(self, path: str, fields: dict, files: list[tuple[str, str, bytes]], token: bool = True,
             fetch: bool = True) -> tuple[int, bytes, dict]:
        body, ctype = multipart(fields, files)
        headers = {"Content-Type": ctype}
        if fetch:
            headers["X-Requested-With"] = "fetch"
        return request(self.url(path, token), data=body, headers=headers)

    def wait(self, run_id: str, timeout: float = 180) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = json.loads(self.get(f"/runs/{run_id}/status")[1])
            if status["state"] != "running":
                return status
            time.sleep(0.2)
        raise TimeoutError(run_id)


def request(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body; file names sent exactly as given (UTF-8), as browsers do."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for field, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def folder_files(root: Path) -> list[tuple[str, str, bytes]]:
    """Every file under ``root`` as an upload named by its path relative to ``root``."""
    return [("files", p.relative_to(root).as_posix(), p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()]
