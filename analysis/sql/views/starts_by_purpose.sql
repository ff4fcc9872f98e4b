-- start_here.starts_by_purpose: Arbeidstrening spells started per year by registered purpose,
-- from marts.purpose_distribution with the year's agreement coverage (marts.purpose_coverage).
CREATE OR REPLACE VIEW start_here.starts_by_purpose AS
SELECT
    d.year,
    d.purpose,
    d.n_spells AS n_starts,
    d.share AS share_of_known_purpose,
    c.n_spells AS n_starts_year,
    c.coverage AS share_of_year_with_agreement
FROM marts.purpose_distribution AS d
JOIN marts.purpose_coverage AS c USING (year)
ORDER BY d.year, d.purpose = 'UKJENT', d.n_spells DESC, d.purpose;

COMMENT ON VIEW start_here.starts_by_purpose IS
'How many Arbeidstrening spells start each year, and with which purpose? One row per year and purpose (the six purposes and UKJENT = unknown, zeros included); spells started inside the observation window. Same numbers as marts.purpose_distribution. Unit: spells (a person starting twice counts twice).';
COMMENT ON COLUMN start_here.starts_by_purpose.year IS
'calendar year of the spell''s start';
COMMENT ON COLUMN start_here.starts_by_purpose.purpose IS
'rank-1 purpose of the spell''s governing agreement (ARBEIDSERFARING, FAA_JOBB_I_BEDRIFTEN, UTPROVING, OPPNAA_FAGBREV_KOMPETANSEBEVIS, SPRAAKOPPLAERING, ANNET); UKJENT when the spell has no agreement or the agreement no rank-1 purpose';
COMMENT ON COLUMN start_here.starts_by_purpose.n_starts IS
'spells started in the year with this purpose';
COMMENT ON COLUMN start_here.starts_by_purpose.share_of_known_purpose IS
'n_starts / spells of the year with a known purpose; NULL for UKJENT (see share_of_year_with_agreement)';
COMMENT ON COLUMN start_here.starts_by_purpose.n_starts_year IS
'spells started in the year, every purpose and UKJENT';
COMMENT ON COLUMN start_here.starts_by_purpose.share_of_year_with_agreement IS
'share of the year''s spells with a digital agreement, i.e. how far the purpose can be known (marts.purpose_coverage.coverage)';
