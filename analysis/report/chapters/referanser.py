"""References: the studies and guidelines the report refers to, as (authors in bokmål, authors
in English, the rest); titles are cited in their original language."""

from __future__ import annotations

TITLE = ("Referanser", "References")

REFERENCES = (
    (
        "Angrist, J. D. og Pischke, J.-S.",
        "Angrist, J. D. and Pischke, J.-S.",
        " (2009). Mostly Harmless Econometrics: An Empiricist's Companion. Princeton University Press.",
    ),
    (
        "Ashenfelter, O.",
        "Ashenfelter, O.",
        " (1978). Estimating the effect of training programs on earnings. The Review of Economics and Statistics, 60(1), 47–57.",
    ),
    (
        "Callaway, B. og Sant'Anna, P. H. C.",
        "Callaway, B. and Sant'Anna, P. H. C.",
        " (2021). Difference-in-differences with multiple time periods. Journal of Econometrics, 225(2), 200–230.",
    ),
    (
        "Finansdepartementet",
        "Finansdepartementet",
        " (2021). Rundskriv R-109/2021: Prinsipper og krav ved utarbeidelse av samfunnsøkonomiske analyser.",
    ),
    (
        "Hardoy, I. og Zhang, T.",
        "Hardoy, I. and Zhang, T.",
        " (2019). Fra flukt til etablering i det norske arbeidsmarkedet. Søkelys på arbeidslivet, 36(1–2), 55–78.",
    ),
    (
        "Heckman, J. J., Ichimura, H. og Todd, P. E.",
        "Heckman, J. J., Ichimura, H. and Todd, P. E.",
        " (1997). Matching as an econometric evaluation estimator: Evidence from evaluating a job training programme. The Review of Economic Studies, 64(4), 605–654.",
    ),
    (
        "Heckman, J. J. og Smith, J. A.",
        "Heckman, J. J. and Smith, J. A.",
        " (1999). The pre-programme earnings dip and the determinants of participation in a social programme. The Economic Journal, 109(457), 313–348.",
    ),
    (
        "Mandal, R., Midtgård, T. og Mordal, S.",
        "Mandal, R., Midtgård, T. and Mordal, S.",
        " (2019). Arbeidsinkludering. Med arbeidsgiverne på laget. SINTEF-rapport 2019:00060. SINTEF Digital.",
    ),
    (
        "NAV",
        "NAV",
        " (udatert). Om statistikken – avgang fra arbeidsrettede tiltak til arbeid og stønad. Kapittel 4: Begreper, kjennemerker og grupperinger. nav.no.",
    ),
    (
        "Nossen, J. P.",
        "Nossen, J. P.",
        " (2023). Tiltaksdeltakere med nedsatt arbeidsevne – hvor går de etterpå? Arbeid og velferd, 2/2023.",
    ),
    (
        "Nossen, J. P., Gjerde, A., Kalstø, Å. M. og Lorentzen, T.",
        "Nossen, J. P., Gjerde, A., Kalstø, Å. M. and Lorentzen, T.",
        " (2021). Kort vei fra tiltak til jobb? Løpebaner for arbeidssøkere som deltar i tiltak. Arbeid og velferd, 1/2021.",
    ),
    (
        "Oslo Economics og Frischsenteret",
        "Oslo Economics and Frischsenteret",
        " (2023). Evaluering av Arbeidstrening. Delrapport 1: kvalitativ undersøkelse av bruken av tiltaket. Utarbeidet for Arbeids- og velferdsdirektoratet.",
    ),
    (
        "Rambachan, A. og Roth, J.",
        "Rambachan, A. and Roth, J.",
        " (2023). A more credible approach to parallel trends. The Review of Economic Studies, 90(5), 2555–2591.",
    ),
    (
        "Sant'Anna, P. H. C. og Zhao, J.",
        "Sant'Anna, P. H. C. and Zhao, J.",
        " (2020). Doubly robust difference-in-differences estimators. Journal of Econometrics, 219(1), 101–122.",
    ),
    (
        "von Simson, K.",
        "von Simson, K.",
        " (2012). Veier til jobb for ungdom uten fullført videregående opplæring: Kan vikarbyråer og arbeidsmarkedstiltak lette overgangen fra utdanning til arbeidsliv? Søkelys på arbeidslivet, 29(1–2), 76–96.",
    ),
    (
        "von Simson, K.",
        "von Simson, K.",
        " (2023). Hva virker for hvem? Oppsummering av forskning om effekter av arbeidsmarkedstiltak på sysselsetting. Arbeid og velferd, 1/2023.",
    ),
    (
        "Zhang, T.",
        "Zhang, T.",
        " (2016). Virker arbeidspraksis i ordinær virksomhet etter sitt formål? Søkelys på arbeidslivet, 33(1–2).",
    ),
)


def build(b) -> list[dict]:
    i = 0 if b.lang == "nb" else 1
    return [{"kind": "references", "items": [r[i] + r[2] for r in REFERENCES]}]
