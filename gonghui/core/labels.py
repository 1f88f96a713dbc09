"""Chinese strings that other modules define without marking them for translation (model
choice labels, service error messages). Listing them here lets `makemessages` put them in the
English catalogue; pages translate them at display time with `{% translate value %}` or
`gettext(err.message)`. Messages built with f-strings stay in Chinese."""

from django.utils.translation import gettext_noop as _
from django.utils.translation import pgettext_lazy

CHOICE_LABELS = {
    # As a role the same words name the people, not the organisation: translate with context.
    "core.Role": (
        pgettext_lazy("role", "市总工会"),
        pgettext_lazy("role", "镇（街道）总工会"),
        pgettext_lazy("role", "基层工会"),
        pgettext_lazy("role", "会员"),
    ),
    "organisations.OrganisationKind": (
        _("市总工会"),
        _("镇（街道）总工会"),
        _("企事业单位工会"),
        _("联合工会"),
        _("行业工会联合会"),
        _("楼宇商圈工会"),
    ),
    "organisations.OrganisationStatus": (_("正常"), _("已合并"), _("已撤销")),
    "organisations.OfficerRole": (_("主席"), _("副主席"), _("兼职副主席"), _("挂职副主席"), _("专干"), _("经审委员")),
    "organisations.EmployerCategory": (
        _("国有"),
        _("集体"),
        _("股份合作"),
        _("联营"),
        _("国有独资有限责任公司"),
        _("其他有限责任公司"),
        _("上市股份有限公司"),
        _("其他股份有限公司"),
        _("私营"),
        _("其他内资"),
        _("港澳台投资"),
        _("外商投资"),
        _("事业单位"),
        _("机关"),
        _("个体工商户"),
        _("民办非企业单位"),
    ),
    "members.Sex": (_("男"), _("女")),
    "members.Education": (_("小学及以下"), _("初中"), _("高中/中专"), _("大专"), _("本科"), _("研究生")),
    "members.SkillLevel": (_("无"), _("初级工"), _("中级工"), _("高级工"), _("技师"), _("高级技师")),
    "members.MembershipStatus": (_("在会"), _("已转出"), _("已退会"), _("已去世")),
    "members.MembershipEventKind": (_("入会"), _("转出"), _("转入"), _("退会"), _("去世")),
    "members.TransferStatus": (_("待确认"), _("已转接"), _("已拒绝"), _("已撤回")),
    "members.TransferInitiator": (_("转出工会发起"), _("会员申请")),
    "members.ImportStatus": (_("排队中"), _("检查中"), _("有错误，未导入"), _("已导入")),
}

SERVICE_MESSAGES = (
    _("日期格式应为 YYYY-MM-DD"),
    _("结束日期早于开始日期"),
    _("没有这个时间段"),
    _("仅限会员本人查看"),
    _("仅限工会工作人员操作"),
    _("只有会员所在工会及其上级可以修改资料"),
    _("只有会员本人可以申请转接"),
    _("只有发起方可以撤回"),
    _("只有系统管理员可以建立市总工会"),
    _("只能导入 .xlsx 或 .csv 文件（.xls 请在 Excel 中另存为 .xlsx）"),
    _("姓名不能为空"),
    _("您不是该转接的转出或转入方"),
    _("您没有查看完整身份信息的权限"),
    _("您目前没有有效会籍"),
    _("所在地须为镇（街道）总工会"),
    _("手机号码应为11位，以13-19开头"),
    _("日期不能晚于今天"),
    _("模板格式只能是 xlsx 或 csv"),
    _("没有找到该会员，或不在您的管辖范围内"),
    _("没有找到该会籍，或不在您的管辖范围内"),
    _("没有找到该单位"),
    _("没有找到该单位，或不在您的管辖范围内"),
    _("没有找到该导入记录，或不在您的管辖范围内"),
    _("没有找到该组织"),
    _("没有找到该组织，或不在您的管辖范围内"),
    _("没有找到该转接申请，或不在您的管辖范围内"),
    _("状态只能是合并或撤销"),
    _("离任日期早于任职日期"),
    _("组织代码只能由大写字母、数字和连字符组成，如 HN-XF-0001"),
    _("统一社会信用代码已登记"),
    _("该会员已有一笔待确认的转接"),
    _("该会员有未完成的转接，请先处理"),
    _("该会籍已不在有效状态"),
    _("该工会不在您的管辖范围内"),
    _("该组织不在您的管辖范围内"),
    _("该组织已不是正常状态"),
    _("该职工已有有效会籍"),
    _("该职工目前没有有效会籍"),
    _("该账号未关联会员"),
    _("该账号没有分配角色"),
    _("该转接已处理"),
    _("请先处理其下属组织"),
    _("请先登录"),
    _("请填写组织代码"),
    _("请填写拒绝原因"),
    _("请填写查看理由"),
    _("请填写退会原因"),
    _("请选择一个正常状态的合并对象"),
    _("转入工会与现工会相同"),
    _("退会日期早于入会日期"),
)


# Labels of audit actions and results, consent categories and application statuses, and
# messages of the audit, privacy and enrolment services: plain Chinese in their models and
# services, translated where they are shown.
AUDIT_PRIVACY_ENROLMENT = (
    _("停用账号"),
    _("登录失败"),
    _("账号被锁定"),
    _("查看敏感记录"),
    _("查看完整身份证号"),
    _("查看完整手机号"),
    _("修改数据"),
    _("越权访问被拒"),
    _("导出"),
    _("导入"),
    _("下载本人数据"),
    _("同意处理敏感信息"),
    _("成功"),
    _("被拒绝"),
    _("失败"),
    _("健康信息（医疗互助）"),
    _("家庭收入信息（困难职工帮扶）"),
    _("仅限有审计权限的市总工会工作人员查看审计日志"),
    _("仅限会员本人操作"),
    _("不认识的同意类别"),
    _("该类别还没有生效的同意书文本"),
    _("没有可撤回的同意"),
    _("处理健康信息（医疗互助）需要职工本人单独同意；请职工在“我的会籍”中同意后再办理"),
    _("处理家庭收入信息（困难职工帮扶）需要职工本人单独同意；请职工在“我的会籍”中同意后再办理"),
    _("待审核"),
    _("已接收"),
)


# The API's answers to errors Django or ninja meet outside its handlers (core/api_support.py).
API_ERRORS = (
    _("没有权限执行该操作"),
    _("不支持该请求方法"),
    _("请求过于频繁，请稍后再试"),
    _("请求有误"),
    _("服务器出错，请稍后再试"),
)
