import datetime as dt
from decimal import Decimal

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kehoach_nb import indicators as ind

grade_rows = st.lists(
    st.tuples(st.integers(1, 5), st.integers(1, 8), st.integers(0, 300)),
    min_size=1, max_size=5, unique_by=lambda r: r[0])


def _enr(rows, year=2023, scenario="actual"):
    return pd.DataFrame([{"school_id": "A", "school_year": year, "scenario": scenario, "grade": g,
                          "program_model": None, "classes": c, "students": s, "female": s // 2}
                         for g, c, s in rows]).astype(object)


@given(grade_rows, st.randoms())
def test_totals_add_up_and_ignore_row_order(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = ind.scale(_enr(rows), 2023, "actual"), ind.scale(_enr(shuffled), 2023, "actual")
    assert a.students == sum(s for _, _, s in rows) == b.students
    assert a.classes == sum(c for _, c, _ in rows) == b.classes
    assert a.by_grade["students"].tolist() == b.by_grade["students"].tolist()


@given(grade_rows)
def test_shares_are_rates_between_0_and_100(rows):
    sc = ind.scale(_enr(rows), 2023, "actual")
    value = ind.share(sc, "female")
    assert value is None if sc.students == 0 else Decimal(0) <= value <= Decimal(100)


def test_claimed_total_row_is_not_counted_twice():
    df = _enr([(1, 3, 102), (2, 4, 145)])
    claimed = pd.DataFrame([{"school_id": "A", "school_year": 2023, "scenario": "actual",
                             "grade": "tong", "classes": 7, "students": 999}]).astype(object)
    sc = ind.scale(pd.concat([df, claimed], ignore_index=True), 2023, "actual")
    assert (sc.classes, sc.students, sc.from_parts) == (7, 247, True)


def test_total_without_parts_stands_for_itself():
    df = pd.DataFrame([{"school_id": "A", "school_year": 2024, "scenario": "plan", "grade": "tong",
                        "classes": 19, "students": 605}]).astype(object)
    sc = ind.scale(df, 2024, "plan")
    assert (sc.classes, sc.students, sc.from_parts) == (19, 605, False)


def test_zero_denominators_give_none_not_zero():
    assert ind.students_per_class(10, 0) is None
    assert ind.teachers_per_class(5, 0) is None
    assert ind.land_per_pupil(Decimal(100), 0) is None


def test_grades_over_cap_aggregate_form():
    sc = ind.scale(_enr([(1, 4, 145), (2, 4, 140)]), 2023, "actual")
    assert ind.grades_over_cap(sc, 35) == [1]


def test_norms_come_from_the_catalogue_by_date():
    on = dt.date(2024, 10, 1)
    assert ind.teacher_norm(20, "tieu_hoc", 2, on) == 30
    assert ind.teacher_norm(20, "tieu_hoc", 1, on) == 24
    assert ind.teacher_norm(8, "thcs", 1, on) == 15
    assert ind.teacher_norm(8, "thcs", 1, dt.date(2010, 1, 1)) is None
    assert ind.vice_principal_norm(28, "dong_bang", "thcs", 1, on) == 2
    assert ind.vice_principal_norm(27, "dong_bang", "thcs", 1, on) == 1
    assert ind.vice_principal_norm(19, "mien_nui", "thcs", 1, on) == 2
    assert ind.vice_principal_norm(10, "dong_bang", "tieu_hoc", 5, on) == 2


def test_school_size_status():
    on = dt.date(2024, 10, 1)
    assert ind.school_size_status(6, "tieu_hoc", False, on) == "duoi"
    assert ind.school_size_status(6, "tieu_hoc", True, on) == "dat"
    assert ind.school_size_status(31, "tieu_hoc", False, on) == "vuot"


@given(st.lists(st.integers(0, 200), min_size=2, max_size=5))
def test_distribution_rates_partition_the_assessed(counts):
    cats = ["gioi", "kha", "tb", "yeu", "kem"][: len(counts)]
    df = pd.DataFrame([{"school_id": "A", "school_year": 2020, "scenario": "actual", "grade": None,
                        "program_model": None, "regime": "tt58_2011", "dimension": "hoc_luc",
                        "category": c, "count": n} for c, n in zip(cats, counts)]).astype(object)
    (d,) = ind.distributions(df, 2020, "actual")
    assert d.assessed == sum(counts)
    for c in cats:
        rate = d.rates[c]
        assert rate is None if d.assessed == 0 else Decimal(0) <= rate <= Decimal(100)


@given(st.permutations(["hieu_truong", "pho_hieu_truong", "giao_vien", "nhan_vien", "bao_ve"]))
def test_staff_and_rooms_order_does_not_depend_on_input_order(roles):
    staff = pd.DataFrame([{"school_id": "A", "school_year": 2023, "scenario": "actual", "role": r,
                           "count": 1} for r in roles]).astype(object)
    assert list(ind.staff_by_role(staff, 2023, "actual").index) == [
        "hieu_truong", "pho_hieu_truong", "giao_vien", "nhan_vien", "bao_ve"]
    rooms = pd.DataFrame([{"school_id": "A", "school_year": 2023, "room_type": t, "count": 1}
                          for t in ("thu_vien", "phong_hoc", "kho")]).astype(object)
    assert list(ind.rooms_for(rooms, 2023)["room_type"]) == ["phong_hoc", "thu_vien", "kho"]
