"""A synthetic enterprise's survey round, in memory, for the survey benchmarks.

    from _synthetic_survey import synthetic_enterprise
    enterprise = synthetic_enterprise(seed=7)          # 10,000 people, 2,000 tasks, …
    data = enterprise.survey_data()                    # the analysis engine's input

Deterministic for a given seed. The shape follows a real back office: each department works
mostly in one function and mostly on its own "home" tasks, task popularity is skewed, a few
general tasks (勤怠入力, 経費精算) are done by thousands a little, a fifth of the tasks are
niche work one to three people do and only one can, most people work near their capacity (a
tenth over it), capability is rated on the tasks people do and some they don't, a few tasks have
no capability rows at all (the analysis falls back to the doers), and 2,000 person × task pairs
have per-month hours with a March peak.

Every frame follows the analysis schemas (``somu.survey.analysis.types``), so a database
benchmark can insert the same rows: ``departments`` (department_id, parent_id, name, path),
``people``, ``tasks``, ``grades``, ``hours``, ``capability`` and ``monthly``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
DIVISIONS = ("管理本部", "営業本部", "開発本部", "製造本部", "海外事業本部", "東日本支社",
             "西日本支社", "物流本部", "品質保証本部", "経営企画本部")
UNITS = ("総務部", "人事部", "経理部", "法務部", "情報システム部", "企画部", "業務部",
         "第一部", "第二部", "第三部")
VERBS = ("手続き", "管理", "対応", "作成", "確認", "集計", "申請", "照合", "登録", "更新")
SUBJECTS = ("請求書", "契約書", "稟議", "備品", "給与", "勤怠", "社会保険", "経費", "固定資産",
            "アカウント", "PC", "郵便物", "来客", "株主総会", "予算", "月次決算", "年末調整")
FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN = ("太郎", "花子", "一郎", "美咲", "健", "陽菜", "翔", "結衣", "大輔", "さくら")
# Fiscal months April … March; the weights average 1, with the 年度末 peak in March.
SEASON = (0.9, 0.9, 1.0, 0.9, 0.8, 1.0, 0.9, 0.9, 1.1, 0.9, 1.0, 1.7)
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass(frozen=True)
class SyntheticEnterprise:
    departments: pl.DataFrame
    people: pl.DataFrame
    tasks: pl.DataFrame
    grades: pl.DataFrame
    hours: pl.DataFrame
    capability: pl.DataFrame
    monthly: pl.DataFrame

    def survey_data(self) -> SurveyData:
        return SurveyData(people=self.people, tasks=self.tasks, hours=self.hours,
                          capability=self.capability, grades=self.grades, monthly=self.monthly)


def _unique_pairs(rng: np.random.Generator, count: int, draw: object) -> np.ndarray:
    """``count`` distinct (person, task) pairs from ``draw(rng, n) -> (persons, tasks)``."""
    pairs = np.zeros((0, 2), dtype=np.int64)
    while len(pairs) < count:
        persons, tasks = draw(rng, int((count - len(pairs)) * 1.3) + 100)  # type: ignore[operator]
        pairs = np.unique(np.concatenate([pairs, np.column_stack([persons, tasks])]), axis=0)
    keep = rng.choice(len(pairs), size=count, replace=False)
    return pairs[np.sort(keep)]


def synthetic_enterprise(seed: int = 7, people: int = 10_000, tasks: int = 2_000,
                         hours_rows: int = 200_000, capability_rows: int = 300_000,
                         monthly_pairs: int = 2_000, divisions: int = 10,
                         units_per_division: int = 10) -> SyntheticEnterprise:
    rng = np.random.default_rng(seed)
    n_functions = len(FUNCTIONS)

    # Departments: divisions with units under them; people belong to the units.
    div_ids = np.arange(1, divisions + 1)
    unit_count = divisions * units_per_division
    unit_ids = np.arange(divisions + 1, divisions + 1 + unit_count)
    unit_div = np.repeat(div_ids, units_per_division)
    unit_names = [UNITS[i % len(UNITS)] for i in range(unit_count)]
    div_names = [DIVISIONS[i % len(DIVISIONS)] + ("" if i < len(DIVISIONS) else str(i))
                 for i in range(divisions)]
    departments = pl.DataFrame({
        "department_id": np.concatenate([div_ids, unit_ids]),
        "parent_id": [None] * divisions + unit_div.tolist(),
        "name": div_names + unit_names,
        "path": div_names + [f"{div_names[d - 1]} / {u}" for d, u in zip(unit_div, unit_names,
                                                                           strict=True)],
    }, schema={"department_id": pl.Int64, "parent_id": pl.Int64, "name": pl.Utf8,
               "path": pl.Utf8})
    unit_function = np.arange(unit_count) % n_functions
    unit_path = departments["path"].to_numpy()[divisions:]

    # People: unequal unit sizes; grades G1 (many) … G6 (few); some part-timers.
    sizes = rng.gamma(4.0, 1.0, unit_count)
    person_unit = rng.choice(unit_count, size=people, p=sizes / sizes.sum())
    person_grade = rng.choice(6, size=people, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
    capacity = np.where(rng.random(people) < 0.1, 120.0, 160.0)
    person_ids = np.arange(1, people + 1)
    people_frame = pl.DataFrame({
        "person_id": person_ids,
        "employee_number": [f"{i:06d}" for i in person_ids],
        "name": [f"{FAMILY[i % 10]} {GIVEN[(i // 10) % 10]}" for i in person_ids],
        "department_id": unit_ids[person_unit],
        "department": unit_path[person_unit],
        "grade": [f"G{g + 1}" for g in person_grade],
        "capacity": capacity,
    }, schema=PEOPLE_SCHEMA)

    # Tasks: evenly over the functions; ids grouped by function.
    task_function = np.sort(np.arange(tasks) % n_functions)
    task_ids = np.arange(1, tasks + 1)
    starts = np.searchsorted(task_function, np.arange(n_functions))
    ends = np.searchsorted(task_function, np.arange(n_functions), side="right")
    difficulty = rng.integers(1, 6, tasks).astype(object)
    difficulty[rng.random(tasks) < 0.05] = None
    tasks_frame = pl.DataFrame({
        "task_id": task_ids,
        "function": [FUNCTIONS[f] for f in task_function],
        "category": [f"{FUNCTIONS[f]}業務{(i % 7) + 1}" for i, f in enumerate(task_function)],
        "subcategory": [f"区分{(i % 3) + 1}" for i in range(tasks)],
        "name": [f"{SUBJECTS[i % len(SUBJECTS)]}{VERBS[(i // len(SUBJECTS)) % len(VERBS)]}"
                 f"{i + 1}" for i in range(tasks)],
        "difficulty": difficulty.tolist(),
        "remote_ok": rng.random(tasks) < 0.4,
        "outsourceable": rng.random(tasks) < 0.2,
        "automatable": rng.random(tasks) < 0.15,
    }, schema=TASKS_SCHEMA)

    # Kinds of work: a few general tasks most people do a little of (勤怠入力, 経費精算 …);
    # specialist tasks done mostly by one unit's people (its "home" tasks), with a skewed
    # popularity within the function; and niche tasks (a fifth) that one to three people of
    # the function do, the first of them the only one who can.
    kind_of = rng.random(tasks)
    general = np.zeros(tasks, dtype=bool)
    general[rng.choice(tasks, size=max(1, tasks // 20), replace=False)] = True
    niche = ~general & (kind_of < 0.2)
    general_ids = np.flatnonzero(general)
    # Draws that land on a niche task go to the next ordinary task of the same function.
    ordinary = np.flatnonzero(~niche)
    function_end = ends[task_function] - 1
    redirect = np.minimum(ordinary[np.minimum(np.searchsorted(ordinary, np.arange(tasks)),
                                              len(ordinary) - 1)], function_end)
    redirect = np.where(niche[redirect], starts[task_function], redirect)
    fn_start, fn_len = starts[unit_function], ends[unit_function] - starts[unit_function]
    home_offset = rng.integers(0, np.maximum(fn_len, 1))

    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        persons = rng.integers(0, people, n)
        unit = person_unit[persons]
        kind = rng.random(n)
        home = (home_offset[unit] + np.minimum(rng.geometric(0.08, n), 40)) % fn_len[unit]
        within = np.minimum(rng.pareto(1.2, n) * 20, fn_len[unit] - 1).astype(np.int64)
        common = general_ids[np.minimum(rng.pareto(1.0, n) * 5,
                                        len(general_ids) - 1).astype(np.int64)]
        task = np.where(kind < 0.4, common,
                        np.where(kind < 0.8, fn_start[unit] + home,
                                 np.where(kind < 0.95, fn_start[unit] + within,
                                          rng.integers(0, tasks, n))))
        return persons, np.where(niche[task], redirect[task], task)

    # Niche tasks: doers from the units working in the task's function.
    niche_ids = np.flatnonzero(niche)
    doers = rng.choice([1, 1, 1, 2, 3], size=len(niche_ids))
    unit_people = [np.flatnonzero(person_unit == u) for u in range(unit_count)]
    function_units = [np.flatnonzero(unit_function == f) for f in range(n_functions)]
    niche_pairs_list, niche_first = [], []
    for t, k in zip(niche_ids.tolist(), doers.tolist(), strict=True):
        unit = int(rng.choice(function_units[task_function[t]]))
        chosen = rng.choice(unit_people[unit], size=min(k, len(unit_people[unit])),
                            replace=False) if len(unit_people[unit]) else np.zeros(0, int)
        for i, p in enumerate(chosen.tolist()):
            niche_pairs_list.append((p, t))
            niche_first.append(i == 0)
    niche_pairs = np.array(niche_pairs_list, dtype=np.int64).reshape(-1, 2)
    pairs = np.concatenate([_unique_pairs(rng, hours_rows - len(niche_pairs), draw),
                            niche_pairs])
    is_niche = np.zeros(len(pairs), dtype=bool)
    is_niche[len(pairs) - len(niche_pairs):] = True
    raw = rng.lognormal(0.0, 0.9, hours_rows) * np.where(
        general[pairs[:, 1]], 0.15, np.where(is_niche, 2.0, 1.0))
    per_person = np.bincount(pairs[:, 0], weights=raw, minlength=people)
    target = capacity[pairs[:, 0]] * rng.normal(0.88, 0.1, people)[pairs[:, 0]].clip(0.5, 1.4)
    hours = np.round(raw / per_person[pairs[:, 0]] * target * 4) / 4  # quarter hours
    hours = np.maximum(hours, 0.25)
    hours_frame = pl.DataFrame({"person_id": person_ids[pairs[:, 0]],
                                "task_id": task_ids[pairs[:, 1]], "hours": hours},
                               schema=HOURS_SCHEMA)

    # Capability: on the tasks people do (mostly able; on niche tasks only the first doer),
    # then on others (mostly not); a few tasks have no rows at all.
    unrated = (rng.random(tasks) < 0.03) & ~niche
    rated = ~unrated[pairs[:, 1]]
    doer_pairs = pairs[rated][:capability_rows]
    doer_levels = rng.choice(5, size=len(pairs), p=[0.05, 0.1, 0.25, 0.4, 0.2])
    first = np.zeros(len(pairs), dtype=bool)
    first[len(pairs) - len(niche_pairs):] = niche_first
    doer_levels = np.where(is_niche, np.where(first, 4, rng.choice([1, 2], len(pairs))),
                           doer_levels)[rated][:capability_rows]
    extra_needed = capability_rows - len(doer_pairs)
    taken = pairs[:, 0] * tasks + pairs[:, 1]
    codes = np.zeros(0, np.int64)
    for attempt in range(20):  # the skewed draws, then uniform ones if they run dry
        n = 2 * (extra_needed - len(codes)) + 100
        persons, drawn = draw(rng, n) if attempt < 5 else (rng.integers(0, people, n),
                                                            rng.integers(0, tasks, n))
        new = persons * tasks + drawn
        new = new[~np.isin(new, taken) & ~unrated[drawn]]
        codes = np.unique(np.concatenate([codes, new]))
        if len(codes) >= extra_needed:
            break
    codes = rng.permutation(codes)[:extra_needed]
    fresh = np.column_stack([codes // tasks, codes % tasks])
    extra_levels = rng.choice(5, size=len(fresh), p=[0.3, 0.3, 0.25, 0.12, 0.03])
    cap_pairs = np.concatenate([doer_pairs, fresh])
    capability_frame = pl.DataFrame({
        "person_id": person_ids[cap_pairs[:, 0]], "task_id": task_ids[cap_pairs[:, 1]],
        "level": np.concatenate([doer_levels, extra_levels]),
    }, schema=CAPABILITY_SCHEMA)

    grades_frame = pl.DataFrame({
        "grade": [f"G{g}" for g in range(1, 7)],
        "hourly_cost": [2500, 3000, 3500, 4000, 4500, 5000],
        "difficulty_min": [1, 1, 2, 3, 4, 4],
        "difficulty_max": [2, 3, 4, 5, 5, 5],
        "sort_order": list(range(1, 7)),
    }, schema=GRADES_SCHEMA)

    chosen = rng.choice(hours_rows, size=min(monthly_pairs, hours_rows), replace=False)
    season = np.array(SEASON) / np.mean(SEASON)
    monthly_frame = pl.DataFrame({
        "person_id": np.repeat(person_ids[pairs[chosen, 0]], 12),
        "task_id": np.repeat(task_ids[pairs[chosen, 1]], 12),
        "month": np.tile(FISCAL_MONTHS, len(chosen)),
        "hours": (np.repeat(hours[chosen], 12) * np.tile(season, len(chosen))).round(2),
    }, schema=MONTHLY_SCHEMA)

    return SyntheticEnterprise(departments=departments, people=people_frame, tasks=tasks_frame,
                               grades=grades_frame, hours=hours_frame,
                               capability=capability_frame, monthly=monthly_frame)
