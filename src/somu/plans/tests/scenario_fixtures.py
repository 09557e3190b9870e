"""A small round for the scenario tests, the same as the analysis pages' (see
``somu.survey.tests.test_analysis_pages``): hand-checkable figures.

    task (function, difficulty)    hours                          capability
    給与計算 (人事労務, 3)          山田 20, 佐藤 10               山田 4, 佐藤 3
    月次決算 (経理財務, 4)          山田 30                        山田 4, 鈴木 2
    備品管理 (総務, 1, outsource)   鈴木 10, 田中 10, 山田 5       鈴木 3, 田中 3
    来客・電話対応 (総務, 1)        田中 155                       nobody rated: 田中 (has hours)

Person-dependent: 月次決算 and 来客・電話対応 (2 of 4 tasks, 185 of 240 h); 田中 works 165 h of
160 (overloaded); the organization's bus factor is 1 (田中).
"""

from __future__ import annotations

import pytest

from somu.survey.tests.test_analysis_pages import Survey


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)
