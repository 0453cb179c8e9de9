"""The simulated citizens' words: small tables, one per act, per register.

Written for the simulator only (never copied from the training data). A template names
the values it carries in braces: ``{item}``, ``{office}``, ``{time}``, ``{name}``,
``{phone}``, ``{btype}``, ``{held}``, ``{lacking}``, ``{doc}``, ``{bg}``. The registers
are ``plain``, ``terse``, ``chatty`` and ``dialect``; an act without a template in a
register uses ``plain``.
"""

from __future__ import annotations

Table = dict[str, dict[str, tuple[str, ...]]]

REGISTERS = ("plain", "terse", "chatty", "dialect")

# Background sentences of the chatty register.
BACKGROUNDS = (
    "我们是一家小企业",
    "我第一次办这个，不太懂",
    "领导让我来问问这个事",
    "我是替单位跑腿的",
    "朋友说可以先在网上问清楚",
    "我们厂今年刚开起来",
)

GRAMMAR: Table = {
    # -- openings of a booking ------------------------------------------------------------
    "open_booking": {
        "plain": ("我想预约", "我要预约", "想预约一下去窗口办事", "帮我约个办事的时间"),
        "terse": ("预约", "约个号"),
        "chatty": (
            "您好！我想先在网上预约一个时间去窗口办事，免得到了还要排队，麻烦您了。",
            "你好，{bg}，听说现在去办事可以先预约，我想约个时间。",
        ),
        "dialect": ("俺想约个时间去办事", "预约咋个弄嘛", "我想问哈子，咋个预约"),
    },
    "open_booking_item": {
        "plain": (
            "我想预约办{item}",
            "我要预约{item}",
            "预约一下{item}",
            "想约个时间去办{item}",
        ),
        "terse": ("预约{item}", "{item} 预约"),
        "chatty": (
            "您好，{bg}，想预约个时间去窗口办{item}，谢谢您。",
            "你好呀，我们单位要办{item}，想先在网上预约一下，麻烦帮我弄一下。",
        ),
        "dialect": ("俺想约个时间办{item}", "{item}咋个预约嘛", "我想问哈子，办{item}咋个约"),
    },
    # Several facts in one message (item, office, time, name, phone).
    "open_booking_all": {
        "plain": (
            "我想{time}在{office}办{item}，我叫{name}，电话{phone}",
            "帮我约{time}去{office}办{item}，姓名{name}，手机{phone}",
            "预约{item}，{office}，{time}，{name}，{phone}",
            "我要预约{time}到{office}办{item}，名字{name}，手机号{phone}",
        ),
        "chatty": (
            "您好，我想{time}去{office}办{item}，我叫{name}，手机号是{phone}，"
            "麻烦帮我预约一下，谢谢！",
        ),
        "dialect": ("俺想{time}去{office}办{item}，俺叫{name}，电话{phone}，帮俺约一哈",),
    },
    # -- answers to the bot's questions ---------------------------------------------------
    "ans_item": {
        "plain": ("{item}", "办{item}", "我要办{item}", "是{item}"),
        "terse": ("{item}",),
        "chatty": ("我要办的是{item}，麻烦您了", "是{item}，{bg}"),
        "dialect": ("就是{item}嘛", "办{item}撒"),
    },
    "ans_office": {
        "plain": ("{office}", "去{office}", "在{office}办", "{office}吧"),
        "terse": ("{office}",),
        "chatty": ("我住得离{office}比较近，就在那里办吧", "麻烦给我约{office}，谢谢"),
        "dialect": ("就{office}嘛", "俺去{office}"),
    },
    "ans_time": {
        "plain": ("{time}", "{time}吧", "我想{time}去", "{time}可以吗"),
        "terse": ("{time}",),
        "chatty": ("我{time}有空，就约这个时间吧，谢谢", "那就{time}吧，我那天正好请了假"),
        "dialect": ("{time}撒", "俺{time}去嘛"),
    },
    "ans_name": {
        "plain": ("{name}", "我叫{name}", "姓名{name}", "名字是{name}"),
        "terse": ("{name}",),
        "chatty": ("我叫{name}", "我的名字叫{name}", "我叫{name}，麻烦您了"),
        "dialect": ("俺叫{name}", "我叫{name}嘛", "{name}", "名字是{name}"),
    },
    "ans_phone": {
        "plain": ("{phone}", "手机{phone}", "我的手机号是{phone}", "电话{phone}"),
        "terse": ("{phone}",),
        "chatty": ("我的手机号是{phone}，有事随时打给我", "号码是{phone}，白天都能接"),
        "dialect": ("电话{phone}哈", "俺的手机是{phone}"),
    },
    "ans_btype": {
        "plain": ("{btype}", "是{btype}", "办{btype}"),
        "terse": ("{btype}",),
        "chatty": ("我们这次是{btype}，麻烦了",),
        "dialect": ("{btype}嘛", "是{btype}撒"),
    },
    "confirm": {
        "plain": ("确认", "确认预约", "对的，确认", "没问题"),
        "terse": ("对", "确认"),
        "chatty": ("都对的，麻烦帮我确认预约吧，谢谢！", "信息没错，确认预约"),
        "dialect": ("对头，就这么定了", "没得问题，确认"),
    },
    # Said before a fact the person already gave.
    "already": {
        "plain": ("刚才说过了，", "前面说了，", ""),
        "terse": ("",),
        "chatty": ("我刚才已经说过了哦，",),
        "dialect": ("刚才都说了嘛，",),
    },
    # After the bot went off track: back to booking.
    "back_to_booking": {
        "plain": ("我是要预约，", "我要预约，不是问这个，"),
        "terse": ("预约 ",),
        "chatty": ("不好意思，我是想预约一个时间，",),
        "dialect": ("俺是要预约嘛，",),
    },
    # -- corrections ----------------------------------------------------------------------
    "correct_office": {
        "plain": ("不对，是{office}", "说错了，应该是{office}", "不是那个，改成{office}"),
        "terse": ("不对 {office}",),
        "chatty": ("不好意思，我刚才说错了，应该是{office}，麻烦改一下",),
        "dialect": ("搞错了，是{office}嘛",),
    },
    "correct_time": {
        "plain": ("不对，是{time}", "改成{time}", "时间说错了，应该是{time}"),
        "terse": ("不对 是{time}",),
        "chatty": ("哎呀不好意思，时间说错了，应该是{time}，麻烦帮我改一下",),
        "dialect": ("说错了，是{time}撒",),
    },
    "correct_name": {
        "plain": ("名字写错了，是{name}", "不对，我叫{name}", "姓名改成{name}"),
        "terse": ("不对 {name}",),
        "chatty": ("不好意思名字打错了，我叫{name}",),
        "dialect": ("名字搞错了，是{name}",),
    },
    "correct_phone": {
        "plain": ("不对，手机号是{phone}", "号码错了，是{phone}", "手机号改成{phone}"),
        "terse": ("不对 手机号是{phone}",),
        "chatty": ("抱歉，手机号我打错了，正确的是{phone}",),
        "dialect": ("电话搞错了，是{phone}",),
    },
    "correct_item": {
        "plain": ("不对，我要办的是{item}",),
        "terse": ("不对 {item}",),
        "chatty": ("不是这个，我要办的是{item}",),
        "dialect": ("不是这个嘛，是{item}",),
    },
    "correct_btype": {
        "plain": ("不对，是{btype}", "说错了，我是要{btype}"),
        "terse": ("不对 {btype}",),
        "chatty": ("不好意思说错了，我们是{btype}，麻烦再帮我看看",),
        "dialect": ("搞错了，是{btype}",),
    },
    "correct_doc": {
        "plain": ("说错了，{doc}其实还没有", "更正一下，{doc}我还没准备"),
        "terse": ("不对 {doc}没有",),
        "chatty": ("不好意思，我刚看了一下，{doc}其实还没有，麻烦再帮我对一下",),
        "dialect": ("搞错了，{doc}还没得",),
    },
    "correct_doc_has": {
        "plain": ("不对，{doc}我有的", "说错了，{doc}其实已经有了"),
        "terse": ("不对 {doc}有",),
        "chatty": ("不好意思，我再看了一下，{doc}其实已经准备好了",),
        "dialect": ("搞错了，{doc}有的嘛",),
    },
    # -- questions asked in the middle -----------------------------------------------------
    "ask_requirements": {
        "plain": ("要带什么材料？", "需要准备哪些材料"),
        "terse": ("要啥材料",),
        "chatty": ("对了，顺便问一下，办这个要带哪些材料啊？我怕到时候白跑一趟。",),
        "dialect": ("要带啥子材料嘛",),
    },
    "ask_time_limit": {
        "plain": ("要多久能办好？", "多长时间能办下来"),
        "terse": ("要多久",),
        "chatty": ("另外想问一下，大概要多久才能办下来呀？",),
        "dialect": ("要好久才办得好哦",),
    },
    "ask_fee": {
        "plain": ("收费吗？", "要交多少钱"),
        "terse": ("收费吗",),
        "chatty": ("请问办这个收不收费呀？",),
        "dialect": ("要不要钱哦",),
    },
    "ask_item_time_limit": {
        "plain": ("{item}要多久能办好？",),
        "terse": ("{item}多久",),
        "chatty": ("您好，想先问一下，{item}大概要多久能办下来？",),
        "dialect": ("{item}要好久哦",),
    },
    # -- document check --------------------------------------------------------------------
    # {btc} is a business-type clause (see BTYPE_CLAUSES), possibly empty.
    "docs_open": {
        "plain": (
            "我要办{item}{btc}，我有{held}，还差什么？",
            "办{item}{btc}，{held}我都有了，还缺什么材料",
            "{item}{btc}，我已经准备了{held}，还需要什么",
        ),
        "terse": ("{item}{btc} 有{held} 还差啥",),
        "chatty": (
            "您好，{bg}，要办{item}{btc}，现在手上有{held}，不知道还差什么材料，麻烦帮我看看。",
        ),
        "dialect": (
            "俺要办{item}{btc}，{held}都有了，还差啥子嘛",
            "办{item}{btc}，我有{held}，还缺啥子",
        ),
    },
    "docs_open_lacking": {
        "plain": (
            "我要办{item}{btc}，我有{held}，还没有{lacking}，还差什么？",
            "办{item}{btc}，{held}有了，{lacking}还没准备，还缺哪些",
        ),
        "terse": ("{item}{btc} 有{held} 没有{lacking} 还差啥",),
        "chatty": (
            "您好，我们要办{item}{btc}，{held}已经准备好了，{lacking}还没有，请问还差什么？",
        ),
        "dialect": ("俺要办{item}{btc}，有{held}，{lacking}还没得，还差啥子",),
    },
    "docs_open_none": {
        "plain": (
            "我要办{item}{btc}，{lacking}还没有，还差哪些材料？",
            "办{item}{btc}，我还没有{lacking}，要准备什么",
        ),
        "terse": ("{item}{btc} 没有{lacking} 还差啥",),
        "chatty": ("您好，想办{item}{btc}，可是{lacking}都还没准备，请问还差哪些材料？",),
        "dialect": ("俺要办{item}{btc}，{lacking}还没得，要准备啥子",),
    },
    # Where the person is, before a document question (several facts in one message).
    "docs_where": {
        "plain": ("我在{office}，", "我是{office}的，"),
        "chatty": ("您好，我是{office}这边的，",),
        "dialect": ("俺在{office}，",),
    },
    # The document statement alone (item already said).
    "docs_say": {
        "plain": ("我有{held}，还差什么？", "{held}我都有了，还缺什么"),
        "terse": ("有{held} 还差啥",),
        "chatty": ("我现在手上有{held}，麻烦帮我看看还差什么材料",),
        "dialect": ("{held}都有了，还差啥子",),
    },
    "docs_say_lacking": {
        "plain": ("我有{held}，还没有{lacking}，还差什么？",),
        "terse": ("有{held} 没有{lacking}",),
        "chatty": ("我有{held}，{lacking}还没准备，麻烦帮我看看还差什么",),
        "dialect": ("有{held}，{lacking}还没得，还差啥子",),
    },
    "docs_say_none": {
        "plain": ("我还没有{lacking}，还差哪些材料？",),
        "terse": ("没有{lacking}",),
        "chatty": ("{lacking}我都还没准备，请问还差哪些？",),
        "dialect": ("{lacking}还没得，还差啥子",),
    },
}

# How a business type is attached to an item in one sentence ("叉车证，新办").
BTYPE_CLAUSES = ("，{btype}", "，办的是{btype}", "（{btype}）", "{btype}")

# Descriptions of items in people's words (written for the simulator): noun phrases that
# fit "我要办{item}", and whole clauses that stand alone ("公司叉车要上牌，想预约一下").
COLLOQUIAL_ITEMS: dict[str, tuple[str, ...]] = {
    "FW01": ("公司叉车上牌", "新装电梯的使用登记证", "新锅炉的使用登记"),
    "FW02": ("叉车证到期复审", "电梯证复审", "操作证到期复审"),
    "FW03": ("产品的条形码", "商品条码申请"),
    "FW04": ("企业标准的自我声明", "执行标准公开"),
    "FW06": ("强检计量器具的备案登记", "计量器具强检备案"),
    "FW07": ("特产的地理标志保护", "地理标志产品申报"),
    "FW08": ("定量包装的C标志", "定量包装商品计量保证能力评价"),
    "JY01": ("出租车计价器的强制检定", "电子秤强检"),
    "JY02": ("电梯年检", "锅炉定期检验", "叉车年检"),
    "JY03": ("新装电梯的安装监检", "锅炉安装监督检验"),
    "JY04": ("产品质量检测", "产品委托检验"),
    "JY05": ("实验室仪器校准", "仪器委托校准"),
    "SP01": ("工厂的生产许可证", "工业产品生产许可证"),
    "SP02": ("电梯安装资质", "锅炉制造许可证"),
    "SP03": ("特种设备检验机构核准", "无损检测资质核准"),
    "SP04": ("叉车证", "电梯证", "叉车操作证"),
    "SP05": ("液化气站的充装许可", "气瓶充装许可证"),
    "SP06": ("计量标准考核", "企业建标"),
    "SP07": ("计量器具新产品的型式批准", "新秤的型式批准"),
    "SP09": ("计量授权", "法定计量检定机构授权考核"),
    "SP10": ("实验室的CMA", "检测机构资质认定"),
    "TS01": ("假货投诉", "产品质量问题投诉"),
    "TS02": ("计量纠纷调解",),
    "TS03": ("产品质量争议仲裁", "质量争议仲裁检验"),
    "TS04": ("小区电梯安全隐患举报", "特种设备安全隐患举报"),
}
COLLOQUIAL_CLAUSES: dict[str, tuple[str, ...]] = {
    "FW01": ("公司叉车要上牌", "新装的电梯要去登记"),
    "FW02": ("我的叉车证快到期了要复审",),
    "FW03": ("我们的产品想弄个条形码",),
    "JY02": ("电梯到了年检的时候", "锅炉到期要做检验了"),
    "JY04": ("我们的产品想送去检测一下",),
    "JY05": ("实验室的仪器要校准了",),
    "SP04": ("我想考个叉车证", "学开叉车要办证"),
    "SP10": ("我们实验室要办CMA",),
    "TS01": ("我买到假货了想投诉",),
    "TS04": ("小区电梯有安全隐患想举报",),
}

# Names: common surnames and given-name characters.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建红梅鹏飞辉斌宇浩凯"
    "健俊帆帅旭宁欣婷雪琳晨阳海波志勇文博慧颖佳琪子豪思远雨涵嘉怡振国德胜"
)
# Ways to write a phone number besides the bare digits.
PHONE_FORMATS = ("{a}{b}{c}", "{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}")

# Picking among buttons (style 7).
ORDINALS = {
    1: ("第一个", "1", "第1个", "选第一个"),
    2: ("第二个", "2", "第2个"),
    3: ("第三个", "3", "第3个"),
    4: ("第四个", "4"),
    5: ("第五个", "5"),
    6: ("第六个", "6"),
    7: ("第七个", "7"),
    8: ("第八个", "8"),
    9: ("第九个", "9"),
    10: ("第十个", "10"),
}
EARLIEST = ("最早那个", "最早的", "最早的那个")
HALF_PICKS = {"上午": ("上午那个", "要上午的"), "下午": ("下午那个", "要下午的")}

# Near-homophones and look-alikes people type (style 9): word → typo.
TYPOS: dict[str, str] = {
    "叉车证": "叉车正",
    "电梯": "点梯",
    "登记": "登己",
    "预约": "预越",
    "营业执照": "营业执招",
    "身份证": "身分证",
    "申请书": "申情书",
    "材料": "材聊",
    "确认": "确任",
    "委托书": "委托树",
    "检验": "检眼",
    "许可证": "许可正",
    "资质": "资制",
    "强检": "强减",
    "条码": "条吗",
    "办理": "半理",
    "操作证": "操做证",
    "校准": "较准",
    "投诉": "投述",
    "举报": "举保",
    "备案": "备按",
    "声明": "生明",
    "检定": "检订",
    "认定": "认订",
    "生产": "声产",
    "锅炉": "锅芦",
    "年检": "年减",
    "什么": "什摸",
    "复审": "复申",
}

# Dialect words replacing plain ones (style 11), applied to the template words only.
DIALECT_WORDS: dict[str, str] = {
    "什么": "啥子",
    "怎么": "咋个",
    "一下": "一哈",
    "没有": "没得",
}
