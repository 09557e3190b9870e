"""A synthetic back office for the plans benchmarks: one round's survey data, in memory.

    from _synthetic_plans import synthetic_office
    data = synthetic_office(seed=7, people=300, tasks=500)   # a SurveyData

Deterministic for a given seed. The shape follows a real back office of a 3,000-employee
company: six functions, two departments each (本社 and 支社); each task belongs to a function
and is done by one to twelve people of its departments (a few general tasks by half of the
function, a few by someone of another function); most doers can do the task alone
(capability 3) and one of them often can teach it (4), some still work with the manual (2);
about a quarter of the small tasks have a single capable
person (属人化) and a fifth of those have nobody who can teach; a few people of the function
are learning tasks they do not do (1–2). Loads are uneven: most people work 70–110 % of their
capacity, a tenth more; a tenth are part-timers (capacity 80–120 h). Five grades with their
hourly cost and difficulty bands; tasks have difficulty 1–5, and senior people do some easy
work (over-qualified hours).

Every task has at least one capable person, so leveling is feasible on the whole office.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from somu.survey.analysis.types import (
    CAPABILITY_SCHEMA,
    GRADES_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    SurveyData,
)

FUNCTIONS = ("総務", "人事労務", "経理財務", "法務", "情報システム", "経営企画")
SITES = ("本社", "支社")
GRADES = (("G1", 2500, 1, 2, 1), ("G2", 3200, 1, 3, 2), ("G3", 4000, 2, 4, 3),
          ("G4", 5000, 3, 5, 4), ("G5", 6500, 4, 5, 5))
FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN = ("太郎", "花子", "一郎", "美咲", "健", "陽菜", "翔", "結衣", "大輔", "さくら")
SUBJECTS = ("請求書", "契約書", "稟議", "備品", "給与", "勤怠", "社会保険", "経費", "固定資産",
            "アカウント", "PC", "郵便物", "来客", "株主総会", "予算", "月次決算", "年末調整")
VERBS = ("手続き", "管理", "対応", "作成", "確認", "集計", "申請", "照合", "登録", "更新")


def synthetic_office(seed: int = 7, people: int = 300, tasks: int = 500) -> SurveyData:
    rng = np.random.default_rng(seed)
    nf = len(FUNCTIONS)
    # People: department = function × site; grade skewed to the middle; a tenth part-time.
    person_ids = np.arange(1, people + 1)
    dept = rng.integers(0, nf * len(SITES), people)
    person_function = dept % nf
    grade = rng.choice(5, size=people, p=[0.15, 0.3, 0.3, 0.17, 0.08])
    capacity = np.where(rng.random(people) < 0.1, rng.choice([80.0, 100.0, 120.0], people),
                        160.0)
    people_frame = pl.DataFrame({
        "person_id": person_ids,
        "employee_number": [f"E{p:05d}" for p in person_ids],
        "name": [f"{FAMILY[p % 10]} {GIVEN[(p // 10) % 10]}" for p in person_ids],
        "department_id": dept + 1,
        "department": [f"{SITES[d // nf]} / {FUNCTIONS[d % nf]}部" for d in dept],
        "grade": [GRADES[g][0] for g in grade],
        "capacity": capacity,
    }, schema=PEOPLE_SCHEMA)

    # Tasks: a function each, difficulty 1–5 (mostly 2–3).
    task_ids = np.arange(1, tasks + 1)
    task_function = rng.integers(0, nf, tasks)
    difficulty = rng.choice([1, 2, 3, 4, 5], size=tasks, p=[0.15, 0.35, 0.3, 0.15, 0.05])
    tasks_frame = pl.DataFrame({
        "task_id": task_ids,
        "function": [FUNCTIONS[f] for f in task_function],
        "category": [f"{FUNCTIONS[f]}業務" for f in task_function],
        "subcategory": [SUBJECTS[t % len(SUBJECTS)] for t in task_ids],
        "name": [f"{SUBJECTS[t % len(SUBJECTS)]}{VERBS[(t // 17) % 10]}{t}" for t in task_ids],
        "difficulty": difficulty,
        "remote_ok": rng.random(tasks) < 0.4,
        "outsourceable": rng.random(tasks) < 0.2,
        "automatable": rng.random(tasks) < 0.15,
    }, schema=TASKS_SCHEMA)

    members = [np.flatnonzero(person_function == f) for f in range(nf)]
    hours_rows: dict[tuple[int, int], float] = {}
    levels: dict[tuple[int, int], int] = {}
    for t in range(tasks):
        pool = members[task_function[t]]
        size = len(pool) // 2 if rng.random() < 0.04 else int(  # a few general tasks
            rng.choice([1, 2, 3, 4, 6, 8, 12], p=[0.2, 0.2, 0.15, 0.15, 0.1, 0.1, 0.1]))
        doers = rng.choice(pool, size=min(len(pool), size), replace=False).tolist()
        if rng.random() < 0.05:  # someone of another function helps
            doers.append(int(rng.integers(0, people)))
        single = len(doers) <= 4 and rng.random() < 0.25  # general tasks: never
        if single and rng.random() < 0.85:  # mostly done by the one person who can
            doers = doers[:1]
        total = rng.lognormal(2.8, 0.9)  # the task's hours a month, split among its doers
        split = rng.dirichlet(np.ones(len(doers)) * 2)
        for i, p in enumerate(doers):
            hours_rows[(p, t)] = hours_rows.get((p, t), 0.0) + float(total * split[i]) + 0.25
            if i == 0:
                levels[(p, t)] = 3 if single and rng.random() < 0.2 else 4
            elif single:
                levels[(p, t)] = int(rng.choice([1, 2]))
            else:
                levels[(p, t)] = int(rng.choice([2, 3, 3, 3, 3, 3, 4, 4]))
        for p in rng.choice(pool, size=min(len(pool), int(rng.integers(0, 3))), replace=False):
            levels.setdefault((int(p), t), int(rng.choice([1, 2])))

    # Scale each person's load to a target utilization (most near full, a tenth over).
    load = np.zeros(people)
    for (p, _t), h in hours_rows.items():
        load[p] += h
    target = np.where(rng.random(people) < 0.1, rng.uniform(1.05, 1.35, people),
                      rng.uniform(0.6, 1.05, people)) * capacity
    scale = np.divide(target, load, out=np.zeros(people), where=load > 0)
    hours = [(int(p) + 1, int(t) + 1, float(np.round(h * scale[p] * 4) / 4) or 0.25)
             for (p, t), h in sorted(hours_rows.items())]
    capability = [(int(p) + 1, int(t) + 1, lv) for (p, t), lv in sorted(levels.items())]
    return SurveyData(
        people=people_frame,
        tasks=tasks_frame,
        hours=pl.DataFrame(hours, schema=HOURS_SCHEMA, orient="row"),
        capability=pl.DataFrame(capability, schema=CAPABILITY_SCHEMA, orient="row"),
        grades=pl.DataFrame(list(GRADES), schema=GRADES_SCHEMA, orient="row"),
        monthly=pl.DataFrame(schema=MONTHLY_SCHEMA),
    )
