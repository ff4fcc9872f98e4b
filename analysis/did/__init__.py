"""Heterogeneity-robust staggered difference-in-differences (Callaway & Sant'Anna 2021).

Verb-shaped API in the style of R's `did` package, with tidy results:

    from analysis.did import att_gt, aggte

    res = att_gt(df, unit="id", time="month", cohort="first_month", outcome="employed",
                 control="notyettreated")
    res.att_gt                      # tidy frame: group, time, att, se, ci_low, ci_high, ...
    es = aggte(res, type="dynamic")  # event study; es.table, es.overall_att, es.overall_se
    print(es.summary())

Covariates (est_method "dr", "ipw", "reg" as R's DRDID panel estimators), sampling weights,
clusters, R's multiplier bootstrap and uniform bands; `honest` has Rambachan & Roth's
sensitivity analysis (HonestDiD). Analytic SEs match R did with bstrap=FALSE. See README.md.
"""

from analysis.did._prep import DiDInputError
from analysis.did.aggte import AggteResult, aggte
from analysis.did.attgt import ATTgtResult, att_gt

__all__ = ["ATTgtResult", "AggteResult", "DiDInputError", "aggte", "att_gt"]
