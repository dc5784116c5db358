"""The contract tables of one data year, derived from the population state (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.sample import population as pop
from jingzhun.sample.population import current

PENSION_MONTHLY = 70  # 城乡居民基础养老金 (元/月), not counted in income
TEKUN_YEARLY = 4200  # 分散供养特困人员基本生活费 (元/年)


def _pick(conds: list[np.ndarray], values: list[str], default: str = "") -> np.ndarray:
    return np.select(conds, values, default).astype(object)


def member_attributes(P: pd.DataFrame, H: pd.DataFrame, data_year: int) -> pd.DataFrame:
    """Education, school, health, labour, work and insurance columns by age (stable draws)."""
    age = pop.age_at(P["birth"].to_numpy(), data_year)
    by = (data_year - 1) - age
    uh, uh2, us, uw, ue, usc, ui = (
        P[c].to_numpy() for c in ("u_health", "u_health2", "u_skill", "u_work", "u_edu", "u_school", "u_ins")
    )
    chronic = uh < 0.03 + 0.007 * np.maximum(age - 40, 0)
    serious = uh > 0.985
    disabled = uh2 < 0.035
    parts = np.stack(
        [np.where(chronic, "长期慢性病", ""), np.where(serious, "患有大病", ""), np.where(disabled, "残疾", "")], axis=1
    )
    health = np.char.add(
        np.char.add(parts[:, 0], np.where(chronic & (serious | disabled), ",", "")),
        np.char.add(np.char.add(parts[:, 1], np.where(serious & disabled, ",", "")), parts[:, 2]),
    )
    health = np.where(health == "", "健康", health).astype(object)
    healthy = ~(chronic | serious | disabled)

    # School status by age on 31 December of the income year.
    hs = (age >= 16) & (age <= 18) & (usc < 0.7)
    zz = (age >= 16) & (age <= 18) & (usc >= 0.7) & (usc < 0.82)
    col = (age >= 19) & (age <= 22) & (usc < 0.25)
    grade = np.array(["一", "二", "三", "四"], dtype=object)
    school = _pick(
        [
            (age >= 3) & (age <= 6) & (usc < 0.75),
            (age >= 7) & (age <= 12),
            age == 13,
            age == 14,
            age == 15,
            hs,
            zz,
            col & (usc < 0.12),
            col,
        ],
        ["学前教育", "小学", "七年级", "八年级", "九年级", "高中", "中职", "本科", "高职高专"],
    )
    yr = np.clip(np.where(col, age - 19, age - 16), 0, 3)
    withyear = np.isin(school, ["高中", "中职", "本科", "高职高专"])
    school[withyear] = school[withyear] + grade[yr[withyear]] + "年级"
    school[withyear & (school == "高职高专四年级")] = "高职高专三年级"
    student = school != ""
    student &= ~((age >= 3) & (age <= 6) & (usc >= 0.75))
    edu_old = _pick([ue < 0.45, ue < 0.9], ["文盲或半文盲", "小学"], "初中")
    edu_mid = _pick([ue < 0.15, ue < 0.6, ue < 0.95], ["文盲或半文盲", "小学", "初中"], "高中")
    edu_70 = _pick([ue < 0.25, ue < 0.8, ue < 0.95], ["小学", "初中", "高中"], "大专")
    edu_new = _pick([ue < 0.05, ue < 0.55, ue < 0.85, ue < 0.95], ["小学", "初中", "高中", "大专"], "本科及以上")
    edu = np.where(by < 1955, edu_old, np.where(by < 1970, edu_mid, np.where(by < 1985, edu_70, edu_new))).astype(
        object
    )
    edu[(age >= 16) & (age <= 18) & ~student] = "初中"
    edu[age <= 6] = "学龄前儿童"
    edu[student] = ""

    labor = np.full(len(P), "无劳动力", dtype=object)
    working_age = (age >= 16) & (age <= 59) & ~student
    labor[working_age & healthy] = np.where(us[working_age & healthy] < 0.2, "技能劳动力", "普通劳动力")
    sick = working_age & ~healthy
    labor[sick] = np.where(serious[sick] | (disabled[sick] & (us[sick] < 0.5)), "丧失劳动力", "弱劳动力或半劳动力")
    senior = (age >= 60) & (age <= 69)
    labor[senior] = np.where(
        healthy[senior] & (us[senior] < 0.5),
        "普通劳动力",
        np.where(healthy[senior], "弱劳动力或半劳动力", "丧失劳动力"),
    )
    labor[(age >= 70)] = np.where(us[age >= 70] < 0.4, "丧失劳动力", "无劳动力")

    able = np.isin(labor, ["普通劳动力", "技能劳动力"]) & (age <= 59)
    weak = labor == "弱劳动力或半劳动力"
    kinds = np.array(["省外务工", "县外省内务工", "乡（镇）外县内务工", "乡（镇）内务工"], dtype=object)
    goes = able & (uw < 0.58) | weak & (uw < 0.15)
    work = np.where(goes, np.where(weak, "乡（镇）内务工", kinds[P["work_kind"].to_numpy()]), "").astype(object)
    work[(able | weak) & ~goes] = "未外出务工"
    months = np.where(goes, np.clip((uw * 100).astype(int) % 10 + 3, 3, 12), np.where(work == "未外出务工", 0, -1))

    reg = H["registered"].to_numpy()[P["hh"].to_numpy()]
    medical = ui < np.where(reg, 0.995, 0.97)
    critical = medical & (ui < np.where(reg, 0.98, 0.9))
    pension = (age >= 16) & ~student & (ui < 0.85)
    return pd.DataFrame(
        {
            "age": age,
            "education": edu,
            "school_status": school,
            "health": health,
            "labor": labor,
            "work_status": work,
            "work_months": months,
            "medical_insurance": medical,
            "critical_illness_insurance": critical,
            "pension_insurance": pension,
        }
    )


def members_table(P: pd.DataFrame, H: pd.DataFrame, data_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members table and the per-person attribute frame (aligned to P)."""
    a = member_attributes(P, H, data_year)
    hh = P["hh"].to_numpy()
    cur = current(P)
    on_dibao = H["dibao_family"].to_numpy()[hh] & cur
    on_tekun = H["tekun_family"].to_numpy()[hh] & cur & (P["relation"].to_numpy() == "户主")
    on_dibao &= ~on_tekun
    a["on_dibao"] = on_dibao
    a["on_tekun"] = on_tekun
    wm = pd.array(np.where(a["work_months"] >= 0, a["work_months"], 0), dtype="Int64")
    wm[a["work_months"].to_numpy() < 0] = pd.NA
    m = pd.DataFrame(
        {
            "household_id": H["household_id"].to_numpy()[hh],
            "id_number": P["id_number"].to_numpy(),
            "id_type": "居民身份证",
            "name": P["name"].to_numpy(),
            "sex": np.where(P["male"].to_numpy(), "男", "女"),
            "birth_date": P["birth"].to_numpy().astype("datetime64[s]"),
            "ethnicity": P["ethnicity"].to_numpy(),
            "relation": P["relation"].to_numpy(),
            "education": a["education"].to_numpy(),
            "school_status": a["school_status"].to_numpy(),
            "health": a["health"].to_numpy(),
            "labor": a["labor"].to_numpy(),
            "work_status": a["work_status"].to_numpy(),
            "work_months": wm,
            "medical_insurance": a["medical_insurance"].to_numpy(),
            "critical_illness_insurance": a["critical_illness_insurance"].to_numpy(),
            "pension_insurance": a["pension_insurance"].to_numpy(),
            "on_dibao": on_dibao,
            "on_tekun": on_tekun,
            "change_reason": P["reason"].to_numpy(),
            "change_date": P["change_date"].to_numpy().astype("datetime64[s]"),
        }
    )
    return m, a


def households_table(
    rng: np.random.Generator,
    H: pd.DataFrame,
    P: pd.DataFrame,
    a: pd.DataFrame,
    vil: pd.DataFrame,
    data_year: int,
    line: float,
    present: np.ndarray,
) -> pd.DataFrame:
    """Households present this year, incomes composed so the reported per-capita figure is exact."""
    n = len(H)
    hh = P["hh"].to_numpy()
    cur = current(P)
    size = np.bincount(hh[cur], minlength=n)
    n60 = np.bincount(hh[cur & (a["age"].to_numpy() >= 60)], minlength=n)
    ndib = np.bincount(hh[a["on_dibao"].to_numpy()], minlength=n)
    ntek = np.bincount(hh[a["on_tekun"].to_numpy()], minlength=n)
    workers = np.bincount(hh[cur & (a["work_months"].to_numpy() > 0)], minlength=n)
    u = H["u_income"].to_numpy()
    r = rng.random((6, n))
    dibao = ndib * H["dibao_monthly"].to_numpy() * 12.0
    tekun = ntek * float(TEKUN_YEARLY)
    pension = n60 * PENSION_MONTHLY * 12.0
    fp = np.where(r[0] < 0.08, 960.0, 0.0)
    eco = np.where(r[1] < 0.1, np.round(100 + r[2] * 500), 0.0)
    other = np.where(r[3] < 0.2, np.round(100 + r[4] * 900), 0.0)
    counted = fp + dibao + tekun + eco + other
    safe = np.maximum(size, 1)
    target = H["pc"].to_numpy() * safe
    rest = np.maximum(target - counted, np.round(r[5] * 200) * safe)
    prop = np.round(rest * (u * 0.04))
    rest = rest - prop
    wshare = np.where(workers > 0, 0.5 + 0.4 * r[5], 0.2 * r[5])
    wage = np.round(rest * wshare, -1)
    bnet = rest - wage
    expense = np.round(bnet * (0.15 + 0.3 * u), -1)
    business = np.round(bnet + expense, -1)
    net = wage + business + prop + counted - expense
    pcni = np.round(net / safe, 2)
    vi = H["village"].to_numpy()
    reg = H["registered"].to_numpy()
    uh, uw, um, ul = (H[c].to_numpy() for c in ("u_house", "u_water", "u_misc", "u_land"))
    danger = np.where(reg, uh < 0.1, uh < 0.02) & ~np.isin(H["status"].to_numpy(), ["已脱贫(享受政策)"])
    heads = P[cur & (P["relation"].to_numpy() == "户主")]
    head_name = pd.Series(heads["name"].to_numpy(), index=heads["hh"].to_numpy()).reindex(range(n))
    head_id = pd.Series(heads["id_number"].to_numpy(), index=heads["hh"].to_numpy()).reindex(range(n))

    def yr(col: str) -> pd.api.extensions.ExtensionArray:
        v = H[col].to_numpy()
        return pd.Series(v, dtype="Int64").where(v > 0).array

    out = pd.DataFrame(
        {
            "household_id": H["household_id"].to_numpy(),
            "village_code": vil["village_code"].to_numpy()[vi],
            "village_name": vil["village_name"].to_numpy()[vi],
            "township_name": vil["township_name"].to_numpy()[vi],
            "group_name": H["group_name"].to_numpy(),
            "head_name": head_name.to_numpy(dtype=object),
            "head_id_number": head_id.to_numpy(dtype=object),
            "household_size": size,
            "phone": H["phone"].to_numpy(),
            "bank_account": H["bank_account"].to_numpy(),
            "registered": reg,
            "category": H["category"].to_numpy(),
            "status": H["status"].to_numpy(),
            "identified_year": yr("identified_year"),
            "exit_year": yr("exit_year"),
            "planned_exit_year": yr("planned_exit_year"),
            "main_cause": H["main_cause"].to_numpy(),
            "other_causes": H["other_causes"].to_numpy(),
            "wage_income": wage,
            "business_income": business,
            "property_income": prop,
            "transfer_income": counted + pension,
            "family_planning_benefit": fp,
            "dibao_benefit": dibao,
            "tekun_benefit": tekun,
            "pension_benefit": pension,
            "eco_compensation": eco,
            "other_transfer": other,
            "business_expense": expense,
            "per_capita_net_income": pcni,
            "cultivated_land_mu": np.round(ul * 6 + 0.3, 1),
            "housing_area_m2": np.where(uh > 0.995, 0.0, np.round(50 + uh * 150, 1)),
            "dangerous_house": danger,
            "house_grade": np.where(danger, np.where(um < 0.4, "D级", "C级"), "").astype(object),
            "drinking_water_safe": uw > np.where(reg, 0.12, 0.05),
            "drinking_water_difficult": uw < np.where(reg, 0.08, 0.03),
            "has_electricity": um < 0.998,
            "road_distance_km": np.round(ul * ul * 3, 1),
            "road_type": np.array(["泥土路", "砂石路", "水泥路", "沥青路"], dtype=object)[
                np.searchsorted([0.15, 0.4, 0.95], uw)
            ],
            "sanitary_toilet": um < 0.6,
            "relocation_willing": reg & (uh > 0.93),
            "joined_coop": um < 0.15,
            "cadre_id": H["cadre_id"].to_numpy() if "cadre_id" in H else "",
        }
    )
    return out[present].reset_index(drop=True)


def villages_table(
    rng: np.random.Generator, vil: pd.DataFrame, hh: pd.DataFrame, H: pd.DataFrame, data_year: int
) -> pd.DataFrame:
    code = hh["village_code"]
    g = hh.groupby(code, sort=False)
    tot_h = g.size()
    tot_p = g["household_size"].sum()
    net = (hh["per_capita_net_income"] * hh["household_size"]).groupby(code, sort=False).sum()
    regc = hh["registered"].groupby(code, sort=False).sum()
    v = vil.set_index("village_code")
    idx = v.index
    tot_h = tot_h.reindex(idx).fillna(0).astype(int)
    tot_p = tot_p.reindex(idx).fillna(0).astype(int)
    pci = (net.reindex(idx).fillna(0) / tot_p.where(tot_p > 0, 1)).round(2)
    poorv = v["poor_village"].to_numpy()
    u = rng.random((3, len(v)))
    coll = np.where(poorv & (u[0] < 0.6) | (u[0] < 0.08), 0.0, np.round(1 + u[1] * 20, 2))
    return pd.DataFrame(
        {
            "village_code": idx.to_numpy(),
            "village_name": v["village_name"].to_numpy(),
            "township_code": v["township_code"].to_numpy(),
            "township_name": v["township_name"].to_numpy(),
            "is_poor_village": poorv,
            "total_households": tot_h.to_numpy(),
            "total_population": tot_p.to_numpy(),
            "agricultural_population": np.floor(tot_p.to_numpy() * (0.9 + 0.1 * u[2])).astype(int),
            "per_capita_income": pci.to_numpy(),
            "collective_income": coll,
            "hardened_road": ~poorv | (u[2] < 0.5),
            "has_clinic": u[1] < 0.85,
            "household_quota": np.maximum(
                regc.reindex(idx).fillna(0).astype(int).to_numpy() + rng.integers(-1, 2, len(v)), 0
            ),
        }
    )
