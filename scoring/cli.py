"""Command line (SPEC §7): the same services as the web UI, headless.

Exit codes: 0 success; 1 rows rejected or validation failed; 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from scoring.engine.indicators import IndicatorSystemError
from scoring.exports.tables import candidate_table, district_table, score_table, table_bytes
from scoring.services import audit, runs
from scoring.services import indicators as indicator_service
from scoring.services.context import CLI_USER, PermissionDenied, UserContext
from scoring.services.imports import import_files
from scoring.services.notice import NoticeError
from scoring.storage import repository as repo
from scoring.storage.database import default_url, make_engine, session_scope
from scoring.storage.errors import StorageError
from scoring.storage.migrations import upgrade

OK, FAILED, USAGE = 0, 1, 2


class UsageError(Exception):
    """Wrong arguments or a missing file: exit code 2 with the Chinese message."""


def _connection_options(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """--db and --user, accepted before the command and after it (the later one wins)."""
    parser.add_argument(
        "--db", default=default, help="数据库 URL（默认：环境变量 FANGXIN_DB_URL，否则项目内的 SQLite 文件）"
    )
    parser.add_argument("--user", default=default, help="以该账户的角色和区县范围执行（默认：命令行管理员）")


def _parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m scoring", description="放心消费创建评价系统 命令行")
    _connection_options(top)
    # after the command too (``score --db URL``); SUPPRESS keeps a value given before the command
    common = argparse.ArgumentParser(add_help=False)
    _connection_options(common, default=argparse.SUPPRESS)
    sub = top.add_subparsers(dest="command", required=True, metavar="命令")

    def command(
        name: str, text: str, within: argparse._SubParsersAction[argparse.ArgumentParser] = sub
    ) -> argparse.ArgumentParser:
        return within.add_parser(name, help=text, description=text, parents=[common])

    p = command("template", "生成导入模板（依据指标体系）")
    p.add_argument("out", metavar="OUT.xlsx")
    p = command("import", "导入一个或多个文件（xlsx/csv）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    p.add_argument("--strict", action="store_true", help="任何一行被拒绝则整个文件不导入")
    p.add_argument("--report", metavar="ERRORS.xlsx", help="问题清单（错误工作簿）保存位置")
    for name, text in (
        ("score", "对一个评估轮次评分（生成新的评分记录）"),
        ("candidates", "示范单位候选名单（入选/候补/不符合及原因）"),
        ("districts", "区县排名"),
    ):
        p = command(name, text)
        p.add_argument("--round", required=True, metavar="NAME", help="评估轮次名称")
        p.add_argument("--out", metavar="FILE", help="输出文件（.csv 或 .xlsx），缺省时打印到屏幕")
        if name == "score":
            p.add_argument("--indicators", metavar="FILE", help="使用指定的指标体系文件（YAML）")
    p = command(
        "shortlist",
        "公示名单 xlsx（SPEC §8）：列出本轮审核状态为“市级审核通过”或“公示中”的单位，按区县、行业分组。"
        "加 --public：对外公示版（不含综合得分；须已开启审核，并在活动设置中填写城市、年度、公示期、异议受理方式）。"
        "不加 --public：内部工作版（含综合得分；本轮尚未开启审核时，按最新评分的入选单位生成标明“草稿”的名单）。",
    )
    p.add_argument("--round", required=True, metavar="NAME", help="评估轮次名称")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx）")
    p.add_argument("--public", action="store_true", help="对外公示版：只含通过市级审核的单位，不含综合得分")
    p.add_argument("--with-score", action="store_true", help="公示版也列出综合得分")
    p = command("demo", "生成并导入演示活动数据")
    p.add_argument("--merchants", type=int, default=300)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--if-empty", action="store_true", help="仅当数据库中没有商户时导入")
    p.add_argument("--out", metavar="FILE.xlsx", help="只写出演示工作簿，不导入")
    command("migrate", "把数据库结构升级到最新版本")
    p = command("users", "用户管理：add 新建 / passwd 重置密码 / deactivate 停用 / list 列表")
    users = p.add_subparsers(dest="users_command", required=True, metavar="操作")

    def action(name: str, text: str) -> argparse.ArgumentParser:
        return command(name, text, users)

    u = action("add", "新建用户（随机密码只显示一次）")
    u.add_argument("username")
    u.add_argument("--role", required=True, choices=["admin", "reviewer", "evaluator", "leader"])
    u.add_argument("--district", help="评估员所属区县")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码，而不是随机生成")
    u = action("passwd", "重置密码（随机密码只显示一次）")
    u.add_argument("username")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码")
    u = action("deactivate", "停用用户")
    u.add_argument("username")
    action("list", "列出用户")
    return top


def _write(
    args: argparse.Namespace, engine: Engine, table: pd.DataFrame, what: str, sheet: str, round_name: str
) -> None:
    """The table to --out (xlsx or CSV, audited as an export with its scope and row count), else to stdout."""
    if not args.out:
        print(table.to_string(index=False, max_rows=30))
        return
    Path(args.out).write_bytes(table_bytes(table, args.out, sheet))
    audit.record_export(engine, _user(args, engine), what, len(table), round=round_name, file=Path(args.out).name)
    print(f"已写入 {args.out}")


def _engine(args: argparse.Namespace, migrate: bool = True) -> Engine:
    engine = make_engine(args.db or default_url())
    args.engines.append(engine)  # disposed by main() when the command ends
    if migrate:
        upgrade(engine)  # the CLI is an operator tool: a fresh SQLite file is usable at once
    return engine


def _user(args: argparse.Namespace, engine: Engine) -> UserContext:
    """The operator (admin) by default; with --user, that account's role and 区县 scope."""
    if not args.user:
        return CLI_USER
    from scoring.auth.accounts import reload

    user = reload(engine, args.user)
    if user is None:
        raise UsageError(f"用户“{args.user}”不存在或已停用。")
    return user


def cmd_template(args: argparse.Namespace) -> int:
    from scoring.ingest.template import build_template

    engine = _engine(args)
    system = indicator_service.active_system(engine)
    with session_scope(engine, write=False) as s:
        districts, rounds = repo.district_names(s), repo.round_names(s)
    Path(args.out).write_bytes(build_template(system, districts=districts, rounds=rounds))
    print(f"已生成导入模板 {args.out}（指标体系 {system.name.zh}，{system.short_hash}）")
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    files = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"找不到文件：{name}")
        files.append((path.name, path.read_bytes()))
    engine = _engine(args)
    system = indicator_service.active_system(engine)
    outcomes = import_files(engine, _user(args, engine), files, system, dry_run=args.dry_run, strict=args.strict)
    status = OK
    reports = []
    for o in outcomes:
        if len(outcomes) > 1:
            print(f"== {o.file_name}")
        for line in o.lines():
            print(line)
        if o.status == "dry-run":
            print("（试运行：未写入数据库）")
        if not o.ok:
            status = FAILED
        report = o.error_report()
        if report is not None:
            reports.append((o.file_name, report))
    if args.report:
        if reports:
            Path(args.report).write_bytes(reports[0][1] if len(reports) == 1 else _merge_reports(outcomes))
            print(f"问题清单已写入 {args.report}")
        else:
            print("没有需要报告的问题。")
    return status


def _merge_reports(outcomes: Sequence[object]) -> bytes:
    from scoring.ingest.report import error_workbook
    from scoring.ingest.results import UploadParse

    sheets = []
    notices = []
    for o in outcomes:
        parse = getattr(o, "parse", None)
        if parse is not None:
            sheets.extend(parse.sheets)
            notices.extend(parse.notices)
    return error_workbook(UploadParse(sheets, notices))


def cmd_score(args: argparse.Namespace) -> int:
    engine = _engine(args)
    system = None
    if args.indicators:
        path = Path(args.indicators)
        if not path.is_file():
            raise UsageError(f"找不到指标体系文件：{args.indicators}")
        system = indicator_service.ensure_version(engine, CLI_USER, path.read_bytes())
    result = runs.run_scoring(engine, _user(args, engine), args.round, system)
    system = system or indicator_service.active_system(engine)
    table = score_table(result.scores, system)
    print(
        f"评分记录 #{result.run.id}：{args.round}，{len(result.scores)} 家商户；"
        f"指标体系 {result.run.indicator_version}（{result.run.indicator_hash[:12]}）"
    )
    _write(args, engine, table, "评分结果（命令行）", "得分", args.round)
    return OK


def cmd_candidates(args: argparse.Namespace) -> int:
    engine = _engine(args)
    result = runs.current_results(engine, _user(args, engine), args.round)
    table = candidate_table(result.candidates)
    counts = table["状态"].value_counts().to_dict()
    print(f"评分记录 #{result.run.id}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    _write(args, engine, table, "候选名单（命令行）", "候选", args.round)
    return OK


def cmd_districts(args: argparse.Namespace) -> int:
    engine = _engine(args)
    result = runs.current_results(engine, _user(args, engine), args.round)
    table = district_table(result.districts)
    print(f"评分记录 #{result.run.id}：{args.round} 区县排名")
    _write(args, engine, table, "区县排名（命令行）", "区县排名", args.round)
    return OK


def cmd_shortlist(args: argparse.Namespace) -> int:
    from scoring.services.notice import notice_bytes

    if not args.out.lower().endswith(".xlsx"):
        raise UsageError("公示名单只能写成 .xlsx 文件。")
    engine = _engine(args)
    user = _user(args, engine)
    if not args.public:  # the draft (before review) lists the 入选 of a run made with the current data
        runs.current_results(engine, user, args.round)
    data, doc = notice_bytes(
        engine, user, args.round, public=args.public, include_score=args.with_score or not args.public
    )
    Path(args.out).write_bytes(data)
    print(f"{doc.title}：{len(doc.rows)} 家单位" + ("（草稿，尚未审核）" if doc.draft_note else ""))
    print(f"已写入 {args.out}")
    return OK


def cmd_demo(args: argparse.Namespace) -> int:
    from scoring.demo import build_demo_workbook

    try:
        data = build_demo_workbook(merchants=args.merchants, seed=args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"演示工作簿已写入 {args.out}")
        return OK
    engine = _engine(args)
    with session_scope(engine, write=False) as s:
        merchants = repo.data_counts(s)["merchants"]
    if args.if_empty and merchants:
        print(f"数据库已有 {merchants} 家商户，不导入演示数据。")
        _print_demo_accounts(engine)
        return OK
    system = indicator_service.active_system(engine)
    outcome = import_files(engine, CLI_USER, [("演示数据.xlsx", data)], system)[0]
    for line in outcome.lines():
        print(line)
    if outcome.status != "committed":
        return FAILED
    _demo_settings(engine)
    with session_scope(engine, write=False) as s:
        names = repo.round_names(s)
    for name in names:
        result = runs.run_scoring(engine, CLI_USER, name)
        print(f"已评分：{name}（{len(result.scores)} 家商户，评分记录 #{result.run.id}）")
    from scoring.demo.progress import seed_phase_plan

    if seed_phase_plan(engine, CLI_USER):
        print("已按默认计划创建阶段与各区县任务（筹备已完成，实施进行中）")
    _print_demo_accounts(engine)
    return OK


def _demo_settings(engine: Engine) -> None:
    """The demo campaign's city, year and 公示 details, so its 公示名单 can be exported at once."""
    from scoring.services.campaign import load_settings, save_settings

    settings = load_settings(engine)
    if settings.city:
        return
    settings.city, settings.year = "杭州市", "2026"
    settings.notice_start, settings.notice_end = "2026-12-01", "2026-12-14"
    settings.objection_channel = "杭州市放心消费创建工作办公室（示例）：电话 0571-12345678，邮箱 fangxin@example.cn"
    save_settings(engine, CLI_USER, settings)


def cmd_migrate(args: argparse.Namespace) -> int:
    _engine(args)
    print("数据库结构已是最新版本。")
    return OK


def cmd_users(args: argparse.Namespace) -> int:
    from scoring.auth import accounts
    from scoring.auth.passwords import random_password

    engine = _engine(args)
    actor = _user(args, engine)
    given = sys.stdin.readline().rstrip("\n") if getattr(args, "password_stdin", False) else None
    try:
        if args.users_command == "add":
            password = accounts.create_user(
                engine, actor, args.username, args.role, district=args.district, password=given
            )
            print(
                f"已创建用户 {args.username}（{args.role}）。"
                + ("" if given else f"初始密码（只显示这一次）：{password}")
            )
        elif args.users_command == "passwd":
            password = given or random_password()
            accounts.set_password(engine, actor, args.username, password)
            print(f"已重置 {args.username} 的密码。" + ("" if given else f"新密码（只显示这一次）：{password}"))
        elif args.users_command == "deactivate":
            accounts.update_user(engine, actor, args.username, active=False)
            print(f"已停用用户 {args.username}。")
        else:
            print(accounts.accounts_frame(accounts.list_users(engine, actor)).to_string(index=False))
    except accounts.AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return FAILED
    return OK


def _print_demo_accounts(engine: Engine) -> None:
    from scoring.auth.accounts import ensure_demo_accounts

    created = ensure_demo_accounts(engine)
    if created:
        print("已创建演示账户（密码只显示这一次，请妥善保存）：")
        for username, password in created.items():
            print(f"  {username}  密码：{password}")


COMMANDS = {
    "template": cmd_template,
    "import": cmd_import,
    "score": cmd_score,
    "candidates": cmd_candidates,
    "districts": cmd_districts,
    "shortlist": cmd_shortlist,
    "demo": cmd_demo,
    "migrate": cmd_migrate,
    "users": cmd_users,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return USAGE if exc.code else OK
    args.engines = []
    args.user = getattr(args, "user", None)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return USAGE
    except (PermissionDenied, NoticeError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return FAILED
    except runs.NoSuchRound as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return USAGE
    except IndicatorSystemError as exc:
        print(str(exc), file=sys.stderr)
        return FAILED
    except StorageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return FAILED
    finally:
        for engine in args.engines:
            engine.dispose()
