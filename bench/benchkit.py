"""What the benchmarks share: their environment, the characters they make names of, and a
fresh database to run in. The scripts run as `python bench/<name>.py`, so this folder is on
their path and `import benchkit` finds it."""

from __future__ import annotations

import os
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国志海晓东雪梅俊子涵浩然欣怡宇轩梓萱诺佳琪思雨博文嘉"


def bench_environment(sqlite_file: Path) -> None:
    """Settings as in production (no query log), on `sqlite_file` unless DATABASE_URL says
    otherwise. The production profile refuses to start without real secrets; these are for
    benchmarks only."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite_file}")
    os.environ.setdefault("DJANGO_MEDIA_ROOT", str(sqlite_file.parent / "media"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("GONGHUI_FIELD_KEYS", "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=")
    os.environ.setdefault("GONGHUI_HASH_KEY", "YmVuY2gtb25seS1oYXNoLWtleS0zMi1ieXRlcyEhISE=")


def fresh_database(sqlite_file: Path) -> None:
    """Remove the SQLite file (with its journal), or create the PostgreSQL database if it is
    missing; migrating and flushing is the caller's, once Django is set up."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    else:
        create_postgres_database(url)


def create_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_label() -> str:
    """The database the run used, for the results table: "postgresql 16", "sqlite 3.46.1"."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"postgresql {connection.pg_version // 10000}"
    import sqlite3

    return f"sqlite {sqlite3.sqlite_version}"
