from datetime import date

from django.db import migrations

TEXTS = {
    "health": (
        "为办理职工医疗互助，工会需要收集和使用您的健康信息（就诊、住院、诊断和医疗费用等），"
        "仅用于医疗互助的参保、审核和补助发放，保存至互助事项办结后五年。"
        "健康信息属于敏感个人信息，您可以不同意，但将无法申请医疗互助补助；同意后可随时撤回，"
        "撤回不影响撤回前已办理事项的效力。"
    ),
    "household_income": (
        "为办理困难职工帮扶，工会需要收集和使用您及家庭成员的收入、支出和财产情况，"
        "仅用于困难职工认定、建档和帮扶发放，保存至档案注销后五年。"
        "家庭收入信息属于敏感个人信息，您可以不同意，但将无法建立困难职工档案；同意后可随时撤回，"
        "撤回不影响撤回前已办理事项的效力。"
    ),
}


def add_texts(apps, schema_editor):
    ConsentText = apps.get_model("privacy", "ConsentText")
    for category, text in TEXTS.items():
        ConsentText.objects.get_or_create(
            category=category, version=1, defaults={"text": text, "effective_from": date(2026, 1, 1)}
        )


def remove_texts(apps, schema_editor):
    apps.get_model("privacy", "ConsentText").objects.filter(version=1, category__in=TEXTS).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_texts, remove_texts)]
