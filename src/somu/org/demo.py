"""The demo organizations: 株式会社サンプル (about 60 people) and the small サンプル商事株式会社.

Everything here is fixed data — no randomness, no dates relative to today — so every `somu demo`
shows the same company and docs, screenshots and tests can name its people. Later apps add their
own demo data on top of it and find people by the employee numbers (社員番号) below.

All writes go through :mod:`somu.org.services`, so the demo's audit log tells how it was built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services, services_positions
from somu.org.models import (
    Department,
    EmploymentType,
    Grade,
    Membership,
    Organization,
    Person,
    Position,
    Skill,
    User,
)

DEMO_SLUG = "sample"
TRADING_SLUG = "sample-trading"

REGULAR = EmploymentType.REGULAR.value
CONTRACT = EmploymentType.CONTRACT.value
PART = EmploymentType.PART_TIME.value
DISPATCHED = EmploymentType.DISPATCHED.value


class DemoGrade(NamedTuple):
    code: str
    name: str
    hourly_cost: int  # yen, including social insurance and overhead
    difficulty_min: int
    difficulty_max: int


class DemoDepartment(NamedTuple):
    name: str
    parent: str | None
    code: str


class DemoPerson(NamedTuple):
    number: str
    name: str
    kana: str
    romaji: str  # the email address's local part
    grade: str
    hired: str  # ISO date
    employment: str = REGULAR
    hours: int | None = None  # standard monthly hours, when not the organization's 160


@dataclass(frozen=True)
class DemoCompany:
    name: str
    slug: str
    email_domain: str
    departments: tuple[DemoDepartment, ...]  # parents before children
    grades: tuple[DemoGrade, ...]
    # Department name → its people; the first one listed heads the department.
    people: Mapping[str, tuple[DemoPerson, ...]]
    retirements: tuple[tuple[str, str], ...]  # (employee number, ISO retirement date)
    skills: tuple[tuple[str, str], ...]  # (name, category)
    person_skills: Mapping[str, tuple[tuple[str, int], ...]]  # number → ((skill, level 1–4), …)
    # (name, month, day, year or None for every year), on top of 年末年始 12/29–1/3.
    holidays: tuple[tuple[str, int, int, int | None], ...]
    # 役職: 正社員 hold the one of their grade, 契約社員 一般, パート and 派遣 none; ``positions``
    # names the exceptions by employee number.
    position_by_grade: Mapping[str, str] = field(default_factory=dict)
    positions: Mapping[str, str] = field(default_factory=dict)
    # Departments whose head (部署長) is left vacant; every other one is headed by its first
    # person.
    vacant_heads: tuple[str, ...] = ()


# ---- 株式会社サンプル ------------------------------------------------------------

SAMPLE_DEPARTMENTS = (
    DemoDepartment("管理本部", None, "100"),
    DemoDepartment("総務部", "管理本部", "110"),
    DemoDepartment("人事部", "管理本部", "120"),
    DemoDepartment("経理部", "管理本部", "130"),
    DemoDepartment("法務・コンプライアンス室", "管理本部", "140"),
    DemoDepartment("情報システム部", "管理本部", "150"),
    DemoDepartment("営業本部", None, "200"),
    DemoDepartment("営業部", "営業本部", "210"),
    DemoDepartment("第一営業課", "営業部", "211"),
    DemoDepartment("第二営業課", "営業部", "212"),
    DemoDepartment("開発本部", None, "300"),
    DemoDepartment("開発部", "開発本部", "310"),
)

SAMPLE_GRADES = (
    DemoGrade("G1", "一般", 2400, 1, 2),
    DemoGrade("G2", "主任", 3000, 1, 3),
    DemoGrade("G3", "係長", 3800, 2, 3),
    DemoGrade("G4", "課長", 5000, 3, 4),
    DemoGrade("G5", "部長", 6800, 4, 5),
    DemoGrade("G6", "本部長", 9000, 4, 5),
)

# Employee numbers follow the hire date, as they do in most companies.
SAMPLE_PEOPLE: Mapping[str, tuple[DemoPerson, ...]] = {
    "管理本部": (
        DemoPerson("S0002", "高橋 誠", "たかはし まこと", "takahashi.makoto", "G6", "1994-04-01"),
    ),
    "総務部": (
        DemoPerson("S0006", "中村 恵子", "なかむら けいこ", "nakamura.keiko", "G5", "1998-04-01"),
        DemoPerson("S0012", "小林 直樹", "こばやし なおき", "kobayashi.naoki", "G4", "2003-04-01"),
        DemoPerson("S0020", "加藤 由美", "かとう ゆみ", "kato.yumi", "G3", "2008-04-01"),
        DemoPerson("S0034", "吉田 翔太", "よしだ しょうた", "yoshida.shota", "G2", "2015-04-01"),
        DemoPerson("S0050", "山本 美咲", "やまもと みさき", "yamamoto.misaki", "G1", "2021-04-01"),
        DemoPerson("S0054", "松本 大輝", "まつもと だいき", "matsumoto.daiki", "G1", "2023-04-01"),
        DemoPerson("S0047", "井上 真由美", "いのうえ まゆみ", "inoue.mayumi", "G1", "2019-10-01",
                   CONTRACT),
        DemoPerson("S0041", "木村 幸子", "きむら さちこ", "kimura.sachiko", "G1", "2017-06-01",
                   PART, 100),
        DemoPerson("S0060", "林 あかり", "はやし あかり", "hayashi.akari", "G1", "2024-07-01",
                   DISPATCHED),
        DemoPerson("S0015", "清水 健一", "しみず けんいち", "shimizu.kenichi", "G2", "2005-04-01"),
    ),
    "人事部": (
        DemoPerson("S0004", "山口 隆", "やまぐち たかし", "yamaguchi.takashi", "G5", "1996-04-01"),
        DemoPerson("S0013", "森 久美子", "もり くみこ", "mori.kumiko", "G4", "2004-04-01"),
        DemoPerson("S0026", "池田 拓也", "いけだ たくや", "ikeda.takuya", "G3", "2011-04-01"),
        DemoPerson("S0037", "橋本 彩", "はしもと あや", "hashimoto.aya", "G2", "2016-04-01"),
        DemoPerson("S0057", "石川 陽菜", "いしかわ ひな", "ishikawa.hina", "G1", "2024-04-01"),
        DemoPerson("S0042", "前田 和子", "まえだ かずこ", "maeda.kazuko", "G2", "2018-04-01",
                   CONTRACT),
        DemoPerson("S0048", "藤田 裕子", "ふじた ゆうこ", "fujita.yuko", "G1", "2020-09-01",
                   PART, 80),
        DemoPerson("S0009", "岡田 浩", "おかだ ひろし", "okada.hiroshi", "G3", "2000-04-01"),
    ),
    "経理部": (
        DemoPerson("S0005", "後藤 正人", "ごとう まさと", "goto.masato", "G5", "1997-04-01"),
        DemoPerson("S0017", "長谷川 美穂", "はせがわ みほ", "hasegawa.miho", "G4", "2006-04-01"),
        DemoPerson("S0027", "村上 健太", "むらかみ けんた", "murakami.kenta", "G3", "2012-04-01"),
        DemoPerson("S0039", "近藤 麻衣", "こんどう まい", "kondo.mai", "G2", "2017-04-01"),
        DemoPerson("S0052", "坂本 悠斗", "さかもと ゆうと", "sakamoto.yuto", "G1", "2022-04-01"),
        DemoPerson("S0036", "遠藤 典子", "えんどう のりこ", "endo.noriko", "G1", "2015-05-01",
                   PART, 120),
        DemoPerson("S0062", "青木 千尋", "あおき ちひろ", "aoki.chihiro", "G1", "2025-01-06",
                   DISPATCHED),
    ),
    "法務・コンプライアンス室": (
        DemoPerson("S0007", "藤井 修", "ふじい おさむ", "fujii.osamu", "G5", "1999-04-01"),
        DemoPerson("S0023", "西村 理恵", "にしむら りえ", "nishimura.rie", "G4", "2009-10-01"),
        DemoPerson("S0032", "福田 亮", "ふくだ りょう", "fukuda.ryo", "G3", "2014-04-01"),
        DemoPerson("S0045", "太田 千夏", "おおた ちなつ", "ota.chinatsu", "G2", "2019-04-01"),
    ),
    "情報システム部": (
        DemoPerson("S0010", "三浦 洋平", "みうら ようへい", "miura.yohei", "G5", "2001-04-01"),
        DemoPerson("S0019", "岡本 剛", "おかもと つよし", "okamoto.tsuyoshi", "G4", "2007-04-01"),
        DemoPerson("S0030", "藤原 智也", "ふじわら ともや", "fujiwara.tomoya", "G3", "2013-04-01"),
        DemoPerson("S0043", "中島 さくら", "なかじま さくら", "nakajima.sakura", "G2",
                   "2018-04-01"),
        DemoPerson("S0055", "原田 蓮", "はらだ れん", "harada.ren", "G1", "2023-04-01"),
        DemoPerson("S0061", "小野 直美", "おの なおみ", "ono.naomi", "G1", "2024-10-01",
                   DISPATCHED),
        DemoPerson("S0024", "金子 亮介", "かねこ りょうすけ", "kaneko.ryosuke", "G3", "2010-04-01"),
    ),
    "営業本部": (
        DemoPerson("S0001", "佐藤 浩二", "さとう こうじ", "sato.koji", "G6", "1993-04-01"),
    ),
    "営業部": (
        DemoPerson("S0003", "鈴木 一郎", "すずき いちろう", "suzuki.ichiro", "G5", "1995-04-01"),
        DemoPerson("S0038", "田中 久美", "たなか くみ", "tanaka.kumi", "G2", "2016-10-01",
                   CONTRACT),
        DemoPerson("S0051", "渡辺 恵美", "わたなべ えみ", "watanabe.emi", "G1", "2021-07-01",
                   PART, 96),
    ),
    "第一営業課": (
        DemoPerson("S0016", "伊藤 大輔", "いとう だいすけ", "ito.daisuke", "G4", "2005-04-01"),
        DemoPerson("S0025", "山下 聡", "やました さとし", "yamashita.satoshi", "G3", "2010-04-01"),
        DemoPerson("S0033", "石井 美香", "いしい みか", "ishii.mika", "G2", "2014-04-01"),
        DemoPerson("S0040", "小川 直人", "おがわ なおと", "ogawa.naoto", "G2", "2017-04-01"),
        DemoPerson("S0053", "斎藤 優花", "さいとう ゆうか", "saito.yuka", "G1", "2022-04-01"),
        DemoPerson("S0058", "岡 駿", "おか しゅん", "oka.shun", "G1", "2024-04-01"),
    ),
    "第二営業課": (
        DemoPerson("S0014", "阿部 武", "あべ たけし", "abe.takeshi", "G4", "2004-04-01"),
        DemoPerson("S0022", "松田 健二", "まつだ けんじ", "matsuda.kenji", "G3", "2009-04-01"),
        DemoPerson("S0035", "野口 舞", "のぐち まい", "noguchi.mai", "G2", "2015-04-01"),
        DemoPerson("S0056", "菊地 颯太", "きくち そうた", "kikuchi.sota", "G1", "2023-04-01"),
        DemoPerson("S0063", "上田 葵", "うえだ あおい", "ueda.aoi", "G1", "2025-04-01"),
        DemoPerson("S0028", "内田 雄一", "うちだ ゆういち", "uchida.yuichi", "G2", "2012-04-01"),
    ),
    "開発本部": (
        DemoPerson("S0008", "杉山 哲也", "すぎやま てつや", "sugiyama.tetsuya", "G6", "1999-10-01"),
    ),
    "開発部": (
        DemoPerson("S0011", "中川 達也", "なかがわ たつや", "nakagawa.tatsuya", "G5", "2002-04-01"),
        DemoPerson("S0018", "今井 祐介", "いまい ゆうすけ", "imai.yusuke", "G4", "2006-04-01"),
        # 短時間勤務 (reduced hours while raising a child).
        DemoPerson("S0021", "河野 香織", "こうの かおり", "kono.kaori", "G4", "2008-04-01",
                   REGULAR, 120),
        DemoPerson("S0029", "武田 翼", "たけだ つばさ", "takeda.tsubasa", "G3", "2012-04-01"),
        DemoPerson("S0031", "平野 真一", "ひらの しんいち", "hirano.shinichi", "G3", "2013-10-01"),
        DemoPerson("S0044", "大塚 彩花", "おおつか あやか", "otsuka.ayaka", "G2", "2018-04-01"),
        DemoPerson("S0046", "千葉 悠真", "ちば ゆうま", "chiba.yuma", "G2", "2019-04-01"),
        DemoPerson("S0059", "久保 結衣", "くぼ ゆい", "kubo.yui", "G1", "2024-04-01"),
        DemoPerson("S0049", "菅原 拓海", "すがわら たくみ", "sugawara.takumi", "G3", "2021-01-04",
                   CONTRACT),
    ),
}

SAMPLE_RETIREMENTS = (
    ("S0009", "2024-09-30"),  # 岡田 浩 (人事部): took 年末調整 know-how with him
    ("S0028", "2024-12-31"),  # 内田 雄一 (第二営業課)
    ("S0015", "2025-03-31"),  # 清水 健一 (総務部)
    ("S0024", "2025-06-30"),  # 金子 亮介 (情報システム部)
)

SAMPLE_SKILLS = (
    ("備品管理", "総務"),
    ("来客対応", "総務"),
    ("株主総会運営", "総務"),
    ("給与計算", "人事労務"),
    ("社会保険手続き", "人事労務"),
    ("年末調整", "人事労務"),
    ("労務相談", "人事労務"),
    ("会計ソフト", "経理"),
    ("月次決算", "経理"),
    ("契約書審査", "法務"),
    ("英文契約", "法務"),
    ("PCキッティング", "情報システム"),
    ("アカウント管理", "情報システム"),
    ("ネットワーク", "情報システム"),
    ("Excel", "共通"),
)

# Levels: 1 learning, 2 with a manual, 3 alone, 4 can teach. 株主総会運営, 英文契約 and
# ネットワーク have a single holder each, and 年末調整 one capable person left: the 属人化 the
# survey module is there to show.
SAMPLE_PERSON_SKILLS: Mapping[str, tuple[tuple[str, int], ...]] = {
    # 総務部
    "S0006": (("株主総会運営", 4), ("備品管理", 3), ("来客対応", 3), ("Excel", 3)),
    "S0012": (("備品管理", 4), ("契約書審査", 2), ("来客対応", 3), ("Excel", 3)),
    "S0020": (("備品管理", 3), ("来客対応", 4), ("Excel", 3)),
    "S0034": (("備品管理", 3), ("来客対応", 3), ("Excel", 4), ("PCキッティング", 1)),
    "S0050": (("来客対応", 3), ("備品管理", 2), ("Excel", 2)),
    "S0054": (("来客対応", 2), ("備品管理", 1), ("Excel", 2)),
    "S0047": (("来客対応", 3), ("Excel", 2)),
    "S0041": (("来客対応", 3), ("備品管理", 2)),
    "S0060": (("来客対応", 2), ("Excel", 3)),
    "S0015": (("備品管理", 4), ("Excel", 3)),
    # 人事部
    "S0004": (("労務相談", 4), ("給与計算", 3), ("社会保険手続き", 3)),
    "S0013": (("給与計算", 4), ("年末調整", 4), ("社会保険手続き", 4), ("労務相談", 3),
              ("Excel", 3)),
    "S0026": (("社会保険手続き", 3), ("給与計算", 3), ("労務相談", 2), ("Excel", 3)),
    "S0037": (("社会保険手続き", 3), ("給与計算", 2), ("年末調整", 1), ("Excel", 3)),
    "S0057": (("社会保険手続き", 1), ("Excel", 2)),
    "S0042": (("給与計算", 3), ("社会保険手続き", 2), ("Excel", 3)),
    "S0048": (("給与計算", 2), ("Excel", 2)),
    "S0009": (("年末調整", 4), ("給与計算", 4), ("労務相談", 3)),
    # 経理部
    "S0005": (("月次決算", 4), ("会計ソフト", 3), ("Excel", 4)),
    "S0017": (("月次決算", 4), ("会計ソフト", 4), ("Excel", 4)),
    "S0027": (("月次決算", 3), ("会計ソフト", 3), ("Excel", 3)),
    "S0039": (("会計ソフト", 3), ("月次決算", 2), ("Excel", 3)),
    "S0052": (("会計ソフト", 2), ("Excel", 2)),
    "S0036": (("会計ソフト", 3), ("Excel", 3)),
    "S0062": (("会計ソフト", 2), ("Excel", 3)),
    # 法務・コンプライアンス室
    "S0007": (("契約書審査", 4), ("労務相談", 2)),
    "S0023": (("契約書審査", 4), ("英文契約", 4)),
    "S0032": (("契約書審査", 3), ("Excel", 3)),
    "S0045": (("契約書審査", 2), ("Excel", 2)),
    # 情報システム部
    "S0010": (("アカウント管理", 3), ("PCキッティング", 3), ("Excel", 3)),
    "S0019": (("アカウント管理", 4), ("PCキッティング", 4)),
    "S0030": (("ネットワーク", 4), ("アカウント管理", 3), ("PCキッティング", 3)),
    "S0043": (("アカウント管理", 3), ("PCキッティング", 3), ("Excel", 3)),
    "S0055": (("PCキッティング", 2), ("アカウント管理", 1)),
    "S0061": (("PCキッティング", 3),),
    "S0024": (("アカウント管理", 3), ("PCキッティング", 4)),
    # 営業 and 開発: the back-office skills they happen to have
    "S0038": (("Excel", 4), ("来客対応", 3)),
    "S0051": (("Excel", 3), ("来客対応", 2)),
    "S0025": (("Excel", 3),),
    "S0033": (("Excel", 2),),
    "S0031": (("PCキッティング", 2), ("Excel", 2)),
    "S0046": (("アカウント管理", 2),),
}

SAMPLE = DemoCompany(
    name="株式会社サンプル",
    slug=DEMO_SLUG,
    email_domain="sample.example",
    departments=SAMPLE_DEPARTMENTS,
    grades=SAMPLE_GRADES,
    people=SAMPLE_PEOPLE,
    retirements=SAMPLE_RETIREMENTS,
    skills=SAMPLE_SKILLS,
    person_skills=SAMPLE_PERSON_SKILLS,
    holidays=(
        ("創立記念日", 10, 1, None),
        # 11/2/2026 is the Monday between a Sunday and 文化の日: one bridge day off.
        ("臨時休業日", 11, 2, 2026),
    ),
    # 課長 of a 課 (第一営業課) → 部長 (営業部) → 本部長 (営業本部) → 社長: the chain approval
    # routes walk. G4 people outside a 課 are 担当課長, as in many Japanese companies.
    position_by_grade={"G1": "一般", "G2": "一般", "G3": "係長", "G4": "課長", "G5": "部長",
                       "G6": "本部長"},
    # 高橋 誠, 管理本部, is the 社長; the 管理本部長 post is vacant (the 社長 covers it): the
    # vacant post approval routes must handle.
    positions={"S0002": "社長"},
    vacant_heads=("管理本部",),
)

# The person the demo's "admin" account is in 株式会社サンプル: 松本 大輝, 総務部, who runs
# somu for the company. Linked so that 自分のタスク and 調査への回答 work at the first login.
ADMIN_PERSON = "S0054"

# Login accounts of 株式会社サンプル besides the admin: (username, role, employee number or None).
ROLE_ACCOUNTS: tuple[tuple[str, Role, str | None], ...] = (
    ("manager", Role.MANAGER, "S0006"),  # 中村 恵子, 総務部長
    ("staff", Role.STAFF, "S0034"),  # 吉田 翔太, 総務部
    ("employee", Role.EMPLOYEE, "S0053"),  # 斎藤 優花, 第一営業課
    ("auditor", Role.AUDITOR, "S0032"),  # 福田 亮, 法務・コンプライアンス室 (内部監査)
    ("executive", Role.EXECUTIVE, "S0002"),  # 高橋 誠, 社長: the 活動報告 and the KPIs
)

# ---- サンプル商事株式会社: a second, small tenant for the organization switcher ------

TRADING = DemoCompany(
    name="サンプル商事株式会社",
    slug=TRADING_SLUG,
    email_domain="sample-trading.example",
    departments=(
        DemoDepartment("管理部", None, "A"),
        DemoDepartment("営業部", None, "S"),
        DemoDepartment("物流部", None, "L"),
    ),
    grades=(
        DemoGrade("T1", "一般", 2200, 1, 2),
        DemoGrade("T2", "主任", 3200, 2, 4),
        DemoGrade("T3", "管理職", 5500, 3, 5),
    ),
    people={
        "管理部": (
            DemoPerson("T001", "大野 浩之", "おおの ひろゆき", "ono.hiroyuki", "T3", "2002-04-01"),
            DemoPerson("T005", "宮崎 愛", "みやざき あい", "miyazaki.ai", "T2", "2016-04-01"),
            DemoPerson("T007", "桜井 優子", "さくらい ゆうこ", "sakurai.yuko", "T1", "2020-06-01",
                       PART, 100),
        ),
        "営業部": (
            DemoPerson("T002", "谷口 健", "たにぐち けん", "taniguchi.ken", "T3", "2005-04-01"),
            DemoPerson("T004", "工藤 誠也", "くどう せいや", "kudo.seiya", "T2", "2013-04-01"),
            DemoPerson("T008", "横山 みなみ", "よこやま みなみ", "yokoyama.minami", "T1",
                       "2023-04-01"),
        ),
        "物流部": (
            DemoPerson("T003", "新井 大介", "あらい だいすけ", "arai.daisuke", "T3", "2008-10-01"),
            DemoPerson("T006", "北村 翔", "きたむら しょう", "kitamura.sho", "T1", "2019-04-01",
                       CONTRACT),
        ),
    },
    retirements=(),
    skills=(("会計ソフト", "経理"), ("在庫管理", "物流"), ("貿易実務", "営業")),
    person_skills={
        "T001": (("会計ソフト", 4),),
        "T005": (("会計ソフト", 3),),
        "T002": (("貿易実務", 4),),
        "T003": (("在庫管理", 4),),
        "T006": (("在庫管理", 2),),
    },
    holidays=(("夏季休業", 8, 13, None), ("夏季休業", 8, 14, None), ("夏季休業", 8, 15, None)),
    position_by_grade={"T1": "一般", "T2": "係長", "T3": "部長"},
)


# ---- loading --------------------------------------------------------------------------------


@dataclass
class LoadedCompany:
    """What :func:`load_company` created, for adding more demo data on top."""

    organization: Organization
    departments: dict[str, Department]
    people: dict[str, Person]  # by employee number


def load(*, admin: User, password: str) -> None:
    """Create both demo organizations; ``admin`` administers both, the role accounts the first."""
    sample = load_company(SAMPLE)
    _grant(sample.organization, admin, Role.ADMIN, sample.people[ADMIN_PERSON])
    _create_role_accounts(sample, password=password)
    trading = load_company(TRADING)
    _grant(trading.organization, admin, Role.ADMIN)


def ensure_admin_person(organization: Organization, *, admin: User) -> None:
    """Link the admin to their person in a demo made before it was linked (idempotent)."""
    with tenancy.activate(organization):
        membership = Membership.objects.filter(user=admin, is_active=True).first()
        person = Person.objects.filter(employee_number=ADMIN_PERSON).first()
        if membership is None or membership.person_id is not None or person is None:
            return
        services.membership_set(actor=None, user=admin, role=Role(membership.role), person=person)


def load_company(company: DemoCompany, *, slug: str | None = None) -> LoadedCompany:
    """Create one demo organization with its structure, people, skills and calendar."""
    organization = services.organization_create(
        actor=None, name=company.name, slug=slug or company.slug
    )
    with tenancy.activate(organization):
        departments = _create_departments(company)
        grades = {
            g.code: services.grade_save(
                actor=None, grade=None, data={**g._asdict(), "sort_order": order}
            )
            for order, g in enumerate(company.grades, start=1)
        }
        people = _create_people(company, departments, grades)
        _appoint_heads(company, departments, people)
        for number, retired_on in company.retirements:
            services.person_retire(
                actor=None, person=people[number], retired_on=dt.date.fromisoformat(retired_on)
            )
        _create_skills(company, people)
        for name, month, day, year in company.holidays:
            services.company_holiday_add(actor=None, name=name, month=month, day=day, year=year)
    return LoadedCompany(organization, departments, people)


def _create_departments(company: DemoCompany) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for d in company.departments:
        parent = departments[d.parent] if d.parent else None
        departments[d.name] = services.department_create(
            actor=None, name=d.name, parent=parent, code=d.code
        )
    return departments


def _create_people(
    company: DemoCompany, departments: Mapping[str, Department], grades: Mapping[str, Grade]
) -> dict[str, Person]:
    """People department by department, parents first, so every manager exists before reports."""
    parents = {d.name: d.parent for d in company.departments}
    positions = {p.name: p for p in Position.objects.all()}
    heads: dict[str, Person] = {}
    people: dict[str, Person] = {}
    for department in company.departments:
        for index, p in enumerate(company.people.get(department.name, ())):
            is_head = index == 0
            if is_head:
                manager = _head_above(department.parent, heads, parents)
            else:
                manager = heads[department.name]
            person = services.person_create(actor=None, data={
                "employee_number": p.number,
                "name": p.name,
                "name_kana": p.kana,
                "email": f"{p.romaji}@{company.email_domain}",
                "department": departments[department.name],
                "grade": grades[p.grade],
                "employment_type": p.employment,
                "hire_date": dt.date.fromisoformat(p.hired),
                "manager": manager,
                "standard_monthly_hours": Decimal(p.hours) if p.hours else None,
                "position": positions.get(_position_of(company, p)),
            })
            if is_head:
                heads[department.name] = person
            people[p.number] = person
    return people


def _position_of(company: DemoCompany, person: DemoPerson) -> str:
    if person.number in company.positions:
        return company.positions[person.number]
    if person.employment == REGULAR:
        return company.position_by_grade.get(person.grade, "")
    return "一般" if person.employment == CONTRACT else ""


def _appoint_heads(company: DemoCompany, departments: Mapping[str, Department],
                   people: Mapping[str, Person]) -> None:
    """Each department's first person heads it (部長 of a 部, 課長 of a 課 …), but those left
    vacant."""
    for department in company.departments:
        members = company.people.get(department.name, ())
        if members and department.name not in company.vacant_heads:
            services_positions.department_head_set(
                actor=None, department=departments[department.name],
                head=people[members[0].number])


def _head_above(
    department: str | None, heads: Mapping[str, Person], parents: Mapping[str, str | None]
) -> Person | None:
    """The head of the nearest department upwards that has one (None at the top)."""
    while department is not None:
        if department in heads:
            return heads[department]
        department = parents[department]
    return None


def _create_skills(company: DemoCompany, people: Mapping[str, Person]) -> None:
    skills: dict[str, Skill] = {
        name: services.skill_save(actor=None, skill=None, data={"name": name, "category": category})
        for name, category in company.skills
    }
    for number, levels in company.person_skills.items():
        for skill, level in levels:
            services.person_skill_set(
                actor=None, person=people[number], skill=skills[skill], level=level
            )


def _grant(
    organization: Organization, user: User, role: Role, person: Person | None = None
) -> None:
    with tenancy.activate(organization):
        services.membership_set(actor=None, user=user, role=role, person=person)


def _create_role_accounts(company: LoadedCompany, *, password: str) -> None:
    for username, role, number in ROLE_ACCOUNTS:
        person = company.people[number] if number else None
        # An account of that name from before keeps its password: the demo never resets one.
        user = User.objects.filter(username=username).first() or services.user_create(
            actor=None, username=username, password=password, email=person.email if person else ""
        )
        _grant(company.organization, user, role, person)
