"""manage.py seed_demo --scale S [--if-empty] [--seed N]: a made-up federation to look at.

Scale 1 is Haining (12 towns, 1,686 unions, 3,713 employers, 248,500 members); 0.01 is a
quick test federation; 60 is a province. Ends with a sign-in for each role. Each app adds
its own part of the data (core/demo.py); gonghui/demo/seeding.py puts them together."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.errors import ServiceError
from gonghui.core.figures import all_figures
from gonghui.demo.seeding import DEMO_PASSWORD, DemoResult, SignIn, existing_sign_ins, organisations_exist, seed_demo


class Command(BaseCommand):
    help = "生成演示数据：一个虚构但逼真的工会组织（规模 1 = 海宁市）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="规模：1 为海宁市，0.01 供测试，60 约为一个省")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据")
        parser.add_argument("--if-empty", action="store_true", help="库里已有组织数据时什么也不做")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="历史截止日期（默认今天）")

    def handle(self, *args: Any, scale: float, seed: int, if_empty: bool, as_of: date | None, **options: Any) -> None:
        if scale <= 0:
            raise CommandError("--scale 必须大于 0")
        if if_empty and organisations_exist():
            self.stdout.write("库中已有组织数据，未生成演示数据。")
            self._sign_ins(existing_sign_ins())
            return
        try:
            result = seed_demo(scale=scale, seed=seed, as_of=as_of, log=self.stdout.write)
        except ServiceError as err:
            raise CommandError(err.message) from None
        self._report(result)

    def _report(self, result: DemoResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已生成（规模 {result.scale:g}），用时 {result.seconds:.1f} 秒：")
        )
        for label, count in result.counts:  # each app's own lines (core/demo.py)
            self.stdout.write(f"  {label}：{count:,}")
        figures = {f.name: f for f in all_figures()}
        shown = "，".join(f"{figures[name].label} {value:,}" for name, value in result.stock.items())
        self.stdout.write(f"报表（2021-01-01 至 {result.stock_day}）：{shown}")
        self._sign_ins(result.sign_ins)

    def _sign_ins(self, sign_ins: list[SignIn]) -> None:
        if sign_ins:
            self.stdout.write(
                f"\n登录账号（密码均为 {DEMO_PASSWORD}；工作人员还需在验证器应用中添加下面的密钥，登录时输入6位验证码）："
            )
        for sign_in in sign_ins:
            self.stdout.write(f"  {sign_in.role}：{sign_in.username}  —  {sign_in.organisation}")
            if sign_in.totp_secret:
                self.stdout.write(f"    验证器密钥（TOTP）：{sign_in.totp_secret}")
