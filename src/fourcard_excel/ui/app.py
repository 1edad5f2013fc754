"""The Starlette application: token check, pages, uploads, the background job and downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..registry import TABLE_KINDS
from .paths import UnsafeName, inside, safe_relpath
from .runs import INPUTS, KIND_LABELS, OUTPUTS, PROCESS, SIDE, STATE_LABELS, VALIDATE, Busy, Jobs, RunStore
from .views import issue_page, output_files

HERE = Path(__file__).parent
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024  # bytes, all files of one start together
# side tables given in their own fields: every kind the reader knows besides rosters (so a kind
# added to registry.TABLE_KINDS, e.g. a measures ledger, gets its field); inspectors go to
# process(inspectors=...), the others to process(side_files={kind: path})
SIDE_KINDS = {k: v[1] for k, v in TABLE_KINDS.items() if k != "roster"}
SIDE_FIELDS = {"rules": "分类规则文件", **SIDE_KINDS}
MAX_FILES = 5000
CHUNK = 1 << 20


class BadInput(ValueError):
    """A refused upload or form value: HTTP 400 (or ``status``) with a Chinese message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class TokenGuard:
    """ASGI middleware: every request must carry the start token, in ``?token=`` or in the cookie
    set on the first visit; otherwise 403."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _ok(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode("utf-8", "replace"), self.token)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        cookie = f"fourcard_token_{(scope.get('server') or ('', 0))[1]}"
        by_query = self._ok(request.query_params.get("token"))
        by_cookie = self._ok(request.cookies.get(cookie))
        if not (by_query or by_cookie):
            response = HTMLResponse(
                "<!doctype html><meta charset='utf-8'><title>拒绝访问</title>"
                "<p>拒绝访问：缺少访问令牌或令牌不对。请用启动 <code>fourcard-excel ui</code> 时显示的完整地址"
                "（带 ?token=…）打开本页。</p>", status_code=403)
            return await response(scope, receive, send)
        if by_query and not by_cookie:
            value = f"{cookie}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"

            async def send_with_cookie(message):
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"set-cookie", value.encode())]
                await send(message)

            return await self.app(scope, receive, send_with_cookie)
        return await self.app(scope, receive, send)


def create_app(workdir: Path | str, token: str, *, max_upload: int = DEFAULT_MAX_UPLOAD) -> Starlette:
    store = RunStore(workdir)
    jobs = Jobs(store)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.globals.update(KIND_LABELS=KIND_LABELS, STATE_LABELS=STATE_LABELS)

    def page(name: str, code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=code)

    def wants_json(request: Request) -> bool:
        return request.headers.get("x-requested-with") == "fetch"

    def refuse(request: Request, message: str, status: int) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return page("message.html", status, title="无法开始", message=message)

    async def index(request: Request):
        return page("index.html", today=dt.date.today().isoformat(), runs=store.runs(jobs.active),
                    side_kinds=SIDE_KINDS,
                    busy=jobs.busy, max_mb=max_upload // (1 << 20), workdir=str(store.root))

    async def selfcheck(request: Request):
        return page("selfcheck.html", today=dt.date.today().isoformat(), busy=jobs.busy,
                    max_mb=max_upload // (1 << 20))

    async def start(request: Request, kind: str):
        try:
            jobs.claim()
        except Busy as exc:
            return refuse(request, str(exc), 409)
        folder = None
        try:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_upload:
                raise BadInput(f"上传的文件共 {int(declared) / (1 << 20):.0f} MB，超过上限 {max_upload // (1 << 20)} MB；"
                               "请分批上传，或启动时用 --max-upload 调大上限。", 413)
            try:
                form = await request.form(max_files=MAX_FILES, max_fields=100)
            except HTTPException as exc:  # the multipart parser's own (English) refusal
                raise BadInput(f"上传的内容无法读取（一次最多 {MAX_FILES} 个文件）：{exc.detail}") from None
            try:
                options = read_options(form, kind)
                folder = store.new_run(kind, options)
                jobs.active = folder.name
                await save_uploads(form, folder, kind, max_upload)
                check_prefer(folder / INPUTS, options.get("prefer", []))
            finally:
                await form.close()  # the spooled upload files
        except BaseException as exc:  # nothing runs: the folder goes and the slot is freed
            if folder is not None:
                store.discard(folder)
            jobs.release()
            if isinstance(exc, BadInput):
                return refuse(request, str(exc), exc.status)
            if isinstance(exc, ClientDisconnect):  # the upload was cancelled (page closed)
                return Response(status_code=400)
            raise
        work = process_work(options, store) if kind == PROCESS else validate_work(options)
        jobs.start(folder, work)
        url = f"/runs/{folder.name}"
        if wants_json(request):
            return JSONResponse({"id": folder.name, "url": url}, status_code=202)
        return RedirectResponse(url, status_code=303)

    async def start_process(request: Request):
        return await start(request, PROCESS)

    async def start_validate(request: Request):
        return await start(request, VALIDATE)

    async def run_page(request: Request):
        run_id = request.path_params["run_id"]
        data = store.load(run_id)
        if data is None:
            return page("message.html", 404, title="找不到", message="找不到这次运行（可能已被删除）。")
        status = jobs.status(run_id)
        context = {"run": data, "status": status}
        if status["state"] == "done":
            folder = store.folder(run_id)
            q = request.query_params
            try:
                number = int(q.get("page") or 1)
            except ValueError:
                number = 1
            filters = {k: q.get(k, "") for k in ("level", "code", "file", "q")}
            context.update(outputs=output_files(folder / OUTPUTS), filters=filters,
                           issues=issue_page(folder / OUTPUTS / "issues.csv", page=number, **filters))
        return page("run.html", **context)

    async def run_status(request: Request):
        status = jobs.status(request.path_params["run_id"])
        if status is None:
            return JSONResponse({"error": "找不到这次运行"}, status_code=404)
        return JSONResponse(status)

    def done_folder(run_id: str) -> Path | None:
        folder = store.folder(run_id)
        status = jobs.status(run_id) if folder else None
        return folder if status and status["state"] == "done" else None

    async def output_file(request: Request):
        folder = done_folder(request.path_params["run_id"])
        if folder is None:
            return page("message.html", 404, title="找不到", message="找不到这个文件。")
        try:
            path = inside(folder / OUTPUTS, safe_relpath(request.path_params["path"]))
        except UnsafeName as exc:
            return page("message.html", 403, title="拒绝访问", message=str(exc))
        if not path.is_file():
            return page("message.html", 404, title="找不到", message="找不到这个文件。")
        return FileResponse(path, headers=attachment(path.name))

    async def download_all(request: Request):
        run_id = request.path_params["run_id"]
        if done_folder(run_id) is None:
            return page("message.html", 404, title="找不到", message="这次运行没有可下载的结果。")
        path = store.zip_outputs(run_id)
        prefix = "自查结果" if (store.load(run_id) or {}).get("kind") == VALIDATE else "四卡结果"
        return FileResponse(path, media_type="application/zip", headers=attachment(f"{prefix}_{run_id}.zip"))

    routes = [
        Route("/", index),
        Route("/selfcheck", selfcheck),
        Route("/runs", start_process, methods=["POST"]),
        Route("/selfcheck", start_validate, methods=["POST"]),
        Route("/runs/{run_id}", run_page),
        Route("/runs/{run_id}/status", run_status),
        Route("/runs/{run_id}/download", download_all),
        Route("/runs/{run_id}/out/{path:path}", output_file),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.store, app.state.jobs = store, jobs
    app.add_middleware(TokenGuard, token=token)
    return app


def attachment(name: str) -> dict:
    """Content-Disposition for a Chinese file name (RFC 5987, with an ASCII fallback)."""
    fallback = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in name)
    return {"content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"}


def text(form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_options(form, kind: str) -> dict:
    """The form's fields checked and turned into the options of process/validate."""
    raw = text(form, "as_of")
    try:
        as_of = dt.date.fromisoformat(raw.replace("/", "-").replace(".", "-")) if raw else dt.date.today()
    except ValueError:
        raise BadInput(f"评定基准日“{raw}”不是有效日期，请写成 2024-03-18 这样的格式") from None
    options: dict = {"as_of": as_of.isoformat()}
    if kind == VALIDATE:
        return options
    for field, hint in (("seed", "随机种子“{}”应为整数（如 2024），也可以不填"),
                        ("team_size", "每组人数“{}”应为整数（至少 2）")):
        value = text(form, field)
        if value:
            try:
                options[field] = int(value)
            except ValueError:
                raise BadInput(hint.format(value)) from None
    options["force_disagree"] = bool(form.get("force_disagree"))
    options["mask_id"] = bool(form.get("mask_id"))
    options["use_db"] = bool(form.get("use_db"))
    options["phone"] = text(form, "phone")[:40]
    prefer = []
    for value in re.split(r"[\r\n]+", text(form, "prefer")):
        if value.strip():
            try:
                prefer.append(safe_relpath(value.strip()).as_posix())
            except UnsafeName as exc:
                raise BadInput(f"优先使用的文件：{exc}") from None
    options["prefer"] = prefer
    return options


async def save_uploads(form, folder: Path, kind: str, max_upload: int) -> None:
    """Roster files into ``inputs/`` (relative folders kept, every part cleaned) and the side
    files into ``side/``; refuses unsafe names, duplicates that differ, and more than ``max_upload``."""
    budget = [max_upload]
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise BadInput("没有选择任何文件；请拖入或选择花名册文件（或整个文件夹）后再开始。")
    if kind == VALIDATE and len(uploads) > 50:
        raise BadInput("自查一次最多上传 50 个文件；整个县的花名册请用“处理花名册”页面。")
    inputs = folder / INPUTS
    seen: dict[PurePosixPath, str] = {}  # name -> SHA-256 of what was saved under it
    mtimes = browser_mtimes(text(form, "mtimes"))
    for upload in uploads:
        try:
            rel = safe_relpath(upload.filename)
            target = inside(inputs, rel)
        except UnsafeName as exc:
            raise BadInput(str(exc)) from None
        if rel in seen:  # the same file picked twice is fine; two different ones are not
            spare = folder / "upload.tmp"
            digest = await save_capped(upload, spare, budget, max_upload)
            spare.unlink()
            if digest != seen[rel]:
                raise BadInput(f"有两个不同的文件都叫“{rel}”；请改名后重新上传。")
            continue
        seen[rel] = await save_capped(upload, target, budget, max_upload)
        keep_mtime(target, mtimes.get(upload.filename))
    if kind == VALIDATE:
        return
    for field, label in SIDE_FIELDS.items():
        upload = form.get(field)
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        try:
            name = safe_relpath(upload.filename).name
            target = inside(folder / SIDE / field, name)
        except UnsafeName as exc:
            raise BadInput(f"{label}：{exc}") from None
        await save_capped(upload, target, budget, max_upload)


async def save_capped(upload: UploadFile, target: Path, budget: list[int], max_upload: int) -> str:
    """Stream one upload to ``target`` while the shared byte budget lasts; its SHA-256."""
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:
            while chunk := await upload.read(CHUNK):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise BadInput(f"上传的文件超过上限 {max_upload // (1 << 20)} MB；请分批上传，"
                                   "或启动时用 --max-upload 调大上限。", 413)
                digest.update(chunk)
                fh.write(chunk)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise BadInput(f"文件名“{upload.filename}”与另一个上传的文件或文件夹重名；请改名后重新上传。") from None
    return digest.hexdigest()


def check_prefer(inputs: Path, prefer: list[str]) -> None:
    """Every 优先使用 name must be an uploaded file (the CLI refuses an unknown --prefer too)."""
    from ..ingest.resubmit import unknown_prefer

    unknown = unknown_prefer(inputs, prefer)
    if unknown:
        raise BadInput("优先使用的文件" + "、".join(f"“{p}”" for p in unknown) + "不在上传的文件中；"
                       "请写上传的文件名（可含子文件夹，如 白沙镇/花名册.xlsx）")


def browser_mtimes(raw: str) -> dict[str, float]:
    """{upload name: modification time in seconds} from the page (File.lastModified, in ms)."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v / 1000 for k, v in data.items()
            if isinstance(v, (int, float)) and 0 < v / 1000 < 4_102_444_800}  # before 2100


def keep_mtime(path: Path, mtime: float | None) -> None:
    """The saved copy keeps the file's own modification time (the pipeline may compare them)."""
    if mtime:
        os.utime(path, (mtime, mtime))


def side_file(folder: Path, field: str) -> Path | None:
    found = sorted((folder / SIDE / field).glob("*")) if (folder / SIDE / field).is_dir() else []
    return found[0] if found else None


def process_work(options: dict, store: RunStore):
    """The job of a county run: ``pipeline.process`` on the uploaded folder, as the CLI calls it."""

    def work(folder: Path, progress) -> dict:
        from ..pipeline import process
        from .views import process_view

        side = {kind: side_file(folder, kind) for kind in SIDE_KINDS if kind != "inspectors"}
        result = process(folder / INPUTS, folder / OUTPUTS, rules_path=side_file(folder, "rules"),
                         as_of=dt.date.fromisoformat(options["as_of"]), seed=options.get("seed"),
                         force_disagree=options.get("force_disagree", False),
                         inspectors=side_file(folder, "inspectors"), team_size=options.get("team_size"),
                         db_path=store.db_path, use_db=options.get("use_db", True),
                         mask_id=options.get("mask_id", False), phone=options.get("phone", ""),
                         side_files={k: v for k, v in side.items() if v}, progress=progress,
                         command="fourcard-excel ui（网页界面）", prefer=tuple(options.get("prefer", ())))
        return process_view(result)

    return work


def validate_work(options: dict):
    """The job of a 自查: what `fourcard-excel validate` does, on the uploaded roster."""

    def work(folder: Path, progress) -> dict:
        from ..pipeline import files_frame, validate_inputs
        from ..write import write_issue_files
        from .views import validate_view

        v = validate_inputs(folder / INPUTS, as_of=dt.date.fromisoformat(options["as_of"]), progress=progress)
        issues = v.log.frame()
        files = files_frame(v, issues)
        write_issue_files(issues, folder / OUTPUTS)
        return validate_view(v, issues, files)

    return work
